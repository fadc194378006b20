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
 */
const PRIMING_BYTES = 31 * 1024 * 1024;

let primed = false;

/** Primes glibc's thresholds once per process (see above); later calls do nothing. */
export function primeNativeHeap(): void {
  if (primed) return;
  primed = true;
  if (!onLinuxNode()) return;
  // Dropped at once: the next garbage collection frees it, which is what moves glibc's thresholds.
  void new ArrayBuffer(PRIMING_BYTES);
}

function onLinuxNode(): boolean {
  const proc = (globalThis as { process?: { platform?: string; versions?: { node?: string } } }).process;
  return proc?.platform === 'linux' && proc.versions?.node !== undefined;
}
