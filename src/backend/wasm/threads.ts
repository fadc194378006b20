import { isNode } from './host.js';
import { createBrowserThreadPool } from './browserThreads.js';
import { createNodeThreadPool } from './nodeThreads.js';

/**
 * Worker threads that run shares of a kernel job on their own instances of the kernel module, all
 * on the backend's one shared memory. The calling thread takes share 0 and blocks until every share
 * is done, so kernel calls stay synchronous.
 *
 * Node implements this with worker_threads; a browser implementation (Web Workers, which need a
 * cross-origin-isolated page for shared memory) plugs in through the same interface.
 */
export interface ThreadPool {
  /**
   * Makes sure `workers` workers exist (starting them on first use) and returns how many are ready
   * to take shares: all of them, or 0 while they start or if they failed to. Waits at most `waitMs`.
   */
  ready(workers: number, waitMs: number): number;
  /**
   * Tells sleeping workers a job is coming, so they are awake by the time it is posted (called
   * before the inputs are copied in; waking takes longer than most copies).
   */
  wake(): void;
  /** Runs a job on `threads` threads: `own()` here as share 0, shares 1 … threads−1 on workers. */
  run(threads: number, own: () => void): void;
}

export interface ThreadPoolSetup {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Address of the control block (CONTROL_WORDS Int32 words). */
  control: number;
  /** Address of the job block that workers pass to the module's run(job, tid). */
  job: number;
}

/** The thread pool for this platform, or null where kernels run on the calling thread only. */
export function createThreadPool(setup: ThreadPoolSetup): ThreadPool | null {
  return isNode ? createNodeThreadPool(setup) : createBrowserThreadPool(setup);
}
