import type { Optimizer } from '../optimizer.js';
import { checkOption } from './checks.js';
import { LRScheduler } from './lrScheduler.js';

export interface StepLROptions {
  /** Epochs between decays. */
  stepSize: number;
  /** Factor the learning rate is multiplied by every stepSize epochs (default 0.1). */
  gamma?: number;
}

/**
 * Multiplies each group's learning rate by gamma every stepSize epochs, as PyTorch 1.13's
 * `StepLR` (its recursive `get_lr`: the current lr times gamma when lastEpoch is a positive
 * multiple of stepSize, so lr = initialLr·gamma^⌊epoch/stepSize⌋ up to rounding).
 *
 * @example
 * import { optim, nn } from 'waldo';
 * const optimizer = new optim.SGD(new nn.Linear(2, 1).parameters(), { lr: 0.1 });
 * const scheduler = new optim.StepLR(optimizer, { stepSize: 30, gamma: 0.1 });
 * // lr 0.1 for epochs 0–29, 0.01 for 30–59, ...; call scheduler.step() after each epoch
 */
export class StepLR extends LRScheduler<Required<StepLROptions>> {
  protected options: Required<StepLROptions>;

  constructor(optimizer: Optimizer, options: StepLROptions) {
    super(optimizer);
    const { stepSize, gamma = 0.1 } = options;
    checkOption(Number.isInteger(stepSize) && stepSize > 0, 'StepLR', 'stepSize', 'a positive integer', stepSize);
    checkOption(Number.isFinite(gamma), 'StepLR', 'gamma', 'a finite number', gamma);
    this.options = { stepSize, gamma };
    this.step();
  }

  protected getLr(): number[] {
    const { stepSize, gamma } = this.options;
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0 || this.lastEpoch % stepSize !== 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * gamma);
  }
}
