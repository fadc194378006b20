import { CONTROL_WORDS } from './layout.js';

// Control block words (Int32, in shared memory), shared by the host side (pool.ts) and the workers.
export const SIGNAL = 0; // (job sequence number << 8) | thread count: one word, so a worker reads both at once
export const DONE = 1; // workers finished with the current job
export const READY = 2; // workers that instantiated the module and wait for jobs
export const FAILED = 3; // workers that could not start
export const ERROR = 4; // set when a kernel threw in a worker

/** Spin iterations (a few microseconds) of the calling thread waiting for the workers' shares. */
export const SPIN = 20000;

/**
 * How long a worker keeps polling for the next job before it sleeps in Atomics.wait. Waking a
 * sleeping worker took 120–270 µs on a 2-core VM (the futex wake has to get a halted vCPU
 * scheduled), more than a LeNet-sized kernel; training calls kernels every few hundred
 * microseconds, so a worker that polls for 2 ms is always there. An idle process sleeps after 2 ms.
 */
export const WORKER_SPIN_MS = 2;

/**
 * The body every worker runs once it has `module, memory, control, job, tid, spinMs` in scope:
 * instantiate the kernel module on the shared memory, report ready, then wait for jobs and run
 * its share of each. Plain JavaScript source, so Node's eval'd workers and browsers' Blob workers
 * use the very same loop.
 */
export const WORKER_LOOP = `
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
  if (signal === seen) {
    const until = performance.now() + spinMs;
    for (let i = 1; signal === seen; i++) {
      signal = Atomics.load(ctrl, ${SIGNAL});
      if ((i & 1023) === 0 && performance.now() > until) break;
    }
  }
  while (signal === seen) {
    Atomics.wait(ctrl, ${SIGNAL}, seen);
    signal = Atomics.load(ctrl, ${SIGNAL});
  }
  seen = signal;
  // A signal for 0 threads is a wake-up call (the host is about to post a job): poll again.
  const threads = signal & 255;
  if (tid < threads) {
    try { run(job, tid); } catch { Atomics.store(ctrl, ${ERROR}, 1); }
    if (Atomics.add(ctrl, ${DONE}, 1) + 1 === threads - 1) Atomics.notify(ctrl, ${DONE});
  }
}
`;
