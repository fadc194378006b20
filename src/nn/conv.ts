/**
 * Convolution layers: Conv1d, Conv2d (with PyTorch's paddingMode) and ConvTranspose2d, with
 * PyTorch's argument order, weight layouts, initialisation and state-dict names (`weight`, `bias`).
 */
import { ValueError } from '../errors.js';
import { type ConvOptions, conv1d, conv2d, convRelu, convTranspose2d } from '../ops/conv.js';
import type { ConvLayerCall } from '../ops/convBatchNorm.js';
import { samePadding } from '../ops/convGeometry.js';
import { type PadMode, pad } from '../ops/pad.js';
import type { Generator } from '../tensor/random.js';
import { sizeOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { defaultWeightAndBias } from './init.js';
import { Module } from './module.js';
import { type LayerShape, expectInput, slidingOutput } from './shapeInference.js';

export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

export interface ConvLayerOptions {
  stride?: number | number[];
  /** Zero (or paddingMode) padding on both sides; 'same' keeps the size (stride 1); 'valid' is 0. */
  padding?: number | number[] | 'same' | 'valid';
  dilation?: number | number[];
  groups?: number;
  /** Learn a bias per output channel (default true). */
  bias?: boolean;
  /** What fills the padding: 'zeros' (default) or the pad modes reflect, replicate, circular. */
  paddingMode?: PaddingMode;
  /** Draws the initial weights (default: the global generator). */
  generator?: Generator;
}

function perAxis(layer: string, option: string, value: number | number[], dims: number, min: number): number[] {
  const list = typeof value === 'number' ? new Array<number>(dims).fill(value) : [...value];
  if (list.length !== dims || list.some((v) => !Number.isInteger(v) || v < min)) {
    throw new ValueError(`${layer}: ${option} must be ${min === 0 ? 'a non-negative' : 'a positive'} integer or ${dims} of them, got ${JSON.stringify(value)}`);
  }
  return list;
}

/** Shared by Conv1d and Conv2d: options checked once at construction, as PyTorch does. */
abstract class ConvNd extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | 'same';
  readonly dilation: number[];
  readonly groups: number;
  readonly paddingMode: PaddingMode;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: number | number[],
    options: ConvLayerOptions,
    private readonly dims: 1 | 2,
  ) {
    super();
    const layer = this.constructor.name;
    const { stride = 1, padding = 0, dilation = 1, groups = 1, bias = true, paddingMode = 'zeros', generator } = options;
    for (const [name, v] of [['inChannels', inChannels], ['outChannels', outChannels], ['groups', groups]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new ValueError(`${layer}: ${name} must be a positive integer, got ${v}`);
    }
    if (inChannels % groups !== 0) throw new ValueError(`${layer}: groups ${groups} must divide inChannels ${inChannels}`);
    if (outChannels % groups !== 0) throw new ValueError(`${layer}: groups ${groups} must divide outChannels ${outChannels}`);
    if (!['zeros', 'reflect', 'replicate', 'circular'].includes(paddingMode)) {
      throw new ValueError(`${layer}: paddingMode must be 'zeros', 'reflect', 'replicate' or 'circular', got '${paddingMode}'`);
    }
    this.kernelSize = perAxis(layer, 'kernelSize', kernelSize, dims, 1);
    this.stride = perAxis(layer, 'stride', stride, dims, 1);
    this.dilation = perAxis(layer, 'dilation', dilation, dims, 1);
    if (padding === 'same') {
      if (this.stride.some((s) => s !== 1)) throw new ValueError(`${layer}: padding 'same' needs stride 1, got stride ${JSON.stringify(stride)}`);
      this.padding = 'same';
    } else {
      this.padding = padding === 'valid' ? new Array<number>(dims).fill(0) : perAxis(layer, 'padding', padding, dims, 0);
    }
    this.groups = groups;
    this.paddingMode = paddingMode;
    const init = defaultWeightAndBias([outChannels, inChannels / groups, ...this.kernelSize], bias ? outChannels : null, generator);
    this.weight = this.registerParameter('weight', init.weight)!;
    this.bias = this.registerParameter('bias', init.bias);
  }

  /** Padding before and after along each spatial axis. */
  protected padsPerAxis(): [number, number][] {
    if (this.padding === 'same') return this.kernelSize.map((k, i) => samePadding(k, this.dilation[i]));
    return (this.padding as number[]).map((p) => [p, p]);
  }

  forward(x: Tensor): Tensor {
    return this.convolve(x, false);
  }

  /** relu(forward(x)) in one kernel call, for nn.Sequential's fusion; null when forward is overridden. */
  forwardRelu(x: Tensor): Tensor | null {
    return this.forward === ConvNd.prototype.forward ? this.convolve(x, true) : null;
  }

  /**
   * forward(x) as the convolution op's arguments, for nn.Sequential's Conv → BatchNorm fusion; null
   * when it cannot fuse: forward overridden, a padding mode other than zeros (those pad first), or an
   * input without a batch dimension.
   */
  convolutionCall(x: Tensor): ConvLayerCall | null {
    if (this.forward !== ConvNd.prototype.forward || this.paddingMode !== 'zeros' || x.ndim !== this.dims + 2) return null;
    return { dims: this.dims, x, w: this.weight, b: this.bias, options: { stride: this.stride, dilation: this.dilation, groups: this.groups, padding: this.padding } };
  }

  private convolve(x: Tensor, relu: boolean): Tensor {
    const options = { stride: this.stride, dilation: this.dilation, groups: this.groups };
    const run = (input: Tensor, padding: ConvOptions['padding']): Tensor => relu
      ? convRelu(this.dims, input, this.weight, this.bias, { ...options, padding })
      : (this.dims === 1 ? conv1d : conv2d)(input, this.weight, this.bias, { ...options, padding });
    if (this.paddingMode === 'zeros') return run(x, this.padding);
    // Non-zero padding modes pad explicitly (last axis first, as F.pad takes them), then convolve without padding.
    const pads = this.padsPerAxis().reverse().flat();
    return run(pad(x, pads, this.paddingMode as PadMode), 0);
  }

  override describe(inputShape: readonly number[], path: string): LayerShape {
    const layer = this.constructor.name;
    expectInput(path, layer, inputShape, [this.dims + 1, this.dims + 2], this.inChannels);
    const pads = this.padsPerAxis();
    const spatial = slidingOutput(path, layer, inputShape, {
      kernel: this.kernelSize, stride: this.stride, dilation: this.dilation, padBefore: pads.map((p) => p[0]), padAfter: pads.map((p) => p[1]),
    });
    const outputShape = [...inputShape.slice(0, inputShape.length - this.dims - 1), this.outChannels, ...spatial];
    const macsPerOutput = (this.inChannels / this.groups) * sizeOf(this.kernelSize);
    return { outputShape, macs: sizeOf(outputShape) * macsPerOutput, window: { kernel: this.kernelSize, stride: this.stride, dilation: this.dilation } };
  }

  override extraRepr(): string {
    const tuple = (v: number[]) => `(${v.join(', ')}${v.length === 1 ? ',' : ''})`;
    const parts = [`${this.inChannels}, ${this.outChannels}`, `kernel_size=${tuple(this.kernelSize)}`, `stride=${tuple(this.stride)}`];
    if (this.padding === 'same') parts.push(`padding=same`);
    else if (this.padding.some((p) => p !== 0)) parts.push(`padding=${tuple(this.padding)}`);
    if (this.dilation.some((d) => d !== 1)) parts.push(`dilation=${tuple(this.dilation)}`);
    if (this.groups !== 1) parts.push(`groups=${this.groups}`);
    if (this.bias === null) parts.push('bias=False');
    if (this.paddingMode !== 'zeros') parts.push(`padding_mode=${this.paddingMode}`);
    return parts.join(', ');
  }
}

