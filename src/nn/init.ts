/**
 * Parameter initialisation exactly as PyTorch's layers do it, drawn from a seeded generator.
 * Conv and Linear use kaiming_uniform_(a=√5) on the weight, which reduces to U(−1/√fanIn, 1/√fanIn),
 * and the same bound for the bias: fanIn = (weight.shape[1]) · (kernel elements).
 */
import { ValueError } from '../errors.js';
import { type Generator, defaultGenerator } from '../tensor/random.js';
import { sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * PyTorch's fan-in of a weight: size(1) times the product of the kernel dims (size(2), ...).
 *
 * @example
 * import { nn } from 'waldo';
 * nn.fanIn([16, 6, 5, 5]); // 150: a Conv2d(6, 16, 5) weight
 * nn.fanIn([120, 400]); // 400: a Linear(400, 120) weight
 */
export function fanIn(shape: readonly number[]): number {
  if (shape.length < 2) throw new ValueError(`fanIn: a weight needs at least 2 dimensions, got [${shape.join(', ')}]`);
  return shape[1] * sizeOf(shape.slice(2));
}

/** A float32 tensor of independent U(−bound, bound) draws, in row-major order. */
export function uniformTensor(shape: readonly number[], bound: number, generator: Generator = defaultGenerator): Tensor {
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = -bound + 2 * bound * generator.uniform();
  return new Tensor(data, shape);
}

/**
 * The weight and optional bias of a Conv or Linear layer, in PyTorch's draw order (weight first).
 * `biasFanIn` defaults to the weight's fan-in, which is what PyTorch uses.
 *
 * @example
 * import { nn, Generator } from 'waldo';
 * const { weight, bias } = nn.defaultWeightAndBias([120, 400], 120, new Generator(0));
 * weight.shape; // [120, 400], uniform in ±1/√400 as PyTorch's Linear
 */
export function defaultWeightAndBias(
  weightShape: readonly number[],
  biasSize: number | null,
  generator: Generator = defaultGenerator,
): { weight: Tensor; bias: Tensor | null } {
  const fan = fanIn(weightShape);
  const bound = fan > 0 ? 1 / Math.sqrt(fan) : 0;
  const weight = uniformTensor(weightShape, bound, generator);
  const bias = biasSize === null ? null : uniformTensor([biasSize], bound, generator);
  return { weight, bias };
}
