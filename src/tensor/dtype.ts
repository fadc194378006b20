import { primeNativeHeap } from './nativeHeap.js';
import { noteAllocation, reuse } from './recycle.js';

/** Element types a tensor can hold. float64 exists for gradient checks; int32 for class labels and indices. */
export type DType = 'float32' | 'float64' | 'int32';

export type TypedArray = Float32Array | Float64Array | Int32Array;

/** Allocates a zero-filled buffer of `size` elements of `dtype` (float32: a recycled one when there is one). */
export function allocate(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'float32': {
      primeNativeHeap();
      const data = reuse(size) ?? new Float32Array(size);
      noteAllocation(data);
      return data;
    }
    case 'float64': return new Float64Array(size);
    case 'int32': return new Int32Array(size);
  }
}

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
