/**
 * What a layer says about itself for an input shape, without computing: its output shape, its
 * multiply-accumulates, and the sliding window it applies (so receptive fields can be composed).
 */
import { ShapeError } from '../errors.js';
import { formatShape } from '../tensor/shape.js';
import { type WindowAxis, slidingOutputArithmetic, slidingOutputSize } from '../ops/convGeometry.js';

/** A sliding window along each spatial axis (height, width for 2-D; length for 1-D). */
export interface SpatialWindow {
  kernel: number[];
  stride: number[];
  dilation: number[];
}

export interface LayerShape {
  outputShape: number[];
  /** Multiply-accumulates of one forward pass over the whole input (batch included). */
  macs: number;
  /** Set by layers that slide a window (conv, pooling). */
  window?: SpatialWindow;
  /** Set by layers after which every output sees the whole input (Linear, Flatten, adaptive pooling to 1). */
  global?: boolean;
}

/**
 * Output sizes of a window sliding over the last `kernel.length` dims of inputShape, failing with
 * the layer path and PyTorch's arithmetic when the input is too small.
 */
export function slidingOutput(
  path: string,
  layer: string,
  inputShape: readonly number[],
  axes: { kernel: number[]; stride: number[]; padBefore: number[]; padAfter: number[]; dilation: number[] },
  ceilMode = false,
): number[] {
  const spatial = inputShape.slice(inputShape.length - axes.kernel.length);
  const names = axes.kernel.length === 1 ? ['length'] : ['height', 'width'];
  return spatial.map((size, i) => {
    const axis: WindowAxis = {
      name: names[i], input: size, kernel: axes.kernel[i], stride: axes.stride[i], padBefore: axes.padBefore[i], padAfter: axes.padAfter[i], dilation: axes.dilation[i],
    };
    const out = slidingOutputSize(axis, ceilMode);
    if (out < 1) {
      throw new ShapeError(`${path} (${layer}): input ${formatShape(inputShape)} is too small: ${names[i]} ${slidingOutputArithmetic(axis, ceilMode)}`);
    }
    return out;
  });
}

/** Checks the rank and channel count a layer expects, naming the layer path and both shapes. */
export function expectInput(path: string, layer: string, inputShape: readonly number[], ranks: number[], channels?: number, channelIndex?: number): void {
  if (!ranks.includes(inputShape.length)) {
    throw new ShapeError(`${path} (${layer}): expects a ${ranks.join('- or ')}-D input, got ${formatShape(inputShape)}`);
  }
  if (channels !== undefined) {
    // Convolutions take unbatched inputs too, whose channels come first.
    const c = inputShape[channelIndex ?? (inputShape.length === Math.max(...ranks) ? 1 : 0)];
    if (c !== channels) throw new ShapeError(`${path} (${layer}): expects ${channels} input channels, got input ${formatShape(inputShape)} with ${c}`);
  }
}
