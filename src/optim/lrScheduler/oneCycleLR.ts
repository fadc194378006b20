import { ValueError } from '../../errors.js';
import type { Optimizer } from '../optimizer.js';
import { checkOption, perGroup } from './checks.js';
import { LRScheduler } from './lrScheduler.js';

export interface OneCycleLROptions {
  /** The peak learning rate, or one per parameter group. */
  maxLr: number | number[];
  /** Steps in the cycle; or give epochs and stepsPerEpoch. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent raising the lr (default 0.3). */
  pctStart?: number;
  /** 'cos' (default) or 'linear'. */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle momentum (SGD, RMSprop) or beta1 (Adam, AdamW) inversely to the lr (default true). */
  cycleMomentum?: boolean;
  /** Lowest momentum, reached at the peak lr (default 0.85); or one per group. */
  baseMomentum?: number | number[];
  /** Highest momentum, at the start and end (default 0.95); or one per group. */
  maxMomentum?: number | number[];
  /** initialLr = maxLr / divFactor (default 25). */
  divFactor?: number;
  /** minLr = initialLr / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Three phases (up, down to initialLr, down to minLr) instead of two (default false). */
  threePhase?: boolean;
}

/** One phase of the cycle: it ends at endStep and anneals between the named group fields. */
interface Phase {
  endStep: number;
  startLr: 'initialLr' | 'maxLr' | 'minLr';
  endLr: 'initialLr' | 'maxLr' | 'minLr';
  startMomentum: 'maxMomentum' | 'baseMomentum';
  endMomentum: 'maxMomentum' | 'baseMomentum';
}

interface OneCycleSettings {
  totalSteps: number;
  phases: Phase[];
  annealStrategy: 'cos' | 'linear';
  cycleMomentum: boolean;
  /** Whether momentum is the optimizer's beta1 (Adam) rather than its momentum (SGD). */
  useBeta1: boolean;
}

/**
 * The 1cycle policy, as PyTorch 1.13's `OneCycleLR`: the lr rises from maxLr/divFactor to maxLr
 * over the first pctStart of totalSteps, then falls to initialLr/finalDivFactor, while momentum
 * (or Adam's beta1) moves the opposite way between maxMomentum and baseMomentum. Step it after
 * every batch. Construction sets each group's `initialLr`, `maxLr`, `minLr` (and momentum bounds)
 * and the initial lr; stepping more than totalSteps times is a ValueError.
 *
 * @example
 * import { optim, nn } from 'waldo';
 * const optimizer = new optim.SGD(new nn.Linear(2, 1).parameters(), { lr: 0.01, momentum: 0.9 });
 * const scheduler = new optim.OneCycleLR(optimizer, { maxLr: 0.01, epochs: 10, stepsPerEpoch: 100 });
 * scheduler.step(); // after every batch
 */
export class OneCycleLR extends LRScheduler<OneCycleSettings> {
  protected options: OneCycleSettings;

  constructor(optimizer: Optimizer, options: OneCycleLROptions) {
    const settings = prepare(optimizer, options);
    super(optimizer);
    this.options = settings;
    this.step();
  }

  protected getLr(): number[] {
    const { totalSteps, phases, annealStrategy, cycleMomentum, useBeta1 } = this.options;
    const anneal = annealStrategy === 'cos' ? annealCos : annealLinear;
    const stepNum = this.lastEpoch;
    if (stepNum > totalSteps) {
      throw new ValueError(`OneCycleLR: tried to step ${stepNum + 1} times; the specified number of total steps is ${totalSteps}`);
    }
    return this.optimizer.paramGroups.map((group) => {
      const fields = group as unknown as Record<string, number>;
      let startStep = 0;
      let lr = NaN;
      let momentum = NaN;
      for (let i = 0; i < phases.length; i++) {
        const phase = phases[i];
        if (stepNum <= phase.endStep || i === phases.length - 1) {
          if (phase.endStep === startStep) throw new ValueError(`OneCycleLR: phase ${i} of the cycle is empty (it starts and ends at step ${startStep}); choose another pctStart or more steps`);
          const pct = (stepNum - startStep) / (phase.endStep - startStep);
          lr = anneal(fields[phase.startLr], fields[phase.endLr], pct);
          if (cycleMomentum) momentum = anneal(fields[phase.startMomentum], fields[phase.endMomentum], pct);
          break;
        }
        startStep = phase.endStep;
      }
      if (cycleMomentum) {
        const g = group as unknown as { betas?: number[]; momentum?: number };
        if (useBeta1) g.betas = [momentum, ...(g.betas as number[]).slice(1)];
        else g.momentum = momentum;
      }
      return lr;
    });
  }
}

