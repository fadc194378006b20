/**
 * Loss functions with PyTorch's reductions ('mean' default, 'sum', 'none').
 * Class targets are int32 tensors of indices; a float tensor as labels is refused, because
 * PyTorch would read it as class probabilities and waldo does not support that form.
 */
import { record } from '../autograd/node.js';
import { ShapeError, ValueError } from '../errors.js';
import { allocate } from '../tensor/dtype.js';
import { formatShape, sameShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { checkFloat } from './convGeometry.js';
import { logSoftmax } from './softmax.js';

export type Reduction = 'mean' | 'sum' | 'none';

export interface CrossEntropyOptions {
  /** Mixes the one-hot target with the uniform distribution: target = (1 − ε)·onehot + ε/C. Default 0. */
  labelSmoothing?: number;
  reduction?: Reduction;
}

function checkReduction(op: string, reduction: string): Reduction {
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new ValueError(`${op}: reduction must be 'mean', 'sum' or 'none', got '${reduction}'`);
  }
  return reduction;
}

/** Applies a reduction to per-element losses (recorded, so the gradient flows). */
function reduce(losses: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'none') return losses;
  return reduction === 'sum' ? losses.sum() : losses.mean();
}

/**
 * Checks logits [N, C] (or [C]) against int32 targets [N] (or []) with values in 0..C−1 and
 * returns (N, C).
 */
function checkClassTargets(op: string, input: Tensor, target: Tensor): { n: number; c: number } {
  checkFloat(op, 'input', input);
  if (target.dtype !== 'int32') {
    throw new ValueError(`${op}: target must be int32 class indices, got a ${target.dtype} tensor ${formatShape(target.shape)}; convert labels with .to('int32')`);
  }
  if (input.ndim !== 1 && input.ndim !== 2) throw new ShapeError(`${op}: input must be [N, C] (or [C]), got ${formatShape(input.shape)}`);
  const n = input.ndim === 2 ? input.shape[0] : 1;
  const c = input.shape[input.ndim - 1];
  const expected = input.ndim === 2 ? [n] : [];
  if (!sameShape(target.shape, expected)) {
    throw new ShapeError(`${op}: target ${formatShape(target.shape)} must be ${formatShape(expected)} for input ${formatShape(input.shape)}`);
  }
  const T = target.data;
  for (let i = 0; i < T.length; i++) {
    if (T[i] < 0 || T[i] >= c) throw new ValueError(`${op}: target ${T[i]} at index ${i} is out of range for ${c} classes (0..${c - 1})`);
  }
  return { n, c };
}

/**
 * The negative log-likelihood of class targets under log-probabilities [N, C]:
 * loss_i = −input[i, target_i].
 *
 * @example
 * import { functional as F, tensor } from 'waldo';
 * const logProbs = F.logSoftmax(tensor([1, 2, 3, 1, 2, 3], [2, 3]), 1);
 * F.nllLoss(logProbs, tensor([2, 0], [2], { dtype: 'int32' })).item(); // the same as crossEntropy on the logits
 */
export function nllLoss(logProbs: Tensor, target: Tensor, { reduction = 'mean' }: { reduction?: Reduction } = {}): Tensor {
  const red = checkReduction('nllLoss', reduction);
  const { n, c } = checkClassTargets('nllLoss', logProbs, target);
  const L = logProbs.data;
  const T = target.data;
  const losses = allocate(logProbs.dtype, n);
  for (let i = 0; i < n; i++) losses[i] = -L[i * c + T[i]];
  const perExample = record(new Tensor(losses, logProbs.ndim === 2 ? [n] : []), 'nllLoss', [logProbs], (gradOut) => {
    const G = gradOut.data;
    const dx = allocate(logProbs.dtype, n * c);
    for (let i = 0; i < n; i++) dx[i * c + T[i]] = -G[i];
    return [new Tensor(dx, logProbs.shape)];
  });
  return reduce(perExample, red);
}

/**
 * Softmax cross-entropy of logits [N, C] against int32 class indices [N]:
 * loss_i = −Σ_c q_ic log softmax(x_i)_c with q = (1 − ε)·onehot(target_i) + ε/C.
 *
 * @example
 * import { functional as F, tensor } from 'waldo';
 * F.crossEntropy(tensor([0, 0], [1, 2]), tensor([1], [1], { dtype: 'int32' })).item(); // ln 2 ≈ 0.693
 * F.crossEntropy(tensor([2, 0], [1, 2]), tensor([0], [1], { dtype: 'int32' }), { labelSmoothing: 0.1 }).item();
 */
