/**
 * Pooling: max and average over sliding windows (1-D and 2-D, through the backend's pool kernels)
 * and adaptive average pooling (plain loops: PyTorch's bins, whose sizes vary). Options, defaults,
 * output sizes and checks are PyTorch's. A 1-D pool is a 2-D one with height 1, and an unbatched
 * input a batch of one: the row-major data is the same, so nothing is copied.
 */
import { record } from '../autograd/node.js';
import { backendFor } from '../backend/index.js';
import type { FloatArray, Pool2dGeometry } from '../backend/backend.js';
import { ShapeError, ValueError } from '../errors.js';
import { allocate, allocateForOverwrite } from '../tensor/dtype.js';
import { formatShape, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type SpatialOption, type WindowAxis, axisNames, checkInput, checkedOutputSize, floatData, spatialOption } from './convGeometry.js';

/** Options of maxPool1d/maxPool2d: numbers, or one value per spatial dimension. */
export interface MaxPoolOptions {
  kernelSize: SpatialOption;
  /** Defaults to kernelSize (non-overlapping windows). */
  stride?: SpatialOption | null;
  /** Implicit −∞ on both sides; at most half the kernel size. */
  padding?: SpatialOption;
  dilation?: SpatialOption;
  /** Round the output size up instead of down (windows that start in the input or left padding only). */
  ceilMode?: boolean;
}

/** Options of avgPool1d/avgPool2d. */
export interface AvgPoolOptions {
  kernelSize: SpatialOption;
  /** Defaults to kernelSize. */
  stride?: SpatialOption | null;
  /** Implicit zeros on both sides; at most half the kernel size. */
  padding?: SpatialOption;
  ceilMode?: boolean;
  /** Whether the zeros of the padding count in the divisor (true, PyTorch's default) or not. */
  countIncludePad?: boolean;
}

/**
 * Max over windows of x [N, C, L] (or [C, L]).
 *
 * @example
 * import { functional as F, tensor } from 'waldo';
 * F.maxPool1d(tensor([1, 3, 2, 5], [1, 1, 4]), { kernelSize: 2 }).toArray(); // [3, 5]
 */
export function maxPool1d(x: Tensor, options: MaxPoolOptions): Tensor {
  return maxPool('maxPool1d', 1, x, options);
}

/**
 * Max over windows of x [N, C, H, W] (or [C, H, W]); the gradient goes to the first maximum of each window.
 *
 * @example
 * import { functional as F, randn } from 'waldo';
 * F.maxPool2d(randn([8, 16, 32, 32]), { kernelSize: 2 }).shape; // [8, 16, 16, 16]
 */
export function maxPool2d(x: Tensor, options: MaxPoolOptions): Tensor {
  return maxPool('maxPool2d', 2, x, options);
}

/**
 * Mean over windows of x [N, C, L] (or [C, L]).
 *
 * @example
 * import { functional as F, tensor } from 'waldo';
 * F.avgPool1d(tensor([1, 3, 2, 6], [1, 1, 4]), { kernelSize: 2 }).toArray(); // [2, 4]
 */
export function avgPool1d(x: Tensor, options: AvgPoolOptions): Tensor {
  return avgPool('avgPool1d', 1, x, options);
}

/**
 * Mean over windows of x [N, C, H, W] (or [C, H, W]).
 *
 * @example
 * import { functional as F, randn } from 'waldo';
 * F.avgPool2d(randn([8, 16, 32, 32]), { kernelSize: 3, stride: 2, padding: 1, countIncludePad: false }).shape; // [8, 16, 16, 16]
 */
export function avgPool2d(x: Tensor, options: AvgPoolOptions): Tensor {
  return avgPool('avgPool2d', 2, x, options);
}

