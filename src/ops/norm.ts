/**
 * Batch normalization over the channel dimension (dim 1) of [N, C] or [N, C, *] inputs,
 * with PyTorch's semantics: training normalizes with the batch's biased variance and updates the
 * running estimates in place with the unbiased one, r ← (1 − momentum)·r + momentum·stat;
 * evaluation normalizes with the running estimates.
 */
import { record } from '../autograd/node.js';
import { ShapeError, ValueError } from '../errors.js';
import type { ChannelAffineMap, ChannelGeometry, Epilogue, FloatArray } from '../backend/backend.js';
import { backendFor } from '../backend/index.js';
import { allocate, allocateForOverwrite } from '../tensor/dtype.js';
import { formatShape, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { checkFloat } from './convGeometry.js';

export interface BatchNormOptions {
  /** Normalize with batch statistics and update the running ones (default false, as PyTorch's functional form). */
  training?: boolean;
  /** Weight of the new statistic in the running estimate (default 0.1). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

function checkChannelVector(name: string, t: Tensor | null, channels: number, x: Tensor): void {
  if (t !== null && (t.ndim !== 1 || t.shape[0] !== channels)) {
    throw new ShapeError(`batchNorm: ${name} ${formatShape(t.shape)} must be [${channels}] for input ${formatShape(x.shape)} with ${channels} channels`);
  }
}

/**
 * y = (x − μ_c) / √(σ²_c + eps) · weight_c + bias_c.
 *
 * @example
 * import { functional as F, randn, zeros, ones } from 'waldo';
 * const runningMean = zeros([3]);
 * const runningVar = ones([3]);
 * F.batchNorm(randn([8, 3, 4, 4]), runningMean, runningVar, null, null, { training: true }); // updates both in place
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  options: BatchNormOptions = {},
): Tensor {
  return normalize(null, x, runningMean, runningVar, weight, bias, options);
}

/**
 * relu(batchNorm(…)) in one pass over the output, with the same values and gradients as the two
 * ops; nn.Sequential uses it for a batch norm followed by ReLU.
 */
export function batchNormRelu(...args: Parameters<typeof batchNorm>): Tensor {
  return normalize('relu', ...args);
}

function normalize(
  epilogue: Epilogue,
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  options: BatchNormOptions = {},
): Tensor {
  const { training = false, momentum = 0.1, eps = 1e-5 } = options;
  checkFloat('batchNorm', 'input', x);
  if (x.ndim < 2) throw new ShapeError(`batchNorm: input must be [N, C] or [N, C, *], got ${formatShape(x.shape)}`);
  if (!(eps > 0)) throw new ValueError(`batchNorm: eps must be positive, got ${eps}`);
  const [n, c] = x.shape;
  const spatial = sizeOf(x.shape.slice(2));
  const count = n * spatial;
  for (const [name, t] of [['runningMean', runningMean], ['runningVar', runningVar], ['weight', weight], ['bias', bias]] as const) checkChannelVector(name, t, c, x);
  if (!training && (runningMean === null || runningVar === null)) throw new ValueError('batchNorm: evaluation mode needs runningMean and runningVar');
  if (training && count <= 1) {
    throw new ValueError(`batchNorm: training needs more than one value per channel, got input ${formatShape(x.shape)}`);
  }
  const X = x.data as FloatArray;
  const backend = backendFor(x.dtype as 'float32' | 'float64'); // checkFloat above
  const geometry: ChannelGeometry = { batch: n, channels: c, spatial };
  const mean = new Float64Array(c);
  const invStd = new Float64Array(c);
  const W = weight?.data;
  const B = bias?.data;
  // y = x̂·weight + bias = x·scale + shift per channel; x̂ is not kept (backward recomputes it from x).
  const affine = (): { scale: Float64Array; shift: Float64Array } => {
    const scale = new Float64Array(c);
    const shift = new Float64Array(c);
    for (let ch = 0; ch < c; ch++) {
      scale[ch] = (W === undefined ? 1 : W[ch]) * invStd[ch];
      shift[ch] = (B === undefined ? 0 : B[ch]) - mean[ch] * scale[ch];
    }
    return { scale, shift };
  };
  const Y = allocateForOverwrite(x.dtype, X.length) as FloatArray;
  // The map applied, kept for the fused ReLU's gradient (positive where x·scale + shift is).
  let forwardMap: ChannelAffineMap | null = null;
  if (training) {
    // One backend call: the moments, then (here) the statistics, then the affine map, x read once.
    backend.normalizeChannels(geometry, X, mean, new Float64Array(c), (_, squares) => {
      for (let ch = 0; ch < c; ch++) {
        invStd[ch] = 1 / Math.sqrt(squares[ch] / count + eps);
        // Running statistics are buffers, updated in place outside the graph.
        if (runningMean !== null) runningMean.data[ch] = (1 - momentum) * runningMean.data[ch] + momentum * mean[ch];
        if (runningVar !== null) runningVar.data[ch] = (1 - momentum) * runningVar.data[ch] + momentum * (squares[ch] / (count - 1));
      }
      forwardMap = affine();
      return forwardMap;
    }, Y, epilogue);
  } else {
    for (let ch = 0; ch < c; ch++) {
      mean[ch] = runningMean!.data[ch];
      invStd[ch] = 1 / Math.sqrt(runningVar!.data[ch] + eps);
    }
    forwardMap = affine();
    backend.channelAffine(geometry, X, forwardMap.scale, forwardMap.shift, null, Y, epilogue);
  }
  const inputs = [x, ...(weight === null ? [] : [weight]), ...(bias === null ? [] : [bias])];
  return record(new Tensor(Y, x.shape), epilogue === null ? 'batchNorm' : 'batchNorm+relu', inputs, (gradOut) => {
    const dw = allocate(x.dtype, c);
    const db = allocate(x.dtype, c);
    const dx = allocateForOverwrite(x.dtype, X.length) as FloatArray;
    // One backend call: the fused ReLU's gradient (recomputed from x), the sums, then (here) the
    // coefficients, then dx. Training: the batch statistics depend on x, which adds two terms to
    // the fixed affine map's gradient: dx = s·(g − Σg/count − x̂·Σ(g·x̂)/count) with s =
    // weight·invStd, x̂ = (x − μ)·invStd, i.e. dx = a·g + b·(x − μ) + c per channel. Evaluation: dx = s·g.
    backend.normalizeChannelsBackward(geometry, gradOut.data as FloatArray, X, epilogue === 'relu' ? forwardMap : null, mean, new Float64Array(c), new Float64Array(c), (sums, dots) => {
      const a = new Float64Array(c);
      const coef = new Float64Array(c);
      const add = new Float64Array(c);
      for (let ch = 0; ch < c; ch++) {
        const sumGxHat = dots[ch] * invStd[ch];
        dw[ch] = sumGxHat;
        db[ch] = sums[ch];
        const sc = (W === undefined ? 1 : W[ch]) * invStd[ch];
        a[ch] = sc;
        if (training) {
          coef[ch] = -sc * invStd[ch] * sumGxHat / count;
          add[ch] = -sc * sums[ch] / count;
        }
      }
      return { scale: a, shift: add, term: training ? { center: mean, coef } : null };
    }, dx);
    const grads: (Tensor | null)[] = [new Tensor(dx, x.shape)];
    if (weight !== null) grads.push(new Tensor(dw, weight.shape));
    if (bias !== null) grads.push(new Tensor(db, bias.shape));
    return grads;
  });
}
