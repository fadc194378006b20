/**
 * softmax and logSoftmax along one dimension. Both subtract the slice maximum first, so large
 * logits neither overflow nor lose the small probabilities (logSoftmax = x − max − log Σ e^(x−max)).
 */
import { record } from '../autograd/node.js';
import { allocate } from '../tensor/dtype.js';
import { normalizeDim, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { checkFloat } from './convGeometry.js';

/** Calls f(base, stride, length) for every 1-D slice along dim: elements base + r·stride, r < length. */
function forEachSlice(shape: readonly number[], dim: number, f: (base: number, stride: number, length: number) => void): void {
  const outer = sizeOf(shape.slice(0, dim));
  const length = shape[dim];
  const inner = sizeOf(shape.slice(dim + 1));
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) f(o * length * inner + i, inner, length);
}

/** log Σ_r e^(x_r) over one slice, stably. */
function logSumExp(X: ArrayLike<number>, base: number, stride: number, length: number): number {
  let max = -Infinity;
  for (let r = 0; r < length; r++) max = Math.max(max, X[base + r * stride]);
  if (max === -Infinity) return -Infinity;
  let s = 0;
  for (let r = 0; r < length; r++) s += Math.exp(X[base + r * stride] - max);
  return max + Math.log(s);
}

/**
 * e^(x_i) / Σ_j e^(x_j) along `dim`.
 *
 * @example
 * import { functional as F, tensor } from 'waldo';
 * F.softmax(tensor([0, Math.log(3)], [1, 2]), 1).toArray(); // [0.25, 0.75]
 */
export function softmax(x: Tensor, dim: number): Tensor {
  checkFloat('softmax', 'input', x);
  const d = normalizeDim(dim, x.ndim, 'softmax');
  const X = x.data;
  const Y = allocate(x.dtype, X.length);
  forEachSlice(x.shape, d, (base, stride, length) => {
    const lse = logSumExp(X, base, stride, length);
    for (let r = 0; r < length; r++) Y[base + r * stride] = Math.exp(X[base + r * stride] - lse);
  });
  return record(new Tensor(Y, x.shape), 'softmax', [x], (gradOut) => {
    // dx_i = y_i (g_i − Σ_j g_j y_j)
    const G = gradOut.data;
    const dx = allocate(x.dtype, X.length);
    forEachSlice(x.shape, d, (base, stride, length) => {
      let dot = 0;
      for (let r = 0; r < length; r++) dot += G[base + r * stride] * Y[base + r * stride];
      for (let r = 0; r < length; r++) dx[base + r * stride] = Y[base + r * stride] * (G[base + r * stride] - dot);
    });
    return [new Tensor(dx, x.shape)];
  });
}

/**
 * log softmax(x) along `dim`, computed directly (not as log of softmax) so it stays finite.
 *
 * @example
 * import { functional as F, tensor } from 'waldo';
 * F.logSoftmax(tensor([0, 0], [1, 2]), 1).toArray(); // [-0.6931, -0.6931]
 * F.logSoftmax(tensor([0, 1000], [1, 2]), 1).toArray(); // [-1000, 0]: finite where log(softmax) is -Infinity
 */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  checkFloat('logSoftmax', 'input', x);
  const d = normalizeDim(dim, x.ndim, 'logSoftmax');
  const X = x.data;
  const Y = allocate(x.dtype, X.length);
  forEachSlice(x.shape, d, (base, stride, length) => {
    const lse = logSumExp(X, base, stride, length);
    for (let r = 0; r < length; r++) Y[base + r * stride] = X[base + r * stride] - lse;
  });
  return record(new Tensor(Y, x.shape), 'logSoftmax', [x], (gradOut) => {
    // dx_i = g_i − e^(y_i) Σ_j g_j
    const G = gradOut.data;
    const dx = allocate(x.dtype, X.length);
    forEachSlice(x.shape, d, (base, stride, length) => {
      let total = 0;
      for (let r = 0; r < length; r++) total += G[base + r * stride];
      for (let r = 0; r < length; r++) dx[base + r * stride] = G[base + r * stride] - Math.exp(Y[base + r * stride]) * total;
    });
    return [new Tensor(dx, x.shape)];
  });
}
