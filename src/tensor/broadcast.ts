import { type DType, allocate } from './dtype.js';
import { broadcastShapes, broadcastStrides, sameShape, sizeOf, stridesOf } from './shape.js';
import { Tensor } from './tensor.js';

/**
 * out[i] = f(a[ia], b[ib]) over the broadcast shape of a and b, in `dtype`.
 * Fast paths for equal shapes and a one-element operand; otherwise an odometer walks
 * the output index and moves each operand's offset by its broadcast strides (0 on broadcast dims).
 */
export function binaryMap(a: Tensor, b: Tensor, op: string, dtype: DType, f: (x: number, y: number) => number): Tensor {
  const A = a.data;
  const B = b.data;
  if (sameShape(a.shape, b.shape)) {
    const out = allocate(dtype, A.length);
    for (let i = 0; i < A.length; i++) out[i] = f(A[i], B[i]);
    return new Tensor(out, a.shape);
  }
  const shape = broadcastShapes(a.shape, b.shape, op);
  const n = sizeOf(shape);
  const out = allocate(dtype, n);
  if (B.length === 1 && sameShape(shape, a.shape)) {
    const y = B[0];
    for (let i = 0; i < n; i++) out[i] = f(A[i], y);
    return new Tensor(out, shape);
  }
  if (A.length === 1 && sameShape(shape, b.shape)) {
    const x = A[0];
    for (let i = 0; i < n; i++) out[i] = f(x, B[i]);
    return new Tensor(out, shape);
  }
  const sa = broadcastStrides(a.shape, shape);
  const sb = broadcastStrides(b.shape, shape);
  const nd = shape.length;
  const last = nd - 1;
  const index = new Array<number>(nd).fill(0);
  let ia = 0;
  let ib = 0;
  // Walk rows of the last dimension in a tight loop; the odometer advances the outer dimensions.
  const rowLength = shape[last];
  const rowStrideA = sa[last];
  const rowStrideB = sb[last];
  for (let start = 0; start < n; start += rowLength) {
    for (let j = 0; j < rowLength; j++) out[start + j] = f(A[ia + j * rowStrideA], B[ib + j * rowStrideB]);
    for (let d = last - 1; d >= 0; d--) {
      index[d]++;
      ia += sa[d];
      ib += sb[d];
      if (index[d] < shape[d]) break;
      ia -= sa[d] * shape[d];
      ib -= sb[d] * shape[d];
      index[d] = 0;
    }
  }
  return new Tensor(out, shape);
}

/** out[i] = f(x[i]) in `dtype` (default: x's dtype). */
export function unaryMap(x: Tensor, f: (v: number) => number, dtype: DType = x.dtype): Tensor {
  const X = x.data;
  const out = allocate(dtype, X.length);
  for (let i = 0; i < X.length; i++) out[i] = f(X[i]);
  return new Tensor(out, x.shape);
}

/**
 * Sums a broadcast gradient back to the shape of the operand it came from: every output element
 * adds into the operand element it was read from (the adjoint of broadcasting).
 */
export function sumToShape(grad: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(grad.shape, shape)) return grad;
  const out = allocate(grad.dtype, sizeOf(shape));
  const strides = broadcastStrides(shape, grad.shape);
  const G = grad.data;
  const nd = grad.shape.length;
  const gradStrides = stridesOf(grad.shape);
  for (let i = 0; i < G.length; i++) {
    let rest = i;
    let offset = 0;
    for (let d = 0; d < nd; d++) {
      const q = Math.floor(rest / gradStrides[d]);
      rest -= q * gradStrides[d];
      offset += q * strides[d];
    }
    out[offset] += G[i];
  }
  return new Tensor(out, shape);
}