function maxPool(op: string, spatialDims: 1 | 2, x: Tensor, options: MaxPoolOptions): Tensor {
  requireKernelSize(op, options);
  const { geometry, outShape } = poolGeometry(op, spatialDims, x, { ...options, dilation: options.dilation ?? 1 });
  const dtype = x.dtype as 'float32' | 'float64';
  const out = allocateForOverwrite(dtype, sizeOf(outShape)) as FloatArray;
  const argmax = new Int32Array(out.length);
  backendFor(dtype).maxPool2dForward(geometry, floatData(x), out, argmax);
  return record(new Tensor(out, outShape), op, [x], (gradOut) => {
    const dx = allocateForOverwrite(dtype, x.numel()) as FloatArray;
    backendFor(dtype).maxPool2dBackward(geometry, floatData(gradOut.to(dtype)), argmax, dx);
    return [new Tensor(dx, x.shape)];
  });
}

function avgPool(op: string, spatialDims: 1 | 2, x: Tensor, options: AvgPoolOptions): Tensor {
  requireKernelSize(op, options);
  const { countIncludePad = true } = options;
  const { geometry, outShape } = poolGeometry(op, spatialDims, x, { ...options, dilation: 1 });
  const dtype = x.dtype as 'float32' | 'float64';
  const out = allocateForOverwrite(dtype, sizeOf(outShape)) as FloatArray;
  backendFor(dtype).avgPool2dForward(geometry, countIncludePad, floatData(x), out);
  return record(new Tensor(out, outShape), op, [x], (gradOut) => {
    const dx = allocateForOverwrite(dtype, x.numel()) as FloatArray;
    backendFor(dtype).avgPool2dBackward(geometry, countIncludePad, floatData(gradOut.to(dtype)), dx);
    return [new Tensor(dx, x.shape)];
  });
}

interface WindowOptions {
  kernelSize: SpatialOption;
  stride?: SpatialOption | null;
  padding?: SpatialOption;
  dilation: SpatialOption;
  ceilMode?: boolean;
}

function requireKernelSize(op: string, options: { kernelSize?: SpatialOption } | undefined): void {
  if (options === undefined || options === null || options.kernelSize === undefined) {
    throw new ValueError(`${op}: options.kernelSize is required, e.g. ${op}(x, { kernelSize: 2 })`);
  }
}

/** Checks a pool's input and options and computes its geometry (1-D pools get height 1). */
function poolGeometry(op: string, spatialDims: 1 | 2, x: Tensor, options: WindowOptions): { geometry: Pool2dGeometry; outShape: number[] } {
  const kernel = spatialOption(op, 'kernelSize', options.kernelSize, spatialDims, 'positive');
  const noStride = options.stride === undefined || options.stride === null || (Array.isArray(options.stride) && options.stride.length === 0);
  const strides = noStride ? kernel : spatialOption(op, 'stride', options.stride as SpatialOption, spatialDims, 'positive');
  const pads = spatialOption(op, 'padding', options.padding ?? 0, spatialDims, 'nonNegative');
  const dilations = spatialOption(op, 'dilation', options.dilation, spatialDims, 'positive');
  // PyTorch's rule, so that no window lies entirely in the padding.
  if (pads.some((p, i) => 2 * p > kernel[i])) {
    throw new ValueError(`${op}: padding must be at most half the kernel size, got padding ${formatShape(pads)} with kernelSize ${formatShape(kernel)}`);
  }
  const batched = checkInput(op, x, spatialDims);
  const [batch, channels, ...spatial] = batched ? x.shape : [1, ...x.shape];
  const names = axisNames(spatialDims);
  const axes: WindowAxis[] = spatial.map((size, i) => ({
    name: names[i], input: size, kernel: kernel[i], stride: strides[i], padBefore: pads[i], padAfter: pads[i], dilation: dilations[i],
  }));
  const context = `input ${formatShape(x.shape)}`;
  const outSizes = axes.map((axis) => checkedOutputSize(op, axis, context, options.ceilMode ?? false));
  const unit: WindowAxis = { name: 'height', input: 1, kernel: 1, stride: 1, padBefore: 0, padAfter: 0, dilation: 1 };
  const [h, w] = spatialDims === 1 ? [unit, axes[0]] : axes;
  const [outHeight, outWidth] = spatialDims === 1 ? [1, outSizes[0]] : outSizes;
  const geometry: Pool2dGeometry = {
    batch, channels, inHeight: h.input, inWidth: w.input, outHeight, outWidth,
    kernelHeight: h.kernel, kernelWidth: w.kernel, strideH: h.stride, strideW: w.stride,
    padTop: h.padBefore, padLeft: w.padBefore, dilationH: h.dilation, dilationW: w.dilation,
  };
  return { geometry, outShape: batched ? [batch, channels, ...outSizes] : [channels, ...outSizes] };
}

