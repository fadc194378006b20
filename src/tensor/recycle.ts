// Recycling of large float32 buffers that the backward pass has finished with.
//
// A training step allocates megabytes per layer: activations forward, gradients backward. Fresh
// memory from the allocator has to be faulted in page by page, and on the 2-core VMs this project
// runs on a fault costs ~12 µs per 4 KiB: filling a new 8 MiB array took 25 ms against 0.16 ms for
// one in use, and in a small CNN's training step the faults cost about a tenth of the step.
// Gradients that flow between the nodes of the graph are consumed by the backward pass and never
// seen by the caller, so runBackward hands their buffers back here and allocate() reissues them.
//
// Safety rests on rules kept by the backward pass (autograd/backward.ts): only buffers allocated by
// that pass are candidates (never a forward tensor, the caller's gradient, an earlier pass's .grad
// or anything older); a buffer is recycled only once no pending gradient shares it (views share
// buffers), after the rule that consumed it has returned; a leaf's .grad is never recycled.

/** Buffers smaller than this (floats) are left to the allocator: they cost little to fault in. */
const MIN_FLOATS = 1 << 14;
/** Most bytes held for reuse; beyond it, recycled buffers are dropped to the garbage collector. */
const MAX_POOLED_BYTES = 256 << 20;

const pool = new Map<number, Float32Array[]>();
let pooledBytes = 0;
/** The candidate sets of the backward passes running now (innermost last). */
const passes: Set<ArrayBufferLike>[] = [];

/** Runs `fn` (a backward pass) with every large buffer allocate() hands out added to `candidates`. */
export function collectingAllocations<T>(candidates: Set<ArrayBufferLike>, fn: () => T): T {
  passes.push(candidates);
  try {
    return fn();
  } finally {
    passes.pop();
  }
}

/** Called by allocate() for each float32 buffer it hands out. */
export function noteAllocation(data: Float32Array): void {
  if (passes.length > 0 && data.length >= MIN_FLOATS) passes[passes.length - 1]!.add(data.buffer);
}

/** Whether `data` is a whole buffer in `candidates` (allocated by this pass, not reissued since). */
export function isCandidate(data: Float32Array, candidates: Set<ArrayBufferLike>): boolean {
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && candidates.has(data.buffer);
}

/** Takes a dead candidate for reuse. The caller guarantees nothing references its buffer any more. */
export function recycle(data: Float32Array): void {
  if (pooledBytes + data.byteLength > MAX_POOLED_BYTES) return;
  const list = pool.get(data.length);
  if (list === undefined) pool.set(data.length, [data]);
  else list.push(data);
  pooledBytes += data.byteLength;
}

/** A recycled buffer of exactly `size` floats (zero-filled unless `zeroed` is false), or undefined. */
export function reuse(size: number, zeroed = true): Float32Array | undefined {
  if (size < MIN_FLOATS) return undefined;
  const data = pool.get(size)?.pop();
  if (data === undefined) return undefined;
  pooledBytes -= data.byteLength;
  return zeroed ? data.fill(0) : data;
}

/** Drops every pooled buffer (tests, and callers that want the memory back). */
export function clearRecycled(): void {
  pool.clear();
  pooledBytes = 0;
}

/** Whether `buffer` is held for reuse now (for tests: nothing live may be). */
export function isPooled(buffer: ArrayBufferLike): boolean {
  for (const list of pool.values()) if (list.some((d) => d.buffer === buffer)) return true;
  return false;
}

/** Bytes held for reuse now. */
export function recycledBytes(): number {
  return pooledBytes;
}
