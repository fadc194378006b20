/**
 * Batch normalization over the channel dimension (dim 1) of [N, C] or [N, C, *] inputs,
 * with PyTorch's semantics: training normalizes with the batch's biased variance and updates the
 * running estimates in place with the unbiased one, r ← (1 − momentum)·r + momentum·stat;
 * evaluation normalizes with the running estimates.
 */
import { record } from '../autograd/node.js';
import { ShapeError, ValueError } from '../errors.js';
import type { ChannelAffineMap, ChannelAffineParams, ChannelGeometry, Epilogue, FloatArray } from '../backend/backend.js';
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

function checkChannelVector(name: string, t: Tensor | null, channels: number, shape: readonly number[]): void {
  if (t !== null && (t.ndim !== 1 || t.shape[0] !== channels)) {
    throw new ShapeError(`batchNorm: ${name} ${formatShape(t.shape)} must be [${channels}] for input ${formatShape(shape)} with ${channels} channels`);
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

/**
 * A batch norm prepared for an input of a known shape: its geometry, and the callbacks by which the
 * backend's composite kernels turn channel sums into coefficients. Shared by batchNorm and the
 * convolution-then-batch-norm op (convBatchNorm.ts), whose input exists only inside its kernel call.
 */
export interface NormalizePlan {
  readonly geometry: ChannelGeometry;
  readonly training: boolean;
  /** The batch's mean in training, the running one in evaluation (filled by `statistics`). */
  readonly mean: Float64Array;
  /**
   * The training forward's callback: invStd from the moments, the running statistics updated in
   * place, and the affine map to apply, which is also kept as `forwardMap`.
   */
  statistics(mean: Float64Array, squares: Float64Array): ChannelAffineMap;
  /** Evaluation's affine map, from the running statistics (kept as `forwardMap`). */
  runningMap(): ChannelAffineMap;
  /** The map the forward pass applied: a fused ReLU's gradient recomputes its input from it. */
  readonly forwardMap: ChannelAffineMap | null;
  /** The backward callback: dx's coefficients from the sums, the weight and bias gradients written into dw and db. */
  gradientParams(dw: FloatArray, db: FloatArray): (sums: Float64Array, dots: Float64Array) => ChannelAffineParams;
}

export function planNormalize(
  shape: readonly number[],
  dtype: 'float32' | 'float64',
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null,
  bias: Tensor | null,
  options: BatchNormOptions,
): NormalizePlan {
  const { training = false, momentum = 0.1, eps = 1e-5 } = options;
  if (shape.length < 2) throw new ShapeError(`batchNorm: input must be [N, C] or [N, C, *], got ${formatShape(shape)}`);
  if (!(eps > 0)) throw new ValueError(`batchNorm: eps must be positive, got ${eps}`);
  const [n, c] = shape as [number, number];
  const spatial = sizeOf(shape.slice(2));
  const count = n * spatial;
  for (const [name, t] of [['runningMean', runningMean], ['runningVar', runningVar], ['weight', weight], ['bias', bias]] as const) checkChannelVector(name, t, c, shape);
  if (!training && (runningMean === null || runningVar === null)) throw new ValueError('batchNorm: evaluation mode needs runningMean and runningVar');
  if (training && count <= 1) {
    throw new ValueError(`batchNorm: training needs more than one value per channel, got input ${formatShape(shape)}`);
  }
  const mean = new Float64Array(c);
  const invStd = new Float64Array(c);
  const W = weight?.data;
  const B = bias?.data;
  let forwardMap: ChannelAffineMap | null = null;
  // y = x̂·weight + bias = x·scale + shift per channel; x̂ is not kept (backward recomputes it from x).
  const affine = (): ChannelAffineMap => {
    const scale = new Float64Array(c);
    const shift = new Float64Array(c);
    for (let ch = 0; ch < c; ch++) {
      scale[ch] = (W === undefined ? 1 : W[ch]) * invStd[ch];
      shift[ch] = (B === undefined ? 0 : B[ch]) - mean[ch] * scale[ch];
    }
    forwardMap = { scale, shift };
    return forwardMap;
  };
  return {
    geometry: { batch: n, channels: c, spatial },
    training,
    mean,
    get forwardMap() { return forwardMap; },
    statistics(_, squares) {
      for (let ch = 0; ch < c; ch++) {
        invStd[ch] = 1 / Math.sqrt(squares[ch] / count + eps);
        // Running statistics are buffers, updated in place outside the graph.
        if (runningMean !== null) runningMean.data[ch] = (1 - momentum) * runningMean.data[ch] + momentum * mean[ch];
        if (runningVar !== null) runningVar.data[ch] = (1 - momentum) * runningVar.data[ch] + momentum * (squares[ch] / (count - 1));
      }
      return affine();
    },
    runningMap() {
      for (let ch = 0; ch < c; ch++) {
        mean[ch] = runningMean!.data[ch];
        invStd[ch] = 1 / Math.sqrt(runningVar!.data[ch] + eps);
      }
      return affine();
    },
    // Training: the batch statistics depend on x, which adds two terms to the fixed affine map's
    // gradient: dx = s·(g − Σg/count − x̂·Σ(g·x̂)/count) with s = weight·invStd, x̂ = (x − μ)·invStd,
    // i.e. dx = a·g + b·(x − μ) + c per channel. Evaluation: dx = s·g.
    gradientParams: (dw, db) => (sums, dots) => {
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
    },
  };
}

/** batchNorm, then the epilogue. */
function normalize(epilogue: Epilogue, ...[x, runningMean, runningVar, weight = null, bias = null, options = {}]: Parameters<typeof batchNorm>): Tensor {
  checkFloat('batchNorm', 'input', x);
  const dtype = x.dtype as 'float32' | 'float64'; // checkFloat above
  const plan = planNormalize(x.shape, dtype, runningMean, runningVar, weight, bias, options);
  const { geometry, mean } = plan;
  const c = geometry.channels;
  const X = x.data as FloatArray;
  const backend = backendFor(dtype);
  const Y = allocateForOverwrite(dtype, X.length) as FloatArray;
  if (plan.training) {
    // One backend call: the moments, then (in plan.statistics) the statistics, then the affine map, x read once.
    backend.normalizeChannels(geometry, X, mean, new Float64Array(c), plan.statistics, Y, epilogue);
  } else {
    const map = plan.runningMap();
    backend.channelAffine(geometry, X, map.scale, map.shift, null, Y, epilogue);
  }
  const inputs = [x, ...(weight === null ? [] : [weight]), ...(bias === null ? [] : [bias])];
  return record(new Tensor(Y, x.shape), epilogue === null ? 'batchNorm' : 'batchNorm+relu', inputs, (gradOut) => {
    const dw = allocate(dtype, c) as FloatArray;
    const db = allocate(dtype, c) as FloatArray;
    const dx = allocateForOverwrite(dtype, X.length) as FloatArray;
    // One backend call: the fused ReLU's gradient (recomputed from x), the sums, then (in the plan)
    // the coefficients, then dx.
    backend.normalizeChannelsBackward(geometry, gradOut.data as FloatArray, X, epilogue === 'relu' ? plan.forwardMap : null, mean,
      new Float64Array(c), new Float64Array(c), plan.gradientParams(dw, db), dx);
    return normalizeGradients(x.shape, dx, weight, dw, bias, db);
  });
}

/** The gradients of batch norm's inputs in record()'s order: x, then weight and bias where present. */
function normalizeGradients(shape: readonly number[], dx: FloatArray, weight: Tensor | null, dw: FloatArray, bias: Tensor | null, db: FloatArray): Tensor[] {
  const grads = [new Tensor(dx, shape)];
  if (weight !== null) grads.push(new Tensor(dw, weight.shape));
  if (bias !== null) grads.push(new Tensor(db, bias.shape));
  return grads;
}
