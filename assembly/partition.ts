// Work splitting: a task's work is `units` independent items of `len` positions each (images ×
// columns, planes × channels…), flattened, and cut into ranges whose cuts inside an item are moved
// to a multiple of `align` so threads get whole micro-tiles.
//
// With one thread the range is all of it. With several, the work is cut into CHUNKS_PER_THREAD
// chunks per thread and each thread claims the next unclaimed chunk from a counter in the job block
// until none is left. A static split (thread t takes the t-th of nth ranges) made every job wait for
// its slowest thread, and on a 2-core machine a thread is often the slow one for reasons outside the
// kernel: a worker woken late, or V8's concurrent garbage collector taking its core (with fresh
// output arrays, 2 threads ran S4 at 1.0 ms against 0.53 ms with V8's GC kept on the main thread).
// Which thread computes a chunk never changes a value: every kernel finishes an output's whole sum
// inside one segment, so results stay the same bits at any thread count.

/**
 * Chunks per thread: enough for the early thread to take over a late one's share, few enough that
 * per-chunk setup (a packed panel) stays small. Kernels whose setup is a pass over their inputs
 * (the weight gradients pad every image of a chunk) ask for one: a late thread's chunk is still
 * taken over, and a prompt one gets the static share.
 */
export const CHUNKS_PER_THREAD: i32 = 4;
/** Claim counters in the job block (one per beginSegments call of a job); the host zeroes them. */
export const CLAIM_COUNTERS: i32 = 4;
/**
 * Two words before the claim counters, also zeroed by the host: the chunks claimed in the job, and
 * those the calling thread (tid 0) claimed. The host reads how much of the work its workers did, to
 * stop waking them when they get no core (layout.ts CLAIM_TALLY).
 */
const TALLY_BYTES: usize = 8;

/** Flat start of thread t's range (t = nth gives the end). */
export function splitPoint(t: i32, nth: i32, units: i32, len: i32, align: i32): i64 {
  const total = <i64>units * <i64>len;
  if (t >= nth) return total;
  const v = total * <i64>t / <i64>nth;
  const u = v / <i64>len;
  let p = v - u * <i64>len;
  p = min<i64>(<i64>len, (p + <i64>align - 1) / <i64>align * <i64>align);
  return u * <i64>len + p;
}

// The current segment, set by nextSegment(): item `segUnit`, positions [segLo, segHi).
export let segUnit: i32 = 0;
export let segLo: i32 = 0;
export let segHi: i32 = 0;
let segPos: i64 = 0;
let segEnd: i64 = 0;
let segLen: i32 = 1;
let segUnits: i32 = 0;
let segAlign: i32 = 1;
// Dynamic claiming: the counter of the current beginSegments call (0: a static range), the chunk count.
let claimAt: usize = 0;
let chunkCount: i32 = 0;
// The job's claim counters, and how many beginSegments calls this thread has made in the job.
let claims: usize = 0;
let phase: i32 = 0;
// The job's tally words (see TALLY_BYTES), and whether this thread is the calling one.
let tally: usize = 0;
let isCaller: bool = false;

/** Called once per job and thread, before the kernel: `counters` is the job's CLAIM_COUNTERS words. */
export function beginJob(counters: usize, tid: i32): void {
  claims = counters;
  phase = 0;
  tally = counters - TALLY_BYTES;
  isCaller = tid == 0;
}

/**
 * Starts walking the work thread tid takes part in. Every thread of a job makes the same sequence of
 * calls, so the k-th call of each uses the job's k-th counter (past the last one: a static split).
 */
export function beginSegments(tid: i32, nth: i32, units: i32, len: i32, align: i32, chunksPerThread: i32 = CHUNKS_PER_THREAD): void {
  segLen = len;
  segUnits = units;
  segAlign = align;
  if (nth > 1 && claims != 0 && phase < CLAIM_COUNTERS) {
    claimAt = claims + (<usize>phase << 2);
    chunkCount = nth * chunksPerThread;
    segPos = 0;
    segEnd = 0;
  } else {
    claimAt = 0;
    segPos = splitPoint(tid, nth, units, len, align);
    segEnd = splitPoint(tid + 1, nth, units, len, align);
  }
  phase++;
}

/** Advances to the next non-empty segment (claiming a chunk when the last is used up); false when no work is left. */
export function nextSegment(): bool {
  if (segLen <= 0) return false;
  while (segPos >= segEnd) {
    if (claimAt == 0) return false;
    const k = atomic.add<i32>(claimAt, 1);
    if (k >= chunkCount) return false;
    atomic.add<i32>(tally, 1);
    if (isCaller) store<i32>(tally, load<i32>(tally, 4) + 1, 4);
    segPos = splitPoint(k, chunkCount, segUnits, segLen, segAlign);
    segEnd = splitPoint(k + 1, chunkCount, segUnits, segLen, segAlign);
  }
  const u = segPos / <i64>segLen;
  const itemStart = u * <i64>segLen;
  const stop = min<i64>(segEnd, itemStart + <i64>segLen);
  segUnit = <i32>u;
  segLo = <i32>(segPos - itemStart);
  segHi = <i32>(stop - itemStart);
  segPos = stop;
  return true;
}
