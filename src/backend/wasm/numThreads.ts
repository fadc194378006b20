import { ValueError } from '../../errors.js';
import { envVar, nodeBuiltin } from './host.js';

let chosen: number | null = null;

function checkCount(n: number, where: string): number {
  if (!Number.isInteger(n) || n < 1) throw new ValueError(`${where}: the thread count must be a positive integer, got ${n}`);
  return n;
}

function hardwareThreads(): number {
  const os = nodeBuiltin<typeof import('node:os')>('node:os');
  if (os !== null) return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof cores === 'number' && cores >= 1 ? cores : 1;
}

/**
 * Sets how many threads the wasm backend's kernels use (the caller's thread included), for backends
 * created without an explicit `threads` option. Like `torch.set_num_threads`.
 *
 * @example
 * import { setNumThreads, getNumThreads } from 'waldo';
 * setNumThreads(1); // kernels run on the calling thread only
 * getNumThreads(); // 1
 */
export function setNumThreads(n: number): void {
  chosen = checkCount(n, 'setNumThreads');
}

/**
 * The thread count kernels use: the last setNumThreads(), else the WALDO_THREADS environment
 * variable, else every core (os.availableParallelism() in Node, navigator.hardwareConcurrency in browsers).
 *
 * @example
 * import { getNumThreads } from 'waldo';
 * getNumThreads(); // 2 on a two-core machine
 */
export function getNumThreads(): number {
  if (chosen !== null) return chosen;
  const env = envVar('WALDO_THREADS');
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1) throw new ValueError(`WALDO_THREADS must be a positive integer, got '${env}'`);
    return n;
  }
  return hardwareThreads();
}

export { checkCount as checkThreadCount };
