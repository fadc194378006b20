import { nodeBuiltin } from './host.js';
import { CONTROL_WORDS } from './layout.js';
import type { ThreadPool, ThreadPoolSetup } from './threads.js';

// Control block words (Int32, in shared memory).
const SIGNAL = 0; // (job sequence number << 8) | thread count: one word, so a worker reads both at once
const DONE = 1; // workers finished with the current job
const READY = 2; // workers that instantiated the module and wait for jobs
const FAILED = 3; // workers that could not start
const ERROR = 4; // set when a kernel threw in a worker

/** Spin iterations (a few microseconds) before sleeping in Atomics.wait: back-to-back kernels skip the futex. */
const SPIN = 20000;

// The worker: instantiate the module on the shared memory, then wait for jobs. Evaluated source, so
// it needs no file of its own in a bundle; valid as a script and as a module, because workers inherit
// flags such as --input-type=module that make Node evaluate it as one.
const workerSource = `
const { workerData } = typeof require === 'function' ? require('node:worker_threads') : process.getBuiltinModule('node:worker_threads');
const { module, memory, control, job, tid, spin } = workerData;
const ctrl = new Int32Array(memory.buffer, control, ${CONTROL_WORDS});
let run;
try {
  run = new WebAssembly.Instance(module, { env: { memory } }).exports.run;
} catch (error) {
  Atomics.add(ctrl, ${FAILED}, 1);
  Atomics.notify(ctrl, ${READY});
  throw error;
}
let seen = Atomics.load(ctrl, ${SIGNAL});
Atomics.add(ctrl, ${READY}, 1);
Atomics.notify(ctrl, ${READY});
for (;;) {
  let signal = Atomics.load(ctrl, ${SIGNAL});
  for (let i = 0; signal === seen && i < spin; i++) signal = Atomics.load(ctrl, ${SIGNAL});
  while (signal === seen) {
    Atomics.wait(ctrl, ${SIGNAL}, seen);
    signal = Atomics.load(ctrl, ${SIGNAL});
  }
  seen = signal;
  const threads = signal & 255;
  if (tid < threads) {
    try { run(job, tid); } catch { Atomics.store(ctrl, ${ERROR}, 1); }
    if (Atomics.add(ctrl, ${DONE}, 1) + 1 === threads - 1) Atomics.notify(ctrl, ${DONE});
  }
}
`;

/**
 * worker_threads workers blocked in Atomics.wait between jobs. They are unref()ed, so they never keep
 * the process alive: when the user's work is done, Node exits and ends them.
 */
export function createNodeThreadPool(setup: ThreadPoolSetup): ThreadPool | null {
  const workerThreads = nodeBuiltin<typeof import('node:worker_threads')>('node:worker_threads');
  if (workerThreads === null) return null;
  const { Worker } = workerThreads;
  const ctrl = new Int32Array(setup.memory.buffer, setup.control, CONTROL_WORDS);
  let started = 0;
  let sequence = 0;

  function start(count: number): void {
    for (; started < count; started++) {
      const worker = new Worker(workerSource, {
        eval: true,
        workerData: { module: setup.module, memory: setup.memory, control: setup.control, job: setup.job, tid: started + 1, spin: SPIN },
      });
      // A worker that dies is counted as failed; the error must not become an uncaught exception here.
      worker.on('error', () => undefined);
      worker.unref();
    }
  }

  return {
    ready(workers, waitMs) {
      if (workers > 254) workers = 254;
      if (started < workers) start(workers);
      const deadline = Date.now() + waitMs;
      for (;;) {
        const ready = Atomics.load(ctrl, READY);
        if (Atomics.load(ctrl, FAILED) > 0) return 0;
        if (ready >= workers) return workers;
        const left = deadline - Date.now();
        if (left <= 0) return 0;
        Atomics.wait(ctrl, READY, ready, left);
      }
    },

    run(threads, own) {
      Atomics.store(ctrl, DONE, 0);
      Atomics.store(ctrl, ERROR, 0);
      sequence = (sequence + 1) & 0x7fffff;
      Atomics.store(ctrl, SIGNAL, (sequence << 8) | threads);
      Atomics.notify(ctrl, SIGNAL);
      let failure: unknown = null;
      try {
        own();
      } catch (error) {
        failure = error;
      }
      // The workers must be done before the job block or the arena is reused, even after a failure here.
      const want = threads - 1;
      let done = Atomics.load(ctrl, DONE);
      for (let i = 0; done !== want && i < SPIN; i++) done = Atomics.load(ctrl, DONE);
      while (done !== want) {
        Atomics.wait(ctrl, DONE, done);
        done = Atomics.load(ctrl, DONE);
      }
      if (failure !== null) throw failure;
      if (Atomics.load(ctrl, ERROR) !== 0) throw new Error('wasm backend: a kernel failed in a worker thread');
    },
  };
}
