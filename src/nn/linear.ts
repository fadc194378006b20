import { ShapeError, ValueError } from '../errors.js';
import { linear } from '../ops/linear.js';
import type { Generator } from '../tensor/random.js';
import { formatShape, sizeOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { defaultWeightAndBias } from './init.js';
import { Module } from './module.js';
import type { LayerShape } from './shapeInference.js';

/**
 * A fully connected layer y = x·Wᵀ + b over the last dimension, weight [out, in] as in PyTorch.
 *
 * @example
 * import { nn, randn } from 'waldo';
 * new nn.Linear(400, 120).call(randn([64, 400])).shape; // [64, 120]
 */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, options: { bias?: boolean; generator?: Generator } = {}) {
    super();
    for (const [name, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new ValueError(`Linear: ${name} must be a positive integer, got ${v}`);
    }
    const init = defaultWeightAndBias([outFeatures, inFeatures], options.bias === false ? null : outFeatures, options.generator);
    this.weight = this.registerParameter('weight', init.weight)!;
    this.bias = this.registerParameter('bias', init.bias);
  }

  forward(x: Tensor): Tensor {
    if (x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new ShapeError(`Linear(${this.inFeatures}, ${this.outFeatures}): input ${formatShape(x.shape)} must end in ${this.inFeatures} features (weight ${formatShape(this.weight.shape)})`);
    }
    return linear(x, this.weight, this.bias);
  }

  override describe(inputShape: readonly number[], path: string): LayerShape {
    if (inputShape[inputShape.length - 1] !== this.inFeatures) {
      throw new ShapeError(`${path} (Linear): input ${formatShape(inputShape)} must end in ${this.inFeatures} features, got ${inputShape[inputShape.length - 1]}`);
    }
    const outputShape = [...inputShape.slice(0, -1), this.outFeatures];
    return { outputShape, macs: sizeOf(inputShape) * this.outFeatures, global: true };
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias === null ? 'False' : 'True'}`;
  }
}
