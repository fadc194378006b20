/**
 * The fully connected layer as a function: y = x·Wᵀ + b with PyTorch's [out, in] weight layout.
 * All leading dimensions of x are batch dimensions: they are folded into the rows of one matrix
 * product, so the backend runs one GEMM per pass instead of one per example.
 */
import { record } from '../autograd/node.js';
import { backendFor } from '../backend/index.js';
import type { FloatArray, MatmulGeometry } from '../backend/backend.js';
import { ShapeError } from '../errors.js';
import { allocate, allocateForOverwrite } from '../tensor/dtype.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { checkFloat, floatData } from './convGeometry.js';

function product(g: MatmulGeometry, dtype: 'float32' | 'float64', a: FloatArray, b: FloatArray): FloatArray {
  const out = allocateForOverwrite(dtype, g.batch * g.m * g.n) as FloatArray;
  backendFor(dtype).matmul(g, a, b, out);
  return out;
}

function gemm(m: number, k: number, n: number, transA: boolean, transB: boolean): MatmulGeometry {
  return { batch: 1, m, k, n, transA, transB, batchA: 1, batchB: 1 };
}

/**
 * y[..., o] = Σ_i x[..., i] · w[o, i] + b[o], for x [..., in], w [out, in], b [out] or null.
 *
 * @example
 * import { functional as F, tensor } from 'waldo';
 * F.linear(tensor([1, 2], [1, 2]), tensor([1, 0, 0, 1, 1, 1], [3, 2]), tensor([0, 0, 10], [3])).toArray(); // [1, 2, 13]
 */
export function linear(x: Tensor, w: Tensor, b: Tensor | null = null): Tensor {
  checkFloat('linear', 'input', x);
  checkFloat('linear', 'weight', w);
  if (w.ndim !== 2) throw new ShapeError(`linear: weight must be 2-D [out, in], got ${formatShape(w.shape)}`);
  const [outFeatures, inFeatures] = w.shape;
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inFeatures) {
    throw new ShapeError(`linear: input ${formatShape(x.shape)} must end in ${inFeatures} features to match weight ${formatShape(w.shape)} [out, in]`);
  }
  if (b !== null && (b.ndim !== 1 || b.shape[0] !== outFeatures)) {
    throw new ShapeError(`linear: bias ${formatShape(b.shape)} must be [${outFeatures}] to match weight ${formatShape(w.shape)}`);
  }
  if (x.dtype !== w.dtype || (b !== null && b.dtype !== w.dtype)) {
    throw new ShapeError(`linear: input (${x.dtype}), weight (${w.dtype}) and bias must share a dtype`);
  }
  const dtype = x.dtype as 'float32' | 'float64';
  const rows = x.numel() / inFeatures;
  const outShape = [...x.shape.slice(0, -1), outFeatures];
  const X = floatData(x);
  const W = floatData(w);
  const y = product(gemm(rows, inFeatures, outFeatures, false, true), dtype, X, W);
  if (b !== null) {
    const B = b.data;
    for (let r = 0; r < rows; r++) for (let o = 0; o < outFeatures; o++) y[r * outFeatures + o] += B[o];
  }
  const inputs = b === null ? [x, w] : [x, w, b];
  return record(new Tensor(y, outShape), 'linear', inputs, (gradOut) => {
    const dY = floatData(gradOut);
    // dX = dY·W, dW = dYᵀ·X, db = Σ_rows dY.
    const dx = x.requiresGrad ? new Tensor(product(gemm(rows, outFeatures, inFeatures, false, false), dtype, dY, W), x.shape) : null;
    const dw = w.requiresGrad ? new Tensor(product(gemm(outFeatures, rows, inFeatures, true, false), dtype, dY, X), w.shape) : null;
    let db: Tensor | null = null;
    if (b !== null && b.requiresGrad) {
      const sums = allocate(dtype, outFeatures);
      for (let r = 0; r < rows; r++) for (let o = 0; o < outFeatures; o++) sums[o] += dY[r * outFeatures + o];
      db = new Tensor(sums, b.shape);
    }
    return b === null ? [dx, dw] : [dx, dw, db];
  });
}
