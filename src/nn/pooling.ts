/** Pooling layers: per-channel max or average over sliding windows, and adaptive average pooling. */
import { ValueError } from '../errors.js';
import { adaptiveAvgPool2d, avgPool1d, avgPool2d, maxPool1d, maxPool2d } from '../ops/pool.js';
import { sizeOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';
import { type LayerShape, expectInput, slidingOutput } from './shapeInference.js';

export interface PoolLayerOptions {
  /** Default: the kernel size (non-overlapping windows). */
  stride?: number | number[];
  padding?: number | number[];
  dilation?: number | number[];
  ceilMode?: boolean;
  /** Average pooling only: count the zero padding in the divisor (default true). */
  countIncludePad?: boolean;
}

function perAxis(layer: string, option: string, value: number | number[], dims: number, min: number): number[] {
  const list = typeof value === 'number' ? new Array<number>(dims).fill(value) : [...value];
  if (list.length !== dims || list.some((v) => !Number.isInteger(v) || v < min)) {
    throw new ValueError(`${layer}: ${option} must be ${min === 0 ? 'a non-negative' : 'a positive'} integer or ${dims} of them, got ${JSON.stringify(value)}`);
  }
  return list;
}

abstract class PoolNd extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly dilation: number[];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;

  constructor(kernelSize: number | number[], options: PoolLayerOptions, protected readonly dims: 1 | 2, protected readonly kind: 'max' | 'avg') {
    super();
    const layer = this.constructor.name;
    this.kernelSize = perAxis(layer, 'kernelSize', kernelSize, dims, 1);
    this.stride = options.stride === undefined ? this.kernelSize : perAxis(layer, 'stride', options.stride, dims, 1);
    this.padding = perAxis(layer, 'padding', options.padding ?? 0, dims, 0);
    this.dilation = perAxis(layer, 'dilation', options.dilation ?? 1, dims, 1);
    if (kind === 'avg' && this.dilation.some((d) => d !== 1)) throw new ValueError(`${layer}: average pooling has no dilation`);
    this.padding.forEach((p, i) => {
      if (2 * p > this.kernelSize[i]) throw new ValueError(`${layer}: padding ${p} must be at most half the kernel size ${this.kernelSize[i]}`);
    });
    this.ceilMode = options.ceilMode ?? false;
    this.countIncludePad = options.countIncludePad ?? true;
  }

  forward(x: Tensor): Tensor {
    const options = { kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, ceilMode: this.ceilMode };
    if (this.kind === 'max') return (this.dims === 1 ? maxPool1d : maxPool2d)(x, { ...options, dilation: this.dilation });
    return (this.dims === 1 ? avgPool1d : avgPool2d)(x, { ...options, countIncludePad: this.countIncludePad });
  }

  override describe(inputShape: readonly number[], path: string): LayerShape {
    expectInput(path, this.constructor.name, inputShape, [this.dims + 1, this.dims + 2]);
    const spatial = slidingOutput(path, this.constructor.name, inputShape, {
      kernel: this.kernelSize, stride: this.stride, dilation: this.dilation, padBefore: this.padding, padAfter: this.padding,
    }, this.ceilMode);
    const outputShape = [...inputShape.slice(0, inputShape.length - this.dims), ...spatial];
    // Pooling has no multiplications; count one operation per window element as comparisons/additions are not MACs.
    return { outputShape, macs: 0, window: { kernel: this.kernelSize, stride: this.stride, dilation: this.dilation } };
  }

  override extraRepr(): string {
    const one = (v: number[]) => (this.dims === 1 || v.every((x) => x === v[0]) ? String(v[0]) : `(${v.join(', ')})`);
    const parts = [`kernel_size=${one(this.kernelSize)}`, `stride=${one(this.stride)}`, `padding=${one(this.padding)}`];
    if (this.kind === 'max') parts.push(`dilation=${one(this.dilation)}`);
    parts.push(`ceil_mode=${this.ceilMode ? 'True' : 'False'}`);
    return parts.join(', ');
  }
}

/**
 * Max over windows of [N, C, H, W] (or [C, H, W]); the stride defaults to the kernel size.
 *
 * @example
 * import { nn, randn } from 'waldo';
 * new nn.MaxPool2d(2).call(randn([1, 6, 28, 28])).shape; // [1, 6, 14, 14]
 */
export class MaxPool2d extends PoolNd {
  constructor(kernelSize: number | number[], options: PoolLayerOptions = {}) { super(kernelSize, options, 2, 'max'); }
}

/**
 * Max over windows of [N, C, L] (or [C, L]); the stride defaults to the kernel size.
 *
 * @example
 * import { nn, tensor } from 'waldo';
 * new nn.MaxPool1d(2).call(tensor([1, 3, 2, 5], [1, 1, 4])).toArray(); // [3, 5]
 */
export class MaxPool1d extends PoolNd {
  constructor(kernelSize: number | number[], options: PoolLayerOptions = {}) { super(kernelSize, options, 1, 'max'); }
}

/**
 * Mean over windows of [N, C, H, W] (or [C, H, W]); the stride defaults to the kernel size.
 *
 * @example
 * import { nn, randn } from 'waldo';
 * new nn.AvgPool2d(3, { stride: 2, padding: 1 }).call(randn([1, 8, 32, 32])).shape; // [1, 8, 16, 16]
 */
export class AvgPool2d extends PoolNd {
  constructor(kernelSize: number | number[], options: PoolLayerOptions = {}) { super(kernelSize, options, 2, 'avg'); }
}

/**
 * Mean over windows of [N, C, L] (or [C, L]); the stride defaults to the kernel size.
 *
 * @example
 * import { nn, tensor } from 'waldo';
 * new nn.AvgPool1d(2).call(tensor([1, 3, 2, 6], [1, 1, 4])).toArray(); // [2, 4]
 */
export class AvgPool1d extends PoolNd {
  constructor(kernelSize: number | number[], options: PoolLayerOptions = {}) { super(kernelSize, options, 1, 'avg'); }
}

/**
 * Average pooling to a fixed output size whatever the input size; outputSize 1 is global average pooling.
 *
 * @example
 * import { nn, randn } from 'waldo';
 * new nn.AdaptiveAvgPool2d(1).call(randn([2, 64, 7, 7])).shape; // [2, 64, 1, 1]
 */
export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: [number, number];

  constructor(outputSize: number | [number, number]) {
    super();
    this.outputSize = typeof outputSize === 'number' ? [outputSize, outputSize] : [outputSize[0], outputSize[1]];
    if (this.outputSize.some((s) => !Number.isInteger(s) || s < 1)) throw new ValueError(`AdaptiveAvgPool2d: outputSize must be positive integers, got ${JSON.stringify(outputSize)}`);
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }

  override describe(inputShape: readonly number[], path: string): LayerShape {
    expectInput(path, 'AdaptiveAvgPool2d', inputShape, [3, 4]);
    const outputShape = [...inputShape.slice(0, -2), ...this.outputSize];
    return { outputShape, macs: 0, global: sizeOf(this.outputSize) === 1 };
  }

  override extraRepr(): string {
    return `output_size=${this.outputSize[0] === this.outputSize[1] ? this.outputSize[0] : `(${this.outputSize.join(', ')})`}`;
  }
}
