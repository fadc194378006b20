/**
 * The fixed layout of the backend's wasm memory, shared by the host code and every worker:
 *
 *   [0, 1024)            unused (address 0 stays null)
 *   [CONTROL, +64)       thread control block, Int32 words (see nodeThreads.ts)
 *   [JOB, +256)          the current job: kernel id, thread count, scratch base, scratch per thread, arguments
 *   [ARENA_BASE, …)      per-call arena: copies of the inputs, the outputs, per-thread scratch
 *
 * Kernel ids and the job word order must match assembly/index.ts.
 */
export const CONTROL = 1024;
export const CONTROL_WORDS = 16;
export const JOB = 1088;
export const JOB_WORDS = 64;
/** The job block's last words: counters the threads claim chunks of work from (assembly/partition.ts), zeroed per job. */
export const CLAIM_COUNTERS = 4;
/**
 * The two words before them, zeroed per job too: how many chunks the job's threads claimed, and how
 * many of those the calling thread did (assembly/partition.ts).
 */
export const CLAIM_TALLY = JOB_WORDS - CLAIM_COUNTERS - 2;
export const ARENA_BASE = 65536;

export const PAGE_BYTES = 65536;

export const Kernel = {
  matmul: 1,
  convForward: 2,
  convBackwardData: 3,
  convBackwardWeight: 4,
  maxPoolForward: 5,
  maxPoolBackward: 6,
  avgPoolForward: 7,
  avgPoolBackward: 8,
  channelMoments: 9,
  channelDots: 10,
  channelAffine: 11,
  reluForward: 12,
  reluBackward: 13,
  channelReluMask: 14,
} as const;
