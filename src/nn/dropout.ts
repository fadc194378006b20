import { ValueError } from '../errors.js';
import { dropout } from '../ops/dropout.js';
import type { Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';
import type { LayerShape } from './shapeInference.js';

/**
 * Zeroes elements with probability p in training mode (scaling the rest by 1/(1−p)); identity in eval mode.
 *
 * @example
 * import { nn, ones, Generator } from 'waldo';
 * const drop = new nn.Dropout(0.5, new Generator(1));
 * drop.call(ones([4])).toArray(); // each element 0 or 2
 * drop.eval().call(ones([4])).toArray(); // [1, 1, 1, 1]
 */
export class Dropout extends Module {
  constructor(readonly p = 0.5, private readonly generator?: Generator) {
    super();
    if (!(p >= 0 && p <= 1)) throw new ValueError(`Dropout: p must lie in [0, 1], got ${p}`);
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, this.generator);
  }

  override describe(inputShape: readonly number[]): LayerShape {
    return { outputShape: [...inputShape], macs: 0 };
  }

  override extraRepr(): string {
    return `p=${this.p}, inplace=False`;
  }
}