export function crossEntropy(logits: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const { labelSmoothing = 0, reduction = 'mean' } = options;
  const red = checkReduction('crossEntropy', reduction);
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) throw new ValueError(`crossEntropy: labelSmoothing must lie in [0, 1], got ${labelSmoothing}`);
  const { n, c } = checkClassTargets('crossEntropy', logits, target);
  const logProbs = logSoftmax(logits, -1);
  const P = logProbs.data;
  const T = target.data;
  const hot = 1 - labelSmoothing;
  const spread = labelSmoothing / c;
  const losses = allocate(logits.dtype, n);
  for (let i = 0; i < n; i++) {
    let s = hot * P[i * c + T[i]];
    if (spread !== 0) for (let k = 0; k < c; k++) s += spread * P[i * c + k];
    losses[i] = -s;
  }
  const perExample = record(new Tensor(losses, logits.ndim === 2 ? [n] : []), 'crossEntropy', [logProbs], (gradOut) => {
    const G = gradOut.data;
    const d = allocate(logits.dtype, n * c);
    for (let i = 0; i < n; i++) {
      if (spread !== 0) for (let k = 0; k < c; k++) d[i * c + k] = -spread * G[i];
      d[i * c + T[i]] -= hot * G[i];
    }
    return [new Tensor(d, logits.shape)];
  });
  return reduce(perExample, red);
}

function checkPair(op: string, a: Tensor, b: Tensor): void {
  checkFloat(op, 'input', a);
  checkFloat(op, 'target', b);
  if (!sameShape(a.shape, b.shape)) throw new ShapeError(`${op}: input ${formatShape(a.shape)} and target ${formatShape(b.shape)} must have the same shape`);
}

/**
 * (a − b)² per element, reduced.
 *
 * @example
 * import { functional as F, tensor } from 'waldo';
 * F.mseLoss(tensor([1, 2, 3]), tensor([1, 2, 5])).item(); // 4/3
 * F.mseLoss(tensor([1, 2, 3]), tensor([1, 2, 5]), { reduction: 'sum' }).item(); // 4
 */
export function mseLoss(a: Tensor, b: Tensor, { reduction = 'mean' }: { reduction?: Reduction } = {}): Tensor {
  const red = checkReduction('mseLoss', reduction);
  checkPair('mseLoss', a, b);
  const diff = a.sub(b);
  return reduce(diff.mul(diff), red);
}

/**
 * Binary cross-entropy on logits: max(x, 0) − x·y + log(1 + e^−|x|), the stable form of
 * −[y log σ(x) + (1 − y) log(1 − σ(x))]; the gradient is σ(x) − y.
 *
 * @example
 * import { functional as F, tensor } from 'waldo';
 * F.binaryCrossEntropyWithLogits(tensor([0, 0]), tensor([1, 0])).item(); // ln 2 ≈ 0.693
 */
export function binaryCrossEntropyWithLogits(x: Tensor, y: Tensor, { reduction = 'mean' }: { reduction?: Reduction } = {}): Tensor {
  const red = checkReduction('binaryCrossEntropyWithLogits', reduction);
  checkPair('binaryCrossEntropyWithLogits', x, y);
  const X = x.data;
  const Y = y.data;
  const losses = allocate(x.dtype, X.length);
  for (let i = 0; i < X.length; i++) losses[i] = Math.max(X[i], 0) - X[i] * Y[i] + Math.log1p(Math.exp(-Math.abs(X[i])));
  const perElement = record(new Tensor(losses, x.shape), 'binaryCrossEntropyWithLogits', [x, y], (gradOut) => {
    const G = gradOut.data;
    const dx = allocate(x.dtype, X.length);
    const dy = allocate(x.dtype, X.length);
    for (let i = 0; i < X.length; i++) {
      const s = X[i] >= 0 ? 1 / (1 + Math.exp(-X[i])) : Math.exp(X[i]) / (1 + Math.exp(X[i]));
      dx[i] = G[i] * (s - Y[i]);
      dy[i] = -G[i] * X[i];
    }
    return [new Tensor(dx, x.shape), y.requiresGrad ? new Tensor(dy, y.shape) : null];
  });
  return reduce(perElement, red);
}
