import { CONTROL_WORDS } from './layout.js';
import type { ThreadPool, ThreadPoolSetup } from './threads.js';
import { DONE, ERROR, FAILED, READY, SIGNAL, SPIN } from './workerLoop.js';

/**
 * The host side of the thread pool, the same in Node and browsers: workers are started by
 * `startWorker(tid)` (worker_threads or Web Workers running WORKER_LOOP) and then driven entirely
 * through the control block in shared memory — a job is one store and one notify (so is a wake-up
 * call, a job for no threads), and the caller
 * takes share 0 and waits for the others with Atomics.wait.
 */
export function sharedMemoryPool(setup: ThreadPoolSetup, startWorker: (tid: number) => void): ThreadPool {
  const ctrl = new Int32Array(setup.memory.buffer, setup.control, CONTROL_WORDS);
  let started = 0;
  let sequence = 0;

  /** Posts the next job sequence number for `threads` threads (0: only a wake-up call). */
  function signal(threads: number): void {
    sequence = (sequence + 1) & 0x7fffff;
    Atomics.store(ctrl, SIGNAL, (sequence << 8) | threads);
    Atomics.notify(ctrl, SIGNAL);
  }

  return {
    ready(workers, waitMs) {
      if (workers > 254) workers = 254;
      for (; started < workers; started++) startWorker(started + 1);
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

    wake() {
      signal(0);
    },

    run(threads, own) {
      Atomics.store(ctrl, DONE, 0);
      Atomics.store(ctrl, ERROR, 0);
      signal(threads);
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
