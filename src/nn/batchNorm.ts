import { ValueError } from '../errors.js';
import { batchNorm, batchNormRelu } from '../ops/norm.js';
import type { BatchNormCall } from '../ops/convBatchNorm.js';
import { sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';
import { type LayerShape, expectInput } from './shapeInference.js';

export interface BatchNormLayerOptions {
  /** Default 1e-5. */
  eps?: number;
  /** Weight of each batch in the running statistics (default 0.1); null for a cumulative average. */
  momentum?: number | null;
  /** Learn a per-channel scale and shift (default true). */
  affine?: boolean;
  /** Keep running statistics for evaluation (default true). */
  trackRunningStats?: boolean;
}

/**
 * Batch normalization with PyTorch's parameters (`weight` = 1, `bias` = 0) and buffers
 * (`running_mean` = 0, `running_var` = 1, `num_batches_tracked` = 0) under PyTorch's names.
 */
abstract class BatchNormNd extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  readonly numBatchesTracked: Tensor | null;
  readonly eps: number;
  readonly momentum: number | null;

  constructor(readonly numFeatures: number, options: BatchNormLayerOptions, private readonly ranks: number[]) {
    super();
    const { eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true } = options;
    if (!Number.isInteger(numFeatures) || numFeatures < 1) throw new ValueError(`${this.constructor.name}: numFeatures must be a positive integer, got ${numFeatures}`);
    if (!(eps > 0)) throw new ValueError(`${this.constructor.name}: eps must be positive, got ${eps}`);
    this.eps = eps;
    this.momentum = momentum;
    this.weight = this.registerParameter('weight', affine ? new Tensor(new Float32Array(numFeatures).fill(1), [numFeatures]) : null);
    this.bias = this.registerParameter('bias', affine ? new Tensor(new Float32Array(numFeatures), [numFeatures]) : null);
    this.runningMean = this.registerBuffer('running_mean', trackRunningStats ? new Tensor(new Float32Array(numFeatures), [numFeatures]) : null);
    this.runningVar = this.registerBuffer('running_var', trackRunningStats ? new Tensor(new Float32Array(numFeatures).fill(1), [numFeatures]) : null);
    this.numBatchesTracked = this.registerBuffer('num_batches_tracked', trackRunningStats ? new Tensor(new Int32Array(1), []) : null);
  }

  forward(x: Tensor): Tensor {
    return this.normalize(x, batchNorm);
  }

  /** relu(forward(x)) in one pass, for nn.Sequential's fusion; null when forward is overridden. */
  forwardRelu(x: Tensor): Tensor | null {
    return this.forward === BatchNormNd.prototype.forward ? this.normalize(x, batchNormRelu) : null;
  }

  /**
   * forward(x) as batch norm's arguments, for nn.Sequential's Conv → BatchNorm fusion, given the
   * rank and channels of the convolution's output; null when it cannot fuse: forward overridden, an
   * input forward would reject, or normalizing with the running statistics (evaluation). Counts the
   * batch in num_batches_tracked as forward does, so call it only to run the fused op.
   */
  batchNormCall(rank: number, channels: number): BatchNormCall | null {
    if (this.forward !== BatchNormNd.prototype.forward || !this.ranks.includes(rank) || channels !== this.numFeatures) return null;
    if (!this.usesBatchStatistics()) return null;
    const { momentum, eps } = this.countBatch();
    return { runningMean: this.runningMean, runningVar: this.runningVar, weight: this.weight, bias: this.bias, options: { momentum, eps } };
  }

  private usesBatchStatistics(): boolean {
    // Without running statistics the batch's are used always.
    return this.training || this.runningMean === null;
  }

  /** Counts a training batch; returns the momentum and eps to normalize it with. */
  private countBatch(): { momentum: number; eps: number } {
    let momentum = this.momentum ?? 0;
    if (this.training && this.numBatchesTracked !== null) {
      this.numBatchesTracked.data[0] += 1;
      // momentum null: the running statistics are the plain average of every batch so far.
      if (this.momentum === null) momentum = 1 / this.numBatchesTracked.data[0];
    }
    return { momentum, eps: this.eps };
  }

  private normalize(x: Tensor, op: typeof batchNorm): Tensor {
    expectInput(this.constructor.name, this.constructor.name, x.shape, this.ranks, this.numFeatures, 1);
    const training = this.usesBatchStatistics();
    // In training the running statistics are updated in place.
    return op(x, this.runningMean, this.runningVar, this.weight, this.bias, { training, ...this.countBatch() });
  }

  override describe(inputShape: readonly number[], path: string): LayerShape {
    expectInput(path, this.constructor.name, inputShape, this.ranks, this.numFeatures, 1);
    return { outputShape: [...inputShape], macs: sizeOf(inputShape) };
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null ? 'True' : 'False'}, track_running_stats=${this.runningMean !== null ? 'True' : 'False'}`;
  }
}

/**
 * Over [N, C] or [N, C, L].
 *
 * @example
 * import { nn, randn } from 'waldo';
 * const bn = new nn.BatchNorm1d(16);
 * bn.call(randn([8, 16])).shape; // [8, 16]; the running statistics are updated in training mode
 */
export class BatchNorm1d extends BatchNormNd {
  constructor(numFeatures: number, options: BatchNormLayerOptions = {}) { super(numFeatures, options, [2, 3]); }
}

/**
 * Over [N, C, H, W].
 *
 * @example
 * import { nn, randn } from 'waldo';
 * const bn = new nn.BatchNorm2d(16);
 * bn.call(randn([8, 16, 5, 5])); // training: normalised with the batch's statistics
 * bn.eval().call(randn([1, 16, 5, 5])); // evaluation: with the running ones
 */
export class BatchNorm2d extends BatchNormNd {
  constructor(numFeatures: number, options: BatchNormLayerOptions = {}) { super(numFeatures, options, [4]); }
}
