import { nodeBuiltin } from './host.js';
import { sharedMemoryPool } from './pool.js';
import type { ThreadPool, ThreadPoolSetup } from './threads.js';
import { WORKER_LOOP, WORKER_SPIN_MS } from './workerLoop.js';

// Evaluated source, so it needs no file of its own in a bundle; valid as a script and as a module,
// because workers inherit flags such as --input-type=module that make Node evaluate it as one.
const workerSource = `
const { workerData } = typeof require === 'function' ? require('node:worker_threads') : process.getBuiltinModule('node:worker_threads');
const { module, memory, control, job, tid, spinMs } = workerData;
${WORKER_LOOP}`;

/**
 * worker_threads workers polling and then blocked in Atomics.wait between jobs. They are unref()ed, so they never keep
 * the process alive: when the user's work is done, Node exits and ends them.
 */
export function createNodeThreadPool(setup: ThreadPoolSetup): ThreadPool | null {
  const workerThreads = nodeBuiltin<typeof import('node:worker_threads')>('node:worker_threads');
  if (workerThreads === null) return null;
  const { Worker } = workerThreads;
  return sharedMemoryPool(setup, (tid) => {
    const worker = new Worker(workerSource, {
      eval: true,
      workerData: { module: setup.module, memory: setup.memory, control: setup.control, job: setup.job, tid, spinMs: WORKER_SPIN_MS },
    });
    // A worker that dies is counted as failed; the error must not become an uncaught exception here.
    worker.on('error', () => undefined);
    worker.unref();
  });
}