/** Validates the options and sets the groups' fields before the base constructor reads initialLr. */
function prepare(optimizer: Optimizer, options: OneCycleLROptions): OneCycleSettings {
  const name = 'OneCycleLR';
  const {
    maxLr, totalSteps, epochs, stepsPerEpoch, pctStart = 0.3, annealStrategy = 'cos', cycleMomentum = true,
    baseMomentum = 0.85, maxMomentum = 0.95, divFactor = 25, finalDivFactor = 1e4, threePhase = false,
  } = options;
  if (optimizer === null || typeof optimizer !== 'object' || !Array.isArray(optimizer.paramGroups)) {
    throw new ValueError(`${name}: expected an optimizer (SGD, Adam, ...), got ${String(optimizer)}`);
  }
  let total: number;
  if (totalSteps !== undefined) {
    checkOption(Number.isInteger(totalSteps) && totalSteps > 0, name, 'totalSteps', 'a positive integer', totalSteps);
    total = totalSteps;
  } else if (epochs !== undefined && stepsPerEpoch !== undefined) {
    checkOption(Number.isInteger(epochs) && epochs > 0, name, 'epochs', 'a positive integer', epochs);
    checkOption(Number.isInteger(stepsPerEpoch) && stepsPerEpoch > 0, name, 'stepsPerEpoch', 'a positive integer', stepsPerEpoch);
    total = epochs * stepsPerEpoch;
  } else {
    throw new ValueError(`${name}: give either totalSteps or both epochs and stepsPerEpoch`);
  }
  checkOption(typeof pctStart === 'number' && pctStart >= 0 && pctStart <= 1, name, 'pctStart', 'a number in [0, 1]', pctStart);
  checkOption(annealStrategy === 'cos' || annealStrategy === 'linear', name, 'annealStrategy', "'cos' or 'linear'", annealStrategy);
  checkOption(typeof divFactor === 'number' && divFactor > 0, name, 'divFactor', 'a number > 0', divFactor);
  checkOption(typeof finalDivFactor === 'number' && finalDivFactor > 0, name, 'finalDivFactor', 'a number > 0', finalDivFactor);

  const phases: Phase[] = threePhase
    ? [
        { endStep: pctStart * total - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
        { endStep: 2 * pctStart * total - 2, startLr: 'maxLr', endLr: 'initialLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
        { endStep: total - 1, startLr: 'initialLr', endLr: 'minLr', startMomentum: 'maxMomentum', endMomentum: 'maxMomentum' },
      ]
    : [
        { endStep: pctStart * total - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
        { endStep: total - 1, startLr: 'maxLr', endLr: 'minLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
      ];

  const groups = optimizer.paramGroups;
  const maxLrs = perGroup(maxLr, groups.length, name, 'maxLr');
  maxLrs.forEach((v) => checkOption(typeof v === 'number' && v >= 0, name, 'maxLr', 'a number ≥ 0', v));
  let useBeta1 = false;
  let maxMomentums: number[] = [];
  let baseMomentums: number[] = [];
  if (cycleMomentum) {
    if (!('momentum' in optimizer.defaults) && !('betas' in optimizer.defaults)) {
      throw new ValueError(`${name}: cycleMomentum needs an optimizer with momentum or betas (SGD, RMSprop, Adam, AdamW), not ${optimizer.name}; pass cycleMomentum: false`);
    }
    useBeta1 = 'betas' in optimizer.defaults;
    maxMomentums = perGroup(maxMomentum, groups.length, name, 'maxMomentum');
    baseMomentums = perGroup(baseMomentum, groups.length, name, 'baseMomentum');
  }
  groups.forEach((group, i) => {
    group.initialLr = maxLrs[i] / divFactor;
    group.maxLr = maxLrs[i];
    group.minLr = group.initialLr / finalDivFactor;
    if (cycleMomentum) {
      const g = group as unknown as { betas?: number[]; momentum?: number };
      if (useBeta1) g.betas = [maxMomentums[i], ...(g.betas as number[]).slice(1)];
      else g.momentum = maxMomentums[i];
      group.maxMomentum = maxMomentums[i];
      group.baseMomentum = baseMomentums[i];
    }
  });
  return { totalSteps: total, phases, annealStrategy, cycleMomentum, useBeta1 };
}

/** Cosine anneal from start to end as pct goes from 0 to 1 (PyTorch's `_annealing_cos`, same order of operations). */
function annealCos(start: number, end: number, pct: number): number {
  const cosOut = Math.cos(Math.PI * pct) + 1;
  return end + ((start - end) / 2.0) * cosOut;
}

function annealLinear(start: number, end: number, pct: number): number {
  return (end - start) * pct + start;
}
