/**
 * Keeps the memory of freed tensors mapped, on Node over glibc.
 *
 * Node takes every ArrayBuffer from glibc's malloc. By default glibc serves buffers above a
 * threshold (128 KiB at start, raised to the largest freed one) with a fresh mmap, and hands the top
 * of its heap back to the kernel once more than twice that threshold lies free there. A training
 * step frees its activations in a batch when V8 collects them, so the next step's outputs land on
 * pages the kernel has to fault in again: on the VM this was measured on, 12–16 µs per 4 KiB page,
 * which made a 1.2 MB convolution output cost 3.5 ms to allocate against 0.5 ms to compute.
 *
 * glibc raises both thresholds itself when a mmapped chunk of up to 32 MiB is freed (its "dynamic
 * mmap threshold"). So this allocates one buffer just under that size and drops it: it is never
 * touched (calloc leaves a fresh mapping alone), and when V8 frees it, glibc keeps buffers below
 * ~31 MiB in its heap and trims the heap only past ~62 MiB free. The effect is that of
 * `GLIBC_TUNABLES=glibc.malloc.mmap_threshold=…`, without re-executing the process. Elsewhere
 * (browsers, macOS, musl, or glibc with the thresholds set by the user) it is a 31 MiB allocation
 * that is never touched and soon freed.
 *
 * "Soon" is not guaranteed: V8 can keep a dropped buffer until its next full collection, which
 * may not come for the rest of the run (seen with TensorFlow.js imported first and
 * --single-threaded-gc: the buffer was never freed, and each 1.6 MB convolution output faulted in
 * all of its 391 pages, 1.3 → 6.0 ms a call). So priming runs again after the process has taken
 * 16 MiB, 128 MiB and 1 GiB of float32 buffers. Each repeat is 128 KiB larger than the last: once
 * the thresholds are up, a buffer of the same size would come from the heap and leave it 31 MiB
 * longer, pages that later buffers fault in once (~0.1 s here); a larger one is still mapped apart
 * and merely unmapped when freed. (Knowing whether a priming buffer was collected would avoid the
 * repeats, but a WeakRef keeps its target alive until the current task ends, a whole synchronous
 * training loop, and a FinalizationRegistry holding it kept the first priming from working at all.)
 */
const PRIMING_BYTES = 31 * 1024 * 1024;
const PRIMING_STEP_BYTES = 128 * 1024;

/** Bytes of float32 buffers allocated so far at which priming runs (the first at the first buffer). */
const PRIMING_POINTS = [0, 16 * 2 ** 20, 128 * 2 ** 20, 2 ** 30];

let allocatedBytes = 0;
let nextPoint = 0;

/**
 * Counts `bytes` about to be allocated, and primes glibc's thresholds at each point above; returns
 * whether this call primed.
 */
export function primeNativeHeap(bytes: number): boolean {
  if (nextPoint >= PRIMING_POINTS.length) return false;
  allocatedBytes += bytes;
  if (allocatedBytes < PRIMING_POINTS[nextPoint]!) return false;
  // Past several points at once (one huge buffer), one priming does for all of them.
  while (nextPoint < PRIMING_POINTS.length && allocatedBytes >= PRIMING_POINTS[nextPoint]!) nextPoint++;
  if (!onLinuxNode()) {
    nextPoint = PRIMING_POINTS.length;
    return false;
  }
  // Dropped at once: the collection that frees it is what moves glibc's thresholds (at most 32 MiB).
  void new ArrayBuffer(PRIMING_BYTES + (nextPoint - 1) * PRIMING_STEP_BYTES);
  return true;
}

function onLinuxNode(): boolean {
  const proc = (globalThis as { process?: { platform?: string; versions?: { node?: string } } }).process;
  return proc?.platform === 'linux' && proc.versions?.node !== undefined;
}
