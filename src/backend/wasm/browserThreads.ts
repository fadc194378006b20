import { sharedMemoryPool } from './pool.js';
import type { ThreadPool, ThreadPoolSetup } from './threads.js';
import { WORKER_LOOP, WORKER_SPIN_MS } from './workerLoop.js';

// The first message carries the module and the shared memory; the worker then runs the job loop.
const workerSource = `self.onmessage = (event) => {
  self.onmessage = null;
  const { module, memory, control, job, tid, spinMs } = event.data;
  ${WORKER_LOOP}
};`;

interface WorkerLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'error', listener: () => void): void;
}

/**
 * Web Workers sharing the backend's memory, for pages that are cross-origin isolated (SharedArrayBuffer
 * needs the COOP/COEP headers). Workers start asynchronously: until they report ready the kernels run
 * on the calling thread, so a page never blocks waiting for them. Kernel calls block with Atomics.wait,
 * which browsers allow in workers only — run waldo in a Web Worker, as the playground does.
 */
export function createBrowserThreadPool(setup: ThreadPoolSetup): ThreadPool | null {
  const scope = globalThis as { Worker?: new (url: string) => WorkerLike; Blob?: typeof Blob; URL?: typeof URL; crossOriginIsolated?: boolean };
  if (scope.Worker === undefined || scope.Blob === undefined || scope.URL?.createObjectURL === undefined || scope.crossOriginIsolated === false) return null;
  // Atomics.wait throws on a browser's main thread; there the kernels stay single-threaded.
  if (typeof (globalThis as { document?: unknown }).document !== 'undefined') return null;
  const url = scope.URL.createObjectURL(new scope.Blob([workerSource], { type: 'text/javascript' }));
  return sharedMemoryPool(setup, (tid) => {
    const worker = new scope.Worker!(url);
    worker.addEventListener('error', () => undefined);
    worker.postMessage({ module: setup.module, memory: setup.memory, control: setup.control, job: setup.job, tid, spinMs: WORKER_SPIN_MS });
  });
}
