import { primeNativeHeap } from './nativeHeap.js';
import { noteAllocation, reuse } from './recycle.js';

/** Element types a tensor can hold. float64 exists for gradient checks; int32 for class labels and indices. */
export type DType = 'float32' | 'float64' | 'int32';

export type TypedArray = Float32Array | Float64Array | Int32Array;

/** Allocates a zero-filled buffer of `size` elements of `dtype` (float32: a recycled one when there is one). */
export function allocate(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'float32': {
      primeNativeHeap(size * 4);
      const data = reuse(size) ?? new Float32Array(size);
      noteAllocation(data);
      return data;
    }
    case 'float64': return new Float64Array(size);
    case 'int32': return new Int32Array(size);
  }
}

/**
 * Like allocate, for a buffer its caller overwrites in full before anything reads it: a backend
 * kernel's output (every kernel of the Backend interface overwrites its outputs). Large float32
 * buffers then skip zeroing: glibc hands a freed block back as it was, so a zero-filled one costs an
 * extra pass of stores over the whole buffer (about 0.08 ms for S4's 1.6 MB output, a tenth of
 * that layer's time). In Node this is Buffer.allocUnsafeSlow's own ArrayBuffer, the whole of it;
 * elsewhere, and for small sizes, a zero-filled array as allocate gives.
 */
export function allocateForOverwrite(dtype: DType, size: number): TypedArray {
  if (dtype !== 'float32' || size < UNFILLED_MIN_FLOATS || unsafeBytes === null) return allocate(dtype, size);
  primeNativeHeap(size * 4);
  const data = reuse(size, false) ?? new Float32Array(unsafeBytes(size * 4).buffer, 0, size);
  noteAllocation(data);
  return data;
}

/** Below this, zeroing costs less than the call that avoids it. */
const UNFILLED_MIN_FLOATS = 4096;

/** Node's Buffer.allocUnsafeSlow (a new ArrayBuffer of exactly that many bytes, not zeroed), or null elsewhere. */
const unsafeBytes: ((bytes: number) => { buffer: ArrayBuffer }) | null = (() => {
  const nodeBuffer = (globalThis as { Buffer?: { allocUnsafeSlow?: (bytes: number) => { buffer: ArrayBuffer } } }).Buffer;
  return typeof nodeBuffer?.allocUnsafeSlow === 'function' ? (bytes: number) => nodeBuffer.allocUnsafeSlow!(bytes) : null;
})();

/** The dtype whose typed array this is. */
export function dtypeOf(data: TypedArray): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  return 'int32';
}

export function isFloating(dtype: DType): boolean {
  return dtype !== 'int32';
}

const rank: Record<DType, number> = { int32: 0, float32: 1, float64: 2 };

/** Type promotion of two tensors, as PyTorch: int32 < float32 < float64. */
export function promote(a: DType, b: DType): DType {
  return rank[a] >= rank[b] ? a : b;
}
