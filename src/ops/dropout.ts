/**
 * Inverted dropout: in training each element is zeroed with probability p and the survivors are
 * scaled by 1/(1 − p), so evaluation (which passes x through unchanged) needs no rescaling.
 */
import { record } from '../autograd/node.js';
import { ValueError } from '../errors.js';
import { allocate } from '../tensor/dtype.js';
import { type Generator, defaultGenerator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { checkFloat } from './convGeometry.js';

/**
 * Zeroes each element with probability p while training and scales the others by 1/(1 − p), as PyTorch's dropout.
 *
 * @example
 * import { functional as F, ones, Generator } from 'waldo';
 * F.dropout(ones([4]), 0.5, true, new Generator(1)).toArray(); // each element 0 or 2
 * F.dropout(ones([4]), 0.5, false).toArray(); // [1, 1, 1, 1]: the identity outside training
 */
export function dropout(x: Tensor, p = 0.5, training = true, generator: Generator = defaultGenerator): Tensor {
  if (!(p >= 0 && p <= 1)) throw new ValueError(`dropout: probability p must lie in [0, 1], got ${p}`);
  checkFloat('dropout', 'input', x);
  if (!training || p === 0) return x;
  const scale = p === 1 ? 0 : 1 / (1 - p);
  const mask = allocate(x.dtype, x.numel());
  for (let i = 0; i < mask.length; i++) mask[i] = generator.uniform() < p ? 0 : scale;
  const X = x.data;
  const Y = allocate(x.dtype, X.length);
  for (let i = 0; i < X.length; i++) Y[i] = X[i] * mask[i];
  return record(new Tensor(Y, x.shape), 'dropout', [x], (gradOut) => {
    const G = gradOut.data;
    const dx = allocate(x.dtype, X.length);
    for (let i = 0; i < X.length; i++) dx[i] = G[i] * mask[i];
    return [new Tensor(dx, x.shape)];
  });
}
