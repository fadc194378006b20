import { ValueError } from '../../errors.js';
import type { Optimizer } from '../optimizer.js';
import { checkOption, perGroup } from './checks.js';

export interface ReduceLROnPlateauOptions {
  /** 'min' (default): the metric should fall, like a loss; 'max': it should rise, like accuracy. */
  mode?: 'min' | 'max';
  /** new lr = lr·factor (default 0.1); must be < 1. */
  factor?: number;
  /** Epochs without improvement tolerated before the lr is reduced (default 10). */
  patience?: number;
  /** How much better a metric must be to count as an improvement (default 1e-4). */
  threshold?: number;
  /** 'rel' (default): better than best·(1 ∓ threshold); 'abs': better than best ∓ threshold. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting bad epochs again (default 0). */
  cooldown?: number;
  /** The lowest lr, or one per parameter group (default 0). */
  minLr?: number | number[];
  /** Reductions smaller than eps are skipped (default 1e-8). */
  eps?: number;
}

interface PlateauSettings {
  mode: 'min' | 'max';
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  cooldown: number;
  minLrs: number[];
  eps: number;
}

/**
 * ReduceLROnPlateau's state. `best` is a number, or the string 'Infinity' / '-Infinity' (JSON has
 * no infinities; before the first metric best is the worst value of the mode).
 *
 * ```
 * { lastEpoch: 12, best: 0.3172, numBadEpochs: 2, cooldownCounter: 0, lastLr: [0.01],
 *   options: { mode: 'min', factor: 0.1, patience: 10, threshold: 1e-4, thresholdMode: 'rel', cooldown: 0, minLrs: [0], eps: 1e-8 } }
 * ```
 */
export interface ReduceLROnPlateauStateDict {
  lastEpoch: number;
  best: number | 'Infinity' | '-Infinity';
  numBadEpochs: number;
  cooldownCounter: number;
  lastLr: number[];
  options: PlateauSettings;
}

/**
 * Reduces the learning rate when a metric has stopped improving, as PyTorch 1.13's
 * `ReduceLROnPlateau`: `step(metric)` after each epoch (with, e.g., the validation loss). A metric
 * better than the best so far (by threshold) resets the count of bad epochs; once more than
 * `patience` epochs in a row were bad, every group's lr becomes max(lr·factor, minLr) (unless that
 * changes it by less than eps) and `cooldown` epochs follow in which bad epochs are not counted.
 *
 * @example
 * import { optim, nn } from 'waldo';
 * const optimizer = new optim.SGD(new nn.Linear(2, 1).parameters(), { lr: 0.1 });
 * const scheduler = new optim.ReduceLROnPlateau(optimizer, { patience: 2 });
 * for (const validationLoss of [1.0, 0.9, 0.9, 0.9, 0.9]) scheduler.step(validationLoss); // after each epoch
 * optimizer.paramGroups[0].lr; // 0.01: three epochs without improvement
 */
export class ReduceLROnPlateau {
  /** Epochs stepped so far. */
  lastEpoch = 0;
  /** The best metric so far (the mode's worst value, ±Infinity, before the first). */
  best: number;
  /** Bad epochs in a row (not counting cooldown). */
  numBadEpochs = 0;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;
  private options: PlateauSettings;
  private lastLr: number[];

