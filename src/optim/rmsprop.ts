import type { Tensor } from '../tensor/tensor.js';
import { type FloatArray, Optimizer, type OptimizerOptions, type ParamGroup, type Params, check, zerosLike } from './optimizer.js';

export interface RMSpropOptions extends OptimizerOptions {
  /** Learning rate (default 1e-2). */
  lr: number;
  /** Smoothing constant of the running average of the squared gradient (default 0.99). */
  alpha: number;
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Momentum factor (default 0). */
  momentum: number;
  /** Normalize by an estimate of the gradient's variance instead of its second moment (default false). */
  centered: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

/** RMSprop's per-parameter state. */
export interface RMSpropState {
  /** Steps taken so far. */
  step: number;
  /** Running average of the squared gradient. */
  squareAvg: FloatArray;
  /** With momentum > 0. */
  momentumBuffer?: FloatArray;
  /** Running average of the gradient, when centered. */
  gradAvg?: FloatArray;
}

/**
 * RMSprop, as PyTorch 1.13's `torch.optim.RMSprop` (single-tensor algorithm). For each element:
 *
 * ```
 * g ← −g if maximize;   g ← g + weightDecay·p
 * s ← α·s + (1 − α)·g²
 * avg = √(s − ḡ²) + eps with ḡ ← α·ḡ + (1 − α)·g when centered, else avg = √s + eps
 * b ← momentum·b + g/avg;  p ← p − lr·b     (momentum > 0)
 * p ← p − lr·(g/avg)                        (otherwise)
 * ```
 *
 * @example
 * import { optim, nn } from 'waldo';
 * const model = new nn.Linear(10, 2);
 * const opt = new optim.RMSprop(model.parameters(), { lr: 1e-3, momentum: 0.9 });
 */
export class RMSprop extends Optimizer<RMSpropOptions, RMSpropState> {
  constructor(params: Params<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super('RMSprop', params, {
      lr: options.lr ?? 1e-2,
      alpha: options.alpha ?? 0.99,
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? 0,
      momentum: options.momentum ?? 0,
      centered: options.centered ?? false,
      maximize: options.maximize ?? false,
    });
  }

  protected validate(group: ParamGroup<RMSpropOptions>, index: number): void {
    const at = this.groupSuffix(index);
    check(typeof group.lr === 'number' && group.lr >= 0, 'RMSprop', 'lr', 'a number ≥ 0', group.lr, at);
    check(typeof group.eps === 'number' && group.eps >= 0, 'RMSprop', 'eps', 'a number ≥ 0', group.eps, at);
    check(typeof group.momentum === 'number' && group.momentum >= 0, 'RMSprop', 'momentum', 'a number ≥ 0', group.momentum, at);
    check(typeof group.weightDecay === 'number' && group.weightDecay >= 0, 'RMSprop', 'weightDecay', 'a number ≥ 0', group.weightDecay, at);
    check(typeof group.alpha === 'number' && group.alpha >= 0, 'RMSprop', 'alpha', 'a number ≥ 0', group.alpha, at);
    check(typeof group.centered === 'boolean', 'RMSprop', 'centered', 'true or false', group.centered, at);
    check(typeof group.maximize === 'boolean', 'RMSprop', 'maximize', 'true or false', group.maximize, at);
  }

  protected stateKeys(group: ParamGroup<RMSpropOptions>): readonly string[] {
    return ['step', 'squareAvg', ...(group.momentum > 0 ? ['momentumBuffer'] : []), ...(group.centered ? ['gradAvg'] : [])];
  }

  protected initState(param: Tensor, group: ParamGroup<RMSpropOptions>): RMSpropState {
    const state: RMSpropState = { step: 0, squareAvg: zerosLike(param) };
    if (group.momentum > 0) state.momentumBuffer = zerosLike(param);
    if (group.centered) state.gradAvg = zerosLike(param);
    return state;
  }

  protected update(p: FloatArray, grad: ArrayLike<number>, group: ParamGroup<RMSpropOptions>, state: RMSpropState): void {
    const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = group;
    state.step += 1;
    const newBuffer = () => (p instanceof Float64Array ? new Float64Array(p.length) : new Float32Array(p.length));
    const sq = state.squareAvg;
    // A scheduler (OneCycleLR) may turn momentum on after the state was made.
    const buf = momentum > 0 ? (state.momentumBuffer ??= newBuffer()) : null;
    const gAvg = centered ? (state.gradAvg ??= newBuffer()) : null;
    for (let i = 0; i < p.length; i++) {
      let g = maximize ? -grad[i] : grad[i];
      if (weightDecay !== 0) g = g + weightDecay * p[i];
      sq[i] = alpha * sq[i] + (1 - alpha) * g * g;
      let avg: number;
      if (gAvg !== null) {
        gAvg[i] = alpha * gAvg[i] + (1 - alpha) * g;
        avg = Math.sqrt(sq[i] + -1 * gAvg[i] * gAvg[i]);
      } else {
        avg = Math.sqrt(sq[i]);
      }
      avg = avg + eps;
      if (buf !== null) {
        buf[i] = momentum * buf[i] + g / avg;
        p[i] = p[i] - lr * buf[i];
      } else {
        p[i] = p[i] - lr * (g / avg);
      }
    }
  }
}
