import { ShapeError } from '../errors.js';
import { formatShape, normalizeDim, sizeOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';
import type { LayerShape } from './shapeInference.js';

/**
 * Flattens dims startDim..endDim into one (default 1..−1: keep the batch, flatten the rest), as PyTorch's Flatten.
 *
 * @example
 * import { nn, randn } from 'waldo';
 * new nn.Flatten().call(randn([8, 16, 5, 5])).shape; // [8, 400]
 */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }

  override describe(inputShape: readonly number[], path: string): LayerShape {
    let start: number;
    let end: number;
    try {
      start = normalizeDim(this.startDim, inputShape.length, 'Flatten');
      end = normalizeDim(this.endDim, inputShape.length, 'Flatten');
    } catch {
      throw new ShapeError(`${path} (Flatten): dims ${this.startDim}..${this.endDim} do not fit input ${formatShape(inputShape)}`);
    }
    const outputShape = [...inputShape.slice(0, start), sizeOf(inputShape.slice(start, end + 1)), ...inputShape.slice(end + 1)];
    return { outputShape, macs: 0, global: true };
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}