  constructor(readonly optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    const name = 'ReduceLROnPlateau';
    if (optimizer === null || typeof optimizer !== 'object' || !Array.isArray(optimizer.paramGroups)) {
      throw new ValueError(`${name}: expected an optimizer (SGD, Adam, ...), got ${String(optimizer)}`);
    }
    const { mode = 'min', factor = 0.1, patience = 10, threshold = 1e-4, thresholdMode = 'rel', cooldown = 0, minLr = 0, eps = 1e-8 } = options;
    checkOption(typeof factor === 'number' && factor < 1, name, 'factor', 'a number < 1', factor);
    checkOption(mode === 'min' || mode === 'max', name, 'mode', "'min' or 'max'", mode);
    checkOption(thresholdMode === 'rel' || thresholdMode === 'abs', name, 'thresholdMode', "'rel' or 'abs'", thresholdMode);
    checkOption(Number.isInteger(patience) && patience >= 0, name, 'patience', 'a non-negative integer', patience);
    checkOption(Number.isInteger(cooldown) && cooldown >= 0, name, 'cooldown', 'a non-negative integer', cooldown);
    checkOption(typeof threshold === 'number' && threshold >= 0, name, 'threshold', 'a number ≥ 0', threshold);
    checkOption(typeof eps === 'number' && eps >= 0, name, 'eps', 'a number ≥ 0', eps);
    const minLrs = perGroup(minLr, optimizer.paramGroups.length, name, 'minLr');
    this.options = { mode, factor, patience, threshold, thresholdMode, cooldown, minLrs, eps };
    this.best = this.modeWorse();
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  /** Records the metric of one more epoch, and reduces the learning rates after a plateau. */
  step(metric: number): void {
    if (typeof metric !== 'number') {
      throw new ValueError(`ReduceLROnPlateau.step: expected the metric to watch (e.g. the validation loss), got ${String(metric)}`);
    }
    this.lastEpoch += 1;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad epochs in cooldown are ignored
    }
    if (this.numBadEpochs > this.options.patience) {
      this.reduceLr();
      this.cooldownCounter = this.options.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The groups' learning rates after the last step (before any step: their current ones). */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Whether a reduction happened recently enough that bad epochs are not being counted. */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  stateDict(): ReduceLROnPlateauStateDict {
    const best = this.best === Infinity ? 'Infinity' : this.best === -Infinity ? '-Infinity' : this.best;
    return {
      lastEpoch: this.lastEpoch, best, numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter,
      lastLr: [...this.lastLr], options: structuredClone(this.options),
    };
  }

  loadStateDict(dict: ReduceLROnPlateauStateDict): void {
    const where = 'ReduceLROnPlateau.loadStateDict';
    const groups = this.optimizer.paramGroups.length;
    if (dict === null || typeof dict !== 'object' || typeof dict.lastEpoch !== 'number' || typeof dict.numBadEpochs !== 'number' || typeof dict.cooldownCounter !== 'number' || dict.options === null || typeof dict.options !== 'object') {
      throw new ValueError(`${where}: expected an object { lastEpoch, best, numBadEpochs, cooldownCounter, lastLr, options } from stateDict()`);
    }
    const best = dict.best === 'Infinity' ? Infinity : dict.best === '-Infinity' ? -Infinity : dict.best;
    if (typeof best !== 'number') throw new ValueError(`${where}: best must be a number, 'Infinity' or '-Infinity', got ${JSON.stringify(dict.best)}`);
    if (!Array.isArray(dict.lastLr) || dict.lastLr.length !== groups || !Array.isArray(dict.options.minLrs) || dict.options.minLrs.length !== groups) {
      throw new ValueError(`${where}: lastLr and options.minLrs must hold one number per parameter group (${groups})`);
    }
    this.lastEpoch = dict.lastEpoch;
    this.best = best;
    this.numBadEpochs = dict.numBadEpochs;
    this.cooldownCounter = dict.cooldownCounter;
    this.lastLr = [...dict.lastLr];
    this.options = structuredClone(dict.options);
  }

  private modeWorse(): number {
    return this.options.mode === 'min' ? Infinity : -Infinity;
  }

  /** PyTorch's `is_better`, with its arithmetic order (so ties fall the same way). */
  private isBetter(a: number, best: number): boolean {
    const { mode, threshold, thresholdMode } = this.options;
    if (mode === 'min' && thresholdMode === 'rel') return a < best * (1 - threshold);
    if (mode === 'min') return a < best - threshold;
    if (thresholdMode === 'rel') return a > best * (threshold + 1);
    return a > best + threshold;
  }

  private reduceLr(): void {
    const { factor, minLrs, eps } = this.options;
    this.optimizer.paramGroups.forEach((group, i) => {
      const oldLr = group.lr;
      const newLr = Math.max(oldLr * factor, minLrs[i]);
      if (oldLr - newLr > eps) group.lr = newLr;
    });
  }
}
