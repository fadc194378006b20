import { ValueError } from '../../errors.js';
import type { Optimizer } from '../optimizer.js';

/**
 * A scheduler's state as a plain JSON object: the counters and learning rates every scheduler has,
 * and the scheduler's own settings under `options`.
 *
 * ```
 * { lastEpoch: 3, stepCount: 4, baseLrs: [0.1], lastLr: [0.0345], options: { tMax: 10, etaMin: 0 } }
 * ```
 */
export interface LRSchedulerStateDict<S extends object = object> {
  lastEpoch: number;
  stepCount: number;
  baseLrs: number[];
  lastLr: number[];
  options: S;
}

/**
 * The base of the epoch-indexed schedulers, with PyTorch 1.13's `_LRScheduler` semantics: at
 * construction each parameter group gets `initialLr` (if it has none yet) and those become
 * `baseLrs`; then the scheduler takes its initial step, to lastEpoch 0. Each `step()` advances
 * lastEpoch by one and writes `getLr()` into the groups' `lr`.
 *
 * `step()` takes no epoch (PyTorch's epoch argument is deprecated); an argument is ignored, so the
 * training loop may pass every scheduler the validation loss that only ReduceLROnPlateau uses.
 *
 * A subclass sets its fields and then calls `this.step()` at the end of its constructor (JavaScript
 * initialises a subclass's fields only after the base constructor returns).
 *
 * @example
 * import { optim, nn } from 'waldo';
 * const opt = new optim.SGD(new nn.Linear(2, 1).parameters(), { lr: 0.1 });
 * const scheduler: optim.LRScheduler = new optim.StepLR(opt, { stepSize: 1, gamma: 0.5 });
 * scheduler.step();
 * scheduler.getLastLr(); // [0.05]
 */
export abstract class LRScheduler<S extends object = object> {
  /** The learning rates the schedule starts from: each group's `initialLr`. */
  baseLrs: number[];
  /** Steps taken after the initial one (PyTorch's `last_epoch`); -1 before the initial step. */
  lastEpoch = -1;
  /** Calls of step(), the initial one included (PyTorch's `_step_count`). */
  protected stepCount = 0;
  protected lastLr: number[] = [];
  /** The scheduler's own settings, saved in its state dict. */
  protected abstract options: S;

  protected constructor(readonly optimizer: Optimizer) {
    if (optimizer === null || typeof optimizer !== 'object' || !Array.isArray(optimizer.paramGroups)) {
      throw new ValueError(`${new.target.name}: expected an optimizer (SGD, Adam, ...), got ${String(optimizer)}`);
    }
    for (const group of optimizer.paramGroups) group.initialLr ??= group.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
  }

  /** The learning rates for the current lastEpoch, one per parameter group (PyTorch's `get_lr`). */
  protected abstract getLr(): number[];

  /** Advances the schedule by one epoch (or batch) and sets each group's learning rate. */
  step(): void {
    this.stepCount++;
    this.lastEpoch++;
    const lrs = this.getLr();
    this.optimizer.paramGroups.forEach((group, i) => { group.lr = lrs[i]; });
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The learning rates set by the last step, one per parameter group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): LRSchedulerStateDict<S> {
    return {
      lastEpoch: this.lastEpoch,
      stepCount: this.stepCount,
      baseLrs: [...this.baseLrs],
      lastLr: [...this.lastLr],
      options: structuredClone(this.options),
    };
  }

  /**
   * Restores a state from `stateDict()` of a scheduler of the same kind. The learning rates
   * themselves live in the optimizer: load its state dict too.
   */
  loadStateDict(dict: LRSchedulerStateDict<S>): void {
    const name = this.constructor.name;
    const groups = this.optimizer.paramGroups.length;
    if (dict === null || typeof dict !== 'object' || typeof dict.lastEpoch !== 'number' || typeof dict.stepCount !== 'number') {
      throw new ValueError(`${name}.loadStateDict: expected an object { lastEpoch, stepCount, baseLrs, lastLr, options } from stateDict()`);
    }
    for (const key of ['baseLrs', 'lastLr'] as const) {
      const value = dict[key];
      if (!Array.isArray(value) || value.length !== groups || value.some((v) => typeof v !== 'number')) {
        throw new ValueError(`${name}.loadStateDict: ${key} must hold one number per parameter group (${groups}), got ${JSON.stringify(value)}`);
      }
    }
    const options = dict.options as Record<string, unknown> | undefined;
    const missing = Object.keys(this.options).filter((k) => options === undefined || options === null || !(k in options));
    if (missing.length > 0) {
      throw new ValueError(`${name}.loadStateDict: options ${missing.map((k) => `'${k}'`).join(', ')} missing; was the state saved from another kind of scheduler?`);
    }
    this.lastEpoch = dict.lastEpoch;
    this.stepCount = dict.stepCount;
    this.baseLrs = [...dict.baseLrs];
    this.lastLr = [...dict.lastLr];
    this.options = structuredClone(dict.options);
  }
}