/**
 * 1-D convolution over [N, Cin, L] (or [Cin, L]); weight [Cout, Cin/groups, k].
 *
 * @example
 * import { nn, randn } from 'waldo';
 * new nn.Conv1d(1, 8, 5, { padding: 2 }).call(randn([4, 1, 100])).shape; // [4, 8, 100]
 */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], options: ConvLayerOptions = {}) {
    super(inChannels, outChannels, kernelSize, options, 1);
  }
}

/**
 * 2-D convolution over [N, Cin, H, W] (or [Cin, H, W]); weight [Cout, Cin/groups, kH, kW].
 *
 * @example
 * import { nn, randn } from 'waldo';
 * new nn.Conv2d(3, 16, 3, { padding: 1 }).call(randn([8, 3, 32, 32])).shape; // [8, 16, 32, 32]
 * new nn.Conv2d(32, 32, 3, { padding: 1, groups: 32 }); // depthwise: one 3×3 filter per channel
 */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], options: ConvLayerOptions = {}) {
    super(inChannels, outChannels, kernelSize, options, 2);
  }
}

export interface ConvTransposeLayerOptions {
  stride?: number | number[];
  padding?: number | number[];
  outputPadding?: number | number[];
  groups?: number;
  bias?: boolean;
  dilation?: number | number[];
  generator?: Generator;
}

