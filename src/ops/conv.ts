/**
 * Convolutions: conv1d, conv2d and convTranspose2d, with PyTorch's options and semantics.
 * Each op checks its arguments, computes one Conv2dGeometry and hands the work to the backend;
 * the backward rule beside it reuses that geometry. A 1-D convolution is a 2-D one with height 1,
 * and an unbatched input is a batch of one: both have the same row-major data, so no copies.
 */
import { record } from '../autograd/node.js';
import { backendFor } from '../backend/index.js';
import { channelSum } from '../backend/reference/channels.js';
import type { Conv2dGeometry, Epilogue, FloatArray } from '../backend/backend.js';
import { ShapeError, ValueError } from '../errors.js';
import { allocate, allocateForOverwrite } from '../tensor/dtype.js';
import { formatShape, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import {
  type SpatialOption, type WindowAxis, axisNames, checkFloat, checkInput, checkedOutputSize, checkedTransposedOutputSize,
  floatData, positiveInteger, samePadding, shapesContext, spatialOption,
} from './convGeometry.js';

/** Options of conv1d and conv2d (PyTorch's defaults: stride 1, padding 0, dilation 1, groups 1). */
export interface ConvOptions {
  stride?: SpatialOption;
  /** Zeros added on both sides of each spatial dimension; 'same' keeps the size (stride 1 only); 'valid' is 0. */
  padding?: SpatialOption | 'same' | 'valid';
  dilation?: SpatialOption;
  groups?: number;
}

/** Options of convTranspose2d (PyTorch's defaults: stride 1, padding 0, outputPadding 0, groups 1, dilation 1). */
export interface ConvTransposeOptions {
  stride?: SpatialOption;
  /** The padding of the convolution this op transposes: that many rows/columns are cut from each side of the output. */
  padding?: SpatialOption;
  /** Extra rows/columns added on one side of the output, to pick among the sizes a strided conv maps to the same size. */
  outputPadding?: SpatialOption;
  groups?: number;
  dilation?: SpatialOption;
}

/**
 * 1-D cross-correlation over x [N, C, L] (or unbatched [C, L]) with w [Cout, C/groups, k] and an
 * optional bias [Cout]; output [N, Cout, Lo] with Lo = floor((L + 2p − d(k−1) − 1)/s) + 1.
 *
 * @example
 * import { functional as F, tensor } from 'waldo';
 * F.conv1d(tensor([1, 2, 3, 4], [1, 1, 4]), tensor([1, -1], [1, 1, 2])).toArray(); // [-1, -1, -1]
 */
export function conv1d(x: Tensor, w: Tensor, b: Tensor | null = null, options: ConvOptions = {}): Tensor {
  return convolution('conv1d', 1, x, w, b, options);
}

/**
 * 2-D cross-correlation (what deep learning calls convolution) over x [N, C, H, W] (or unbatched
 * [C, H, W]) with w [Cout, C/groups, kh, kw] and an optional bias [Cout]:
 * out[n,o,i,j] = b[o] + Σ_{c,a,b} w[o,c,a,b] · x[n, g(o)·C/groups + c, i·s − p + a·d, j·s − p + b·d].
 *
 * @example
 * import { functional as F, tensor, randn } from 'waldo';
 * const x = tensor([0, 1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 3, 3]);
 * F.conv2d(x, tensor([0, 1, 2, 3], [1, 1, 2, 2])).toArray(); // [19, 25, 37, 43]
 * F.conv2d(randn([8, 3, 32, 32]), randn([16, 3, 3, 3]), null, { padding: 'same' }).shape; // [8, 16, 32, 32]
 */
export function conv2d(x: Tensor, w: Tensor, b: Tensor | null = null, options: ConvOptions = {}): Tensor {
  return convolution('conv2d', 2, x, w, b, options);
}

/**
 * relu(conv1d(x, w, b)) or relu(conv2d(x, w, b)) (by x's rank: 2–3 is 1-D, 3–4 is 2-D, as the
 * layer's `dims` says) in one kernel call, with the same values and gradients as the two ops;
 * nn.Sequential uses it for a convolution followed by ReLU.
 */
export function convRelu(dims: 1 | 2, x: Tensor, w: Tensor, b: Tensor | null = null, options: ConvOptions = {}): Tensor {
  return convolution(dims === 1 ? 'conv1d' : 'conv2d', dims, x, w, b, options, 'relu');
}

/** A convolution checked and laid out for its inputs: the kernels' geometry and the output's shape. */
export interface ConvolutionPlan {
  readonly geometry: Conv2dGeometry;
  readonly outShape: number[];
}

/** Checks a conv1d/conv2d call (naming `op` in errors) and lays it out. */
export function planConvolution(op: string, spatialDims: 1 | 2, x: Tensor, w: Tensor, b: Tensor | null, options: ConvOptions): ConvolutionPlan {
  const { stride = 1, padding = 0, dilation = 1, groups = 1 } = options;
  const strides = spatialOption(op, 'stride', stride, spatialDims, 'positive');
  const dilations = spatialOption(op, 'dilation', dilation, spatialDims, 'positive');
  const g = positiveInteger(op, 'groups', groups);
  const batched = checkInput(op, x, spatialDims);
  checkWeight(op, x, w, spatialDims, spatialDims === 1 ? '[outChannels, inChannels/groups, k]' : '[outChannels, inChannels/groups, kH, kW]');
  const [batch, inChannels, ...spatial] = batched ? x.shape : [1, ...x.shape];
  const [outChannels, groupChannels, ...kernel] = w.shape;
  const context = `input ${formatShape(x.shape)}, weight ${formatShape(w.shape)}`;
  if (outChannels % g !== 0) throw new ValueError(`${op}: groups ${g} must divide the output channels ${outChannels}; ${context}`);
  if (inChannels % g !== 0) throw new ValueError(`${op}: groups ${g} must divide the input channels ${inChannels}; ${context}`);
  if (groupChannels * g !== inChannels) {
    throw new ShapeError(
      `${op}: input has ${inChannels} channels but the weight expects ${groupChannels * g} (weight ${formatShape(w.shape)}, groups ${g}); input shape ${formatShape(x.shape)}`,
    );
  }
  checkBias(op, x, b, outChannels, w);
  const pads = convPadding(op, padding, strides, kernel, dilations, spatialDims);
  const names = axisNames(spatialDims);
  const axes: WindowAxis[] = spatial.map((size, i) => ({
    name: names[i], input: size, kernel: kernel[i], stride: strides[i], padBefore: pads[i][0], padAfter: pads[i][1], dilation: dilations[i],
  }));
  const outSizes = axes.map((axis) => checkedOutputSize(op, axis, context));
  const geometry = planeGeometry(axes, outSizes, { batch, inChannels, outChannels, groups: g });
  const outShape = batched ? [batch, outChannels, ...outSizes] : [outChannels, ...outSizes];
  return { geometry, outShape };
}

function convolution(op: string, spatialDims: 1 | 2, x: Tensor, w: Tensor, b: Tensor | null, options: ConvOptions, epilogue: Epilogue = null): Tensor {
  const { geometry, outShape } = planConvolution(op, spatialDims, x, w, b, options);
  const outChannels = geometry.outChannels;
  const dtype = x.dtype as 'float32' | 'float64';
  const out = allocateForOverwrite(dtype, sizeOf(outShape)) as FloatArray;
  backendFor(dtype).conv2dForward(geometry, floatData(x), floatData(w), b === null ? null : floatData(b), out, epilogue);
  const inputs = b === null ? [x, w] : [x, w, b];
  return record(new Tensor(out, outShape), epilogue === null ? op : `${op}+relu`, inputs, (gradOut) => {
    // One backend call for the fused ReLU's gradient and all three gradients: dy is copied in once.
    const dx = x.requiresGrad ? allocateForOverwrite(dtype, sizeOf(x.shape)) as FloatArray : null;
    const dw = w.requiresGrad ? allocateForOverwrite(dtype, sizeOf(w.shape)) as FloatArray : null;
    const db = b?.requiresGrad ? new Float64Array(outChannels) : null;
    backendFor(dtype).conv2dBackward(geometry, floatData(x), floatData(w), floatData(gradOut.to(dtype)), epilogue === 'relu' ? out : null, dx, dw, db);
    const grads = [dx === null ? null : new Tensor(dx, x.shape), dw === null ? null : new Tensor(dw, w.shape)];
    if (b === null) return grads;
    return [...grads, db === null ? null : biasGradient(db, b)];
  });
}

/**
 * The transposed convolution (sometimes called deconvolution): the gradient of conv2d with respect
 * to its input, used to upsample. x [N, Cin, H, W] (or unbatched [Cin, H, W]), w [Cin, Cout/groups, kh, kw],
 * bias [Cout]; output [N, Cout, Ho, Wo] with Ho = (H−1)·s − 2p + d(k−1) + outputPadding + 1.
 *
 * @example
 * import { functional as F, randn } from 'waldo';
 * F.convTranspose2d(randn([1, 16, 8, 8]), randn([16, 8, 4, 4]), null, { stride: 2, padding: 1 }).shape; // [1, 8, 16, 16]
 */
export function convTranspose2d(x: Tensor, w: Tensor, b: Tensor | null = null, options: ConvTransposeOptions = {}): Tensor {
  const op = 'convTranspose2d';
  const { stride = 1, padding = 0, outputPadding = 0, groups = 1, dilation = 1 } = options;
  const strides = spatialOption(op, 'stride', stride, 2, 'positive');
  if (typeof padding === 'string') throw new ValueError(`${op}: padding must be a number or a pair [height, width], got '${padding}'`);
  const pads = spatialOption(op, 'padding', padding, 2, 'nonNegative');
  const outputPads = spatialOption(op, 'outputPadding', outputPadding, 2, 'nonNegative');
  const dilations = spatialOption(op, 'dilation', dilation, 2, 'positive');
  const g = positiveInteger(op, 'groups', groups);
  if (outputPads.some((p, i) => p >= strides[i] && p >= dilations[i])) {
    throw new ValueError(
      `${op}: outputPadding must be smaller than either stride or dilation, got outputPadding ${formatShape(outputPads)}, stride ${formatShape(strides)}, dilation ${formatShape(dilations)}`,
    );
  }
  const batched = checkInput(op, x, 2);
  checkWeight(op, x, w, 2, '[inChannels, outChannels/groups, kH, kW]');
  const [batch, inChannels, ...spatial] = batched ? x.shape : [1, ...x.shape];
  const [weightIn, groupOut, ...kernel] = w.shape;
  const context = `input ${formatShape(x.shape)}, weight ${formatShape(w.shape)}`;
  if (weightIn % g !== 0) throw new ValueError(`${op}: groups ${g} must divide the input channels ${weightIn} of the weight; ${context}`);
  if (inChannels !== weightIn) {
    throw new ShapeError(
      `${op}: input has ${inChannels} channels but the weight expects ${weightIn} (weight ${formatShape(w.shape)} is [inChannels, outChannels/groups, kH, kW], groups ${g}); input shape ${formatShape(x.shape)}`,
    );
  }
  const outChannels = groupOut * g;
  checkBias(op, x, b, outChannels, w);
  const names = axisNames(2);
  const axes: WindowAxis[] = spatial.map((size, i) => ({
    name: names[i], input: size, kernel: kernel[i], stride: strides[i], padBefore: pads[i], padAfter: pads[i], dilation: dilations[i],
  }));
  const outSizes = axes.map((axis, i) => checkedTransposedOutputSize(op, axis, outputPads[i], context));
  // The convolution this op transposes maps the output [N, Cout, Ho, Wo] to the input [N, Cin, H, W],
  // with weight [Cin, Cout/groups, kh, kw] in conv2d's layout [its out, its in/groups, kh, kw].
  const convAxes: WindowAxis[] = axes.map((axis, i) => ({ ...axis, input: outSizes[i] }));
  const geometry = planeGeometry(convAxes, spatial, { batch, inChannels: outChannels, outChannels: inChannels, groups: g });
  const outShape = batched ? [batch, outChannels, ...outSizes] : [outChannels, ...outSizes];

  const dtype = x.dtype as 'float32' | 'float64';
  const out = allocateForOverwrite(dtype, sizeOf(outShape)) as FloatArray;
  backendFor(dtype).conv2dBackwardData(geometry, floatData(x), floatData(w), out);
  if (b !== null) addChannelBias(out, floatData(b), batch, outChannels);
  const inputs = b === null ? [x, w] : [x, w, b];
  return record(new Tensor(out, outShape), op, inputs, (gradOut) => {
    const dy = floatData(gradOut.to(dtype));
    const backend = backendFor(dtype);
    const dx = x.requiresGrad ? kernelOutput(dtype, x.shape, (d) => backend.conv2dForward(geometry, dy, floatData(w), null, d)) : null;
    // The transposed op's output gradient is the input of the convolution it transposes; x is that conv's output.
    const dw = w.requiresGrad ? kernelOutput(dtype, w.shape, (d) => backend.conv2dBackwardWeight(geometry, dy, floatData(x), d)) : null;
    if (b === null) return [dx, dw];
    return [dx, dw, b.requiresGrad ? channelSums(dy, batch, outChannels, b) : null];
  });
}

/** A new tensor of `shape` that a kernel fills (kernels write into caller-allocated outputs). */
function kernelOutput(dtype: 'float32' | 'float64', shape: readonly number[], fill: (out: FloatArray) => void): Tensor {
  const out = allocateForOverwrite(dtype, sizeOf(shape)) as FloatArray;
  fill(out);
  return new Tensor(out, shape);
}

function checkWeight(op: string, x: Tensor, w: Tensor, spatialDims: 1 | 2, layout: string): void {
  if (w.ndim !== spatialDims + 2) throw new ShapeError(`${op}: the weight must be ${spatialDims + 2}-D ${layout}, got shape ${formatShape(w.shape)}`);
  checkFloat(op, 'weight', w);
  if (w.dtype !== x.dtype) throw new ValueError(`${op}: the input is ${x.dtype} but the weight is ${w.dtype}; convert one with .to()`);
  if (w.shape.some((d) => d === 0)) throw new ShapeError(`${op}: the weight ${formatShape(w.shape)} has an empty dimension`);
}

function checkBias(op: string, x: Tensor, b: Tensor | null, outChannels: number, w: Tensor): void {
  if (b === null) return;
  checkFloat(op, 'bias', b);
  if (b.dtype !== x.dtype) throw new ValueError(`${op}: the input is ${x.dtype} but the bias is ${b.dtype}; convert one with .to()`);
  if (b.ndim !== 1 || b.shape[0] !== outChannels) {
    throw new ShapeError(`${op}: the bias must have shape [${outChannels}] (one value per output channel), got ${formatShape(b.shape)}; ${shapesContext({ input: x, weight: w })}`);
  }
}

/** [before, after] zero padding per spatial axis from conv's padding option. */
function convPadding(
  op: string, padding: SpatialOption | string, strides: number[], kernel: number[], dilations: number[], spatialDims: 1 | 2,
): [number, number][] {
  if (padding === 'valid') return kernel.map(() => [0, 0]);
  if (padding === 'same') {
    // PyTorch allows 'same' only when every stride is 1: otherwise no padding keeps the size.
    if (strides.some((s) => s !== 1)) {
      throw new ValueError(`${op}: padding 'same' needs stride 1, got stride ${formatShape(strides)}; pad explicitly for strided convolutions`);
    }
    return kernel.map((k, i) => samePadding(k, dilations[i]));
  }
  if (typeof padding === 'string') throw new ValueError(`${op}: padding must be a number, ${spatialDims === 1 ? 'a list of one number' : 'a pair'}, 'same' or 'valid', got '${padding}'`);
  return spatialOption(op, 'padding', padding, spatialDims, 'nonNegative').map((p) => [p, p]);
}

/** A Conv2dGeometry from per-axis windows (one axis for 1-D ops, which get height 1). */
function planeGeometry(
  axes: WindowAxis[],
  outSizes: readonly number[],
  channels: { batch: number; inChannels: number; outChannels: number; groups: number },
): Conv2dGeometry {
  const unit: WindowAxis = { name: 'height', input: 1, kernel: 1, stride: 1, padBefore: 0, padAfter: 0, dilation: 1 };
  const [h, wAxis] = axes.length === 1 ? [unit, axes[0]] : axes;
  const [outHeight, outWidth] = axes.length === 1 ? [1, outSizes[0]] : outSizes;
  return {
    ...channels,
    inHeight: h.input, inWidth: wAxis.input, outHeight, outWidth,
    kernelHeight: h.kernel, kernelWidth: wAxis.kernel,
    strideH: h.stride, strideW: wAxis.stride, padTop: h.padBefore, padLeft: wAxis.padBefore,
    dilationH: h.dilation, dilationW: wAxis.dilation,
  };
}

// Layout: dy [N, C, S] (S = all spatial positions); the bias gradient is dy summed over N and S.
function channelSums(dy: FloatArray, batch: number, channels: number, b: Tensor): Tensor {
  const geometry = { batch, channels, spatial: batch * channels === 0 ? 0 : dy.length / (batch * channels) };
  const sums = new Float64Array(channels);
  for (let c = 0; c < channels; c++) sums[c] = channelSum(dy, geometry, c, 0, false);
  return biasGradient(sums, b);
}

/** The bias gradient from its float64 per-channel sums, in the bias's dtype. */
export function biasGradient(sums: Float64Array, b: Tensor): Tensor {
  const out = allocate(b.dtype, sums.length);
  out.set(sums);
  return new Tensor(out, b.shape);
}

// Layout: out [N, C, S]; adds bias[c] to every position of channel c.
function addChannelBias(out: FloatArray, bias: FloatArray, batch: number, channels: number): void {
  const plane = batch * channels === 0 ? 0 : out.length / (batch * channels);
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      const v = bias[c];
      for (let i = (n * channels + c) * plane, end = i + plane; i < end; i++) out[i] += v;
    }
  }
}
