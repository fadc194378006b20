import { record } from '../autograd/node.js';
import { backendFor } from '../backend/index.js';
import { ShapeError, ValueError } from '../errors.js';
import { allocateForOverwrite, isFloating, promote } from './dtype.js';
import { sumToShape } from './broadcast.js';
import { broadcastShapes, formatShape, sameShape, sizeOf } from './shape.js';
import { Tensor } from './tensor.js';
import { expand, reshape } from './views.js';

/**
 * Matrix product with torch.matmul's rules: 1-D operands are promoted to a row/column and the
 * added dimension removed again; leading (batch) dimensions broadcast.
 *
 * @example
 * import { matmul, tensor, randn } from 'waldo';
 * matmul(tensor([1, 2, 3, 4], [2, 2]), tensor([1, 1], [2])).toArray(); // [3, 7]
 * matmul(randn([10, 3, 4]), randn([4, 5])).shape; // [10, 3, 5]: batch dimensions broadcast
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) throw new ShapeError(`matmul: both operands need at least one dimension, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  if (!isFloating(a.dtype) || !isFloating(b.dtype)) throw new ValueError(`matmul: needs floating-point tensors, got ${a.dtype} and ${b.dtype}`);
  const a2 = a.ndim === 1 ? reshape(a, [1, a.shape[0]]) : a;
  const b2 = b.ndim === 1 ? reshape(b, [b.shape[0], 1]) : b;
  let out = batchedProduct(a2, b2, false, false);
  if (a.ndim === 1) out = reshape(out, out.shape.filter((_, i) => i !== out.ndim - 2));
  if (b.ndim === 1) out = reshape(out, out.shape.slice(0, -1));
  return out;
}

/**
 * op(a)·op(b) over broadcast batch dimensions, with op = transpose of the last two dims when the
 * flag is set (the backward rules use the flags instead of materialising transposes).
 */
function batchedProduct(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  const [am, ak] = transA ? [a.shape[a.ndim - 1], a.shape[a.ndim - 2]] : [a.shape[a.ndim - 2], a.shape[a.ndim - 1]];
  const [bk, bn] = transB ? [b.shape[b.ndim - 1], b.shape[b.ndim - 2]] : [b.shape[b.ndim - 2], b.shape[b.ndim - 1]];
  if (ak !== bk) {
    throw new ShapeError(`matmul: inner dimensions differ: ${formatShape(a.shape)}${transA ? 'ᵀ' : ''} @ ${formatShape(b.shape)}${transB ? 'ᵀ' : ''} (${ak} vs ${bk})`);
  }
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batchShape = broadcastShapes(batchA, batchB, 'matmul');
  const batch = sizeOf(batchShape);
  // An operand whose batch dims match the full batch is read per entry; one with none is shared;
  // anything in between is expanded (copied) to the full batch.
  const aFull = batchA.length === 0 || sameShape(batchA, batchShape) ? a : expand(a, [...batchShape, ...a.shape.slice(-2)]);
  const bFull = batchB.length === 0 || sameShape(batchB, batchShape) ? b : expand(b, [...batchShape, ...b.shape.slice(-2)]);
  const dtype = promote(a.dtype, b.dtype) === 'float64' ? 'float64' : 'float32';
  const aData = aFull.dtype === dtype ? aFull.data : aFull.to(dtype).data;
  const bData = bFull.dtype === dtype ? bFull.data : bFull.to(dtype).data;
  const out = allocateForOverwrite(dtype, batch * am * bn) as Float32Array | Float64Array;
  backendFor(dtype).matmul(
    { batch, m: am, k: ak, n: bn, transA, transB, batchA: aFull.ndim > 2 ? 1 : 0, batchB: bFull.ndim > 2 ? 1 : 0 },
    aData as Float32Array | Float64Array,
    bData as Float32Array | Float64Array,
    out,
  );
  const result = new Tensor(out, [...batchShape, am, bn]);
  return record(result, 'matmul', [a, b], (g) => [
    // d(op(A)) = g·op(B)ᵀ ; d(op(B)) = op(A)ᵀ·g ; a transposed operand gets the transposed product.
    a.requiresGrad ? sumToShape(transA ? batchedProduct(b, g, transB, true) : batchedProduct(g, b, false, !transB), a.shape) : null,
    b.requiresGrad ? sumToShape(transB ? batchedProduct(g, a, true, transA) : batchedProduct(a, g, !transA, false), b.shape) : null,
  ]);
}
