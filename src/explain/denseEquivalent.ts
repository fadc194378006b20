/**
 * What locality and weight sharing save: a layer's parameters next to those of the dense layer
 * that maps the same input to the same output (every output connected to every input, plus a bias).
 */
import { ValueError } from '../errors.js';
import { sizeOf } from '../tensor/shape.js';
import type { Module } from '../nn/module.js';

export interface DenseComparison {
  /** Elements of one example's input and output (batch excluded). */
  inputSize: number;
  outputSize: number;
  /** The layer's own trained parameters. */
  parameters: number;
  /** inputSize · outputSize weights + outputSize biases. */
  denseParameters: number;
  /** denseParameters / parameters. */
  ratio: number;
}

/**
 * Compares a layer's parameters with those of the dense layer computing a map between the same\ninput and output sizes.
 *
 * @example
 * import { explain, nn } from 'waldo';
 * explain.denseEquivalent(new nn.Conv2d(64, 64, 3, { padding: 1 }), [1, 64, 32, 32]);
 * // { parameters: 36928, denseParameters: 4295032832, ratio: 116308.6, ... }
 */
export function denseEquivalent(layer: Module, inputShape: readonly number[]): DenseComparison {
  if (inputShape.length < 2) throw new ValueError(`denseEquivalent: inputShape must include the batch dimension, got [${inputShape.join(', ')}]`);
  const { outputShape } = layer.describe(inputShape, layer.constructor.name);
  const inputSize = sizeOf(inputShape.slice(1));
  const outputSize = sizeOf(outputShape.slice(1));
  const parameters = layer.numParameters();
  const denseParameters = inputSize * outputSize + outputSize;
  return { inputSize, outputSize, parameters, denseParameters, ratio: denseParameters / Math.max(parameters, 1) };
}

/**
 * The dense layer from an image of `pixels` values to `hidden` units: pixels · hidden weights and
 * hidden biases (a 1-megapixel photo to 1,000 units: 10^9 weights).
 *
 * @example
 * import { explain } from 'waldo';
 * explain.denseLayerParameters(1_000_000, 1000); // 1,000,001,000
 */
export function denseLayerParameters(pixels: number, hidden: number): number {
  return pixels * hidden + hidden;
}
