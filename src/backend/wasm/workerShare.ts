/**
 * Whether the worker threads are getting cores, judged by the share of each job's work they claim.
 *
 * Threads claim chunks of a job from a shared counter (assembly/partition.ts), so a worker that
 * runs alongside the calling thread takes about its fair share ((threads − 1) / threads of the
 * chunks), and one that gets no core takes none while the caller computes everything and then
 * waits for it anyway. When the machine's other work leaves waldo one core (measured with
 * `taskset -c 0`), the workers claimed no chunk in any job, and 2-thread calls took 2.5–2.8× as long
 * as 1-thread ones (S2: 1.87 against 0.70 ms): the worker spins for the next job on the core the
 * caller needs. So once the workers' share has stayed near zero for several jobs, kernels run on
 * the calling thread alone for a while (the workers then sleep), and afterwards try threads again,
 * waiting twice as long after each failed try. Results do not depend on the thread count (every
 * output's sum runs in one order), so this changes only the time.
 */
export interface WorkerShareMonitor {
  /** Whether jobs may use worker threads at time `now` (ms). */
  parallelAllowed(now: number): boolean;
  /** Records a job of `threads` threads whose threads claimed `chunks` chunks, `callerChunks` of them the calling thread. */
  record(threads: number, chunks: number, callerChunks: number, now: number): void;
}

/**
 * Weight of a job in the running score (an exponential moving average over ~16 jobs). With 1/8 and
 * a threshold of 1/4, blocks of 2-thread calls after the process had idled for 25 ms paused the
 * threads: the first calls of such a block find the worker slow to wake and claiming little.
 */
const WEIGHT = 1 / 16;
/** Score (the workers' share over their fair share, averaged) below which they are judged to get no core. */
const STARVED = 0.15;
/** Score a new try starts from: 19 jobs with no worker share end it. */
const TRY_SCORE = 0.5;
/** Score at which a try counts as a success (healthy jobs scored 0.64–1 on the test machine). */
const RECOVERED = 0.6;
const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 8000;

export function createWorkerShareMonitor(): WorkerShareMonitor {
  let score = 1;
  let pausedUntil = -Infinity;
  let backoff = FIRST_BACKOFF_MS;
  let trying = false;

  return {
    parallelAllowed(now) {
      return now >= pausedUntil;
    },
    record(threads, chunks, callerChunks, now) {
      // Jobs that split their work statically, or into one chunk per thread, say little.
      if (threads < 2 || chunks < 2 * threads) return;
      const fair = (threads - 1) / threads;
      const share = Math.min(1, (chunks - callerChunks) / chunks / fair);
      score += WEIGHT * (share - score);
      if (score < STARVED) {
        if (trying) backoff = Math.min(MAX_BACKOFF_MS, 2 * backoff);
        pausedUntil = now + backoff;
        score = TRY_SCORE;
        trying = true;
      } else if (trying && score >= RECOVERED) {
        // A try that has come back to a fair share: the next starvation starts the back-off afresh.
        trying = false;
        backoff = FIRST_BACKOFF_MS;
      }
    },
  };
}
