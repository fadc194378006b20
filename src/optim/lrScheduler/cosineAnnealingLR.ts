import type { Optimizer } from '../optimizer.js';
import { checkOption } from './checks.js';
import { LRScheduler } from './lrScheduler.js';

export interface CosineAnnealingLROptions {
  /** Epochs of a half cosine period: the lr reaches etaMin at epoch tMax. */
  tMax: number;
  /** The lowest learning rate (default 0). */
  etaMin?: number;
}

/**
 * Cosine annealing, as PyTorch 1.13's `CosineAnnealingLR`:
 * lr_t = etaMin + (initialLr − etaMin)·(1 + cos(π·t/tMax))/2, computed as PyTorch's `get_lr`
 * does, recursively from the current lr:
 *
 * ```
 * lr_t = (1 + cos(π·t/tMax)) / (1 + cos(π·(t−1)/tMax)) · (lr_{t−1} − etaMin) + etaMin
 * ```
 *
 * (and, where that would divide by zero, at t − 1 − tMax a multiple of 2·tMax,
 * lr_t = lr_{t−1} + (initialLr − etaMin)·(1 − cos(π/tMax))/2). Past tMax the lr rises again.
 *
 * @example
 * import { optim, nn } from 'waldo';
 * const optimizer = new optim.Adam(new nn.Linear(2, 1).parameters(), { lr: 1e-3 });
 * const epochs = 20;
 * const scheduler = new optim.CosineAnnealingLR(optimizer, { tMax: epochs });
 * for (let epoch = 0; epoch < epochs; epoch++) scheduler.step(); // after each epoch's batches
 * scheduler.getLastLr(); // [0]: annealed to etaMin
 */
export class CosineAnnealingLR extends LRScheduler<Required<CosineAnnealingLROptions>> {
  protected options: Required<CosineAnnealingLROptions>;

  constructor(optimizer: Optimizer, options: CosineAnnealingLROptions) {
    super(optimizer);
    const { tMax, etaMin = 0 } = options;
    checkOption(typeof tMax === 'number' && tMax > 0 && Number.isFinite(tMax), 'CosineAnnealingLR', 'tMax', 'a positive number', tMax);
    checkOption(Number.isFinite(etaMin), 'CosineAnnealingLR', 'etaMin', 'a finite number', etaMin);
    this.options = { tMax, etaMin };
    this.step();
  }

  protected getLr(): number[] {
    const { tMax, etaMin } = this.options;
    const epoch = this.lastEpoch;
    const groups = this.optimizer.paramGroups;
    if (epoch === 0) return groups.map((g) => g.lr);
    if (this.stepCount === 1 && epoch > 0) {
      return this.baseLrs.map((base) => etaMin + (base - etaMin) * (1 + Math.cos((epoch * Math.PI) / tMax)) / 2);
    }
    // Python's % floors and JavaScript's truncates, but both give 0 exactly for the multiples.
    if ((epoch - 1 - tMax) % (2 * tMax) === 0) {
      return groups.map((g, i) => g.lr + (this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2);
    }
    return groups.map((g) => (1 + Math.cos((Math.PI * epoch) / tMax)) / (1 + Math.cos((Math.PI * (epoch - 1)) / tMax)) * (g.lr - etaMin) + etaMin);
  }
}
