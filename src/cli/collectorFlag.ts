/**
 * Which `waldo` runs go to a child Node process started with --single-threaded-gc.
 *
 * V8 collects garbage partly on helper threads of its own. A training step frees tens of megabytes
 * of activations, so those threads run often, and on a 2-core machine they take a core from
 * waldo's worker thread in the middle of a kernel, whose other half then waits. With the collector
 * kept on the main thread, one Fashion-MNIST epoch of `waldo train --model small-cnn` took 98.5 s
 * instead of 104.7 s, with the same accuracy, and a small-cnn training step at 2 threads 93.7 ms
 * instead of 97.7 ms on average (bench/trainSteps.ts, three runs each). V8 takes the flag only at start-up
 * (v8.setFlagsFromString on a running process crashed it), hence the child process.
 */

/** The commands that run kernels for long enough to gain from it: training and evaluation. */
const LONG_RUNNING = new Set(['train', 'eval', 'signals']);

export const COLLECTOR_FLAG = '--single-threaded-gc';

/**
 * The Node arguments of the child process to run this command in, or null to run it here: when the
 * command is a long-running one, this process lacks the flag, and WALDO_GC is not 'concurrent'
 * (the opt-out, for comparisons).
 */
export function relaunchArguments(execArgv: readonly string[], script: string, args: readonly string[], env: Record<string, string | undefined>): string[] | null {
  if (!LONG_RUNNING.has(args[0] ?? '') || args.includes('--help') || args.includes('-h')) return null;
  if (execArgv.includes(COLLECTOR_FLAG) || env.WALDO_GC === 'concurrent') return null;
  return [...execArgv, COLLECTOR_FLAG, script, ...args];
}
