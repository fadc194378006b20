/**
 * Batch normalization over the channel dimension (dim 1) of [N, C] or [N, C, *] inputs,
 * with PyTorch's semantics: training normalizes with the batch's biased variance and updates the
 * running estimates in place with the unbiased one, r ← (1 − momentum)·r + momentum·stat;
 * evaluation normalizes with the running estimates.
 */
import { record } from '../autograd/node.js';
import { ShapeError, ValueError } from '../errors.js';
import type { FloatArray } from '../backend/backend.js';
import { allocate } from '../tensor/dtype.js';
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
  const mean = new Float64Array(c);
  const invStd = new Float64Array(c);
  if (training) {
    for (let ch = 0; ch < c; ch++) {
      const mu = channelSum(X, n, c, ch, spatial, 0) / count;
      const sq = channelSum(X, n, c, ch, spatial, mu, true);
      mean[ch] = mu;
      invStd[ch] = 1 / Math.sqrt(sq / count + eps);
      // Running statistics are buffers, updated in place outside the graph.
      if (runningMean !== null) runningMean.data[ch] = (1 - momentum) * runningMean.data[ch] + momentum * mu;
      if (runningVar !== null) runningVar.data[ch] = (1 - momentum) * runningVar.data[ch] + momentum * (sq / (count - 1));
    }
  } else {
    for (let ch = 0; ch < c; ch++) {
      mean[ch] = runningMean!.data[ch];
      invStd[ch] = 1 / Math.sqrt(runningVar!.data[ch] + eps);
    }
  }
  const W = weight?.data;
  const B = bias?.data;
  // y = x̂·weight + bias = x·scale + shift per channel; x̂ is not kept (backward recomputes it from x).
  const scale = new Float64Array(c);
  const shift = new Float64Array(c);
  for (let ch = 0; ch < c; ch++) {
    scale[ch] = (W === undefined ? 1 : W[ch]) * invStd[ch];
    shift[ch] = (B === undefined ? 0 : B[ch]) - mean[ch] * scale[ch];
  }
  const Y = allocate(x.dtype, X.length) as FloatArray;
  affinePerChannel(X, Y, null, n, c, spatial, scale, shift);
  const inputs = [x, ...(weight === null ? [] : [weight]), ...(bias === null ? [] : [bias])];
  return record(new Tensor(Y, x.shape), 'batchNorm', inputs, (gradOut) => {
    const G = gradOut.data as FloatArray;
    const dx = allocate(x.dtype, X.length) as FloatArray;
    const dw = allocate(x.dtype, c);
    const db = allocate(x.dtype, c);
    // Training: the batch statistics depend on x, which adds two terms to the fixed affine map's
    // gradient: dx = s·(g − Σg/count − x̂·Σ(g·x̂)/count) with s = weight·invStd, x̂ = (x − μ)·invStd,
    // i.e. dx = a·g + b·(x − μ) + c per channel. Evaluation: dx = s·g.
    const a = new Float64Array(c);
    const bx = new Float64Array(c);
    const c0 = new Float64Array(c);
    for (let ch = 0; ch < c; ch++) {
      const sumG = channelSum(G, n, c, ch, spatial, 0);
      const sumGxHat = channelDot(G, X, n, c, ch, spatial, mean[ch]) * invStd[ch];
      dw[ch] = sumGxHat;
      db[ch] = sumG;
      const sc = (W === undefined ? 1 : W[ch]) * invStd[ch];
      a[ch] = sc;
      if (training) {
        bx[ch] = -sc * invStd[ch] * sumGxHat / count;
        c0[ch] = -sc * sumG / count;
      }
    }
    affinePerChannel(G, dx, { x: X, center: mean, b: bx }, n, c, spatial, a, c0);
    const grads: (Tensor | null)[] = [new Tensor(dx, x.shape)];
    if (weight !== null) grads.push(new Tensor(dw, weight.shape));
    if (bias !== null) grads.push(new Tensor(db, bias.shape));
    return grads;
  });
}

// The loops below walk one channel's planes (one per image, `spatial` contiguous values each) with
// four accumulators: a single running sum is a chain of dependent adds, four times slower.

/** Σ over channel ch of (v − center), or of (v − center)² when `squares`, in float64. */
function channelSum(X: FloatArray, n: number, c: number, ch: number, spatial: number, center: number, squares = false): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let b = 0; b < n; b++) {
    const start = (b * c + ch) * spatial, end = start + spatial;
    let i = start;
    if (squares) {
      for (; i + 4 <= end; i += 4) {
        const d0 = X[i] - center, d1 = X[i + 1] - center, d2 = X[i + 2] - center, d3 = X[i + 3] - center;
        s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
      }
      for (; i < end; i++) { const d = X[i] - center; s0 += d * d; }
    } else {
      for (; i + 4 <= end; i += 4) { s0 += X[i] - center; s1 += X[i + 1] - center; s2 += X[i + 2] - center; s3 += X[i + 3] - center; }
      for (; i < end; i++) s0 += X[i] - center;
    }
  }
  return (s0 + s1) + (s2 + s3);
}

/** Σ over channel ch of g·(x − center), in float64. */
function channelDot(G: FloatArray, X: FloatArray, n: number, c: number, ch: number, spatial: number, center: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let b = 0; b < n; b++) {
    const start = (b * c + ch) * spatial, end = start + spatial;
    let i = start;
    for (; i + 4 <= end; i += 4) {
      s0 += G[i] * (X[i] - center); s1 += G[i + 1] * (X[i + 1] - center);
      s2 += G[i + 2] * (X[i + 2] - center); s3 += G[i + 3] * (X[i + 3] - center);
    }
    for (; i < end; i++) s0 += G[i] * (X[i] - center);
  }
  return (s0 + s1) + (s2 + s3);
}

/** out = src·a_ch + add_ch, plus (x − center_ch)·b_ch when `extra` is given; channel by channel. */
function affinePerChannel(
  src: FloatArray, out: FloatArray, extra: { x: FloatArray; center: Float64Array; b: Float64Array } | null,
  n: number, c: number, spatial: number, a: Float64Array, add: Float64Array,
): void {
  for (let img = 0; img < n; img++) {
    for (let ch = 0; ch < c; ch++) {
      const start = (img * c + ch) * spatial, end = start + spatial;
      const ka = a[ch], kc = add[ch];
      if (extra === null || extra.b[ch] === 0) {
        for (let i = start; i < end; i++) out[i] = src[i] * ka + kc;
      } else {
        const { x } = extra, kb = extra.b[ch], m = extra.center[ch];
        for (let i = start; i < end; i++) out[i] = src[i] * ka + (x[i] - m) * kb + kc;
      }
    }
  }
}