/**
 * Average pooling to a fixed output size, whatever the input size: output cell i along an axis of
 * length H averages input positions floor(i·H/out) to ceil((i+1)·H/out) − 1 (PyTorch's bins, which
 * overlap when out does not divide H). outputSize 1 is global average pooling.
 *
 * @example
 * import { functional as F, randn } from 'waldo';
 * F.adaptiveAvgPool2d(randn([8, 64, 7, 5]), 1).shape; // [8, 64, 1, 1]
 * F.adaptiveAvgPool2d(randn([8, 64, 7, 5]), [3, 2]).shape; // [8, 64, 3, 2]
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | readonly [number, number]): Tensor {
  const op = 'adaptiveAvgPool2d';
  const [outH, outW] = spatialOption(op, 'outputSize', outputSize, 2, 'positive');
  const batched = checkInput(op, x, 2);
  const [batch, channels, inH, inW] = batched ? x.shape : [1, ...x.shape];
  if (inH === 0 || inW === 0) throw new ShapeError(`${op}: the input ${formatShape(x.shape)} has an empty spatial dimension`);
  const rows = bins(inH, outH);
  const cols = bins(inW, outW);
  const planes = batch * channels;
  const outShape = batched ? [batch, channels, outH, outW] : [channels, outH, outW];
  const dtype = x.dtype;
  const X = x.data;
  const out = allocate(dtype, planes * outH * outW);
  // Layout: x [planes, inH, inW], out [planes, outH, outW].
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < outH; i++) {
      for (let j = 0; j < outW; j++) {
        let s = 0;
        for (let r = rows.start[i]; r < rows.end[i]; r++) {
          for (let c = cols.start[j], q = (p * inH + r) * inW + c; c < cols.end[j]; c++, q++) s += X[q];
        }
        out[(p * outH + i) * outW + j] = s / ((rows.end[i] - rows.start[i]) * (cols.end[j] - cols.start[j]));
      }
    }
  }
  return record(new Tensor(out, outShape), op, [x], (g) => {
    const dx = allocate(dtype, x.numel());
    const G = g.data;
    for (let p = 0; p < planes; p++) {
      for (let i = 0; i < outH; i++) {
        for (let j = 0; j < outW; j++) {
          const share = G[(p * outH + i) * outW + j] / ((rows.end[i] - rows.start[i]) * (cols.end[j] - cols.start[j]));
          for (let r = rows.start[i]; r < rows.end[i]; r++) {
            for (let c = cols.start[j], q = (p * inH + r) * inW + c; c < cols.end[j]; c++, q++) dx[q] += share;
          }
        }
      }
    }
    return [new Tensor(dx, x.shape)];
  });
}

/** PyTorch's adaptive bins: [floor(i·n/out), ceil((i+1)·n/out)) for i < out. */
function bins(n: number, out: number): { start: Int32Array; end: Int32Array } {
  const start = new Int32Array(out);
  const end = new Int32Array(out);
  for (let i = 0; i < out; i++) {
    start[i] = Math.floor((i * n) / out);
    end[i] = Math.ceil(((i + 1) * n) / out);
  }
  return { start, end };
}