/**
 * The transposed 2-D convolution (the gradient of Conv2d with respect to its input, used to
 * upsample); weight [Cin, Cout/groups, kH, kW] as in PyTorch.
 *
 * @example
 * import { nn, randn } from 'waldo';
 * new nn.ConvTranspose2d(16, 8, 2, { stride: 2 }).call(randn([1, 16, 7, 7])).shape; // [1, 8, 14, 14]
 */
export class ConvTranspose2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly outputPadding: number[];
  readonly dilation: number[];
  readonly groups: number;

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: number | number[], options: ConvTransposeLayerOptions = {}) {
    super();
    const { stride = 1, padding = 0, outputPadding = 0, groups = 1, bias = true, dilation = 1, generator } = options;
    for (const [name, v] of [['inChannels', inChannels], ['outChannels', outChannels], ['groups', groups]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new ValueError(`ConvTranspose2d: ${name} must be a positive integer, got ${v}`);
    }
    if (inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new ValueError(`ConvTranspose2d: groups ${groups} must divide inChannels ${inChannels} and outChannels ${outChannels}`);
    }
    this.kernelSize = perAxis('ConvTranspose2d', 'kernelSize', kernelSize, 2, 1);
    this.stride = perAxis('ConvTranspose2d', 'stride', stride, 2, 1);
    this.padding = perAxis('ConvTranspose2d', 'padding', padding, 2, 0);
    this.outputPadding = perAxis('ConvTranspose2d', 'outputPadding', outputPadding, 2, 0);
    this.dilation = perAxis('ConvTranspose2d', 'dilation', dilation, 2, 1);
    this.outputPadding.forEach((op, i) => {
      if (op >= Math.max(this.stride[i], this.dilation[i])) {
        throw new ValueError(`ConvTranspose2d: outputPadding ${op} must be smaller than stride ${this.stride[i]} or dilation ${this.dilation[i]}`);
      }
    });
    this.groups = groups;
    const init = defaultWeightAndBias([inChannels, outChannels / groups, ...this.kernelSize], bias ? outChannels : null, generator);
    this.weight = this.registerParameter('weight', init.weight)!;
    this.bias = this.registerParameter('bias', init.bias);
  }

  forward(x: Tensor): Tensor {
    return convTranspose2d(x, this.weight, this.bias, {
      stride: this.stride, padding: this.padding, outputPadding: this.outputPadding, groups: this.groups, dilation: this.dilation,
    });
  }

  override describe(inputShape: readonly number[], path: string): LayerShape {
    expectInput(path, 'ConvTranspose2d', inputShape, [3, 4], this.inChannels);
    const spatial = inputShape.slice(-2).map((h, i) => (h - 1) * this.stride[i] - 2 * this.padding[i] + this.dilation[i] * (this.kernelSize[i] - 1) + this.outputPadding[i] + 1);
    const outputShape = [...inputShape.slice(0, inputShape.length - 3), this.outChannels, ...spatial];
    // Every input element meets every kernel tap of its group's output channels once.
    const macs = sizeOf(inputShape) * (this.outChannels / this.groups) * sizeOf(this.kernelSize);
    return { outputShape, macs };
  }

  override extraRepr(): string {
    const parts = [`${this.inChannels}, ${this.outChannels}`, `kernel_size=(${this.kernelSize.join(', ')})`, `stride=(${this.stride.join(', ')})`];
    if (this.padding.some((p) => p !== 0)) parts.push(`padding=(${this.padding.join(', ')})`);
    if (this.outputPadding.some((p) => p !== 0)) parts.push(`output_padding=(${this.outputPadding.join(', ')})`);
    if (this.groups !== 1) parts.push(`groups=${this.groups}`);
    if (this.bias === null) parts.push('bias=False');
    return parts.join(', ');
  }
}
