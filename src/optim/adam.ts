import type { Tensor } from '../tensor/tensor.js';
import { type FloatArray, Optimizer, type OptimizerOptions, type ParamGroup, type Params, check, checkBetas, zerosLike } from './optimizer.js';

export interface AdamOptions extends OptimizerOptions {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** Decay rates of the running averages of the gradient and its square (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps: number;
  /** Adam: L2 penalty added to the gradient (default 0). AdamW: decoupled weight decay (default 1e-2). */
  weightDecay: number;
  /** Use the maximum of past squared-gradient averages (AMSGrad; default false). */
  amsgrad: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

/** Adam's and AdamW's per-parameter state. */
export interface AdamState {
  /** Steps taken so far. */
  step: number;
  /** Running average of the gradient (m). */
  expAvg: FloatArray;
  /** Running average of the squared gradient (v). */
  expAvgSq: FloatArray;
  /** Largest v so far, with amsgrad. */
  maxExpAvgSq?: FloatArray;
}

/**
 * Adam, as PyTorch 1.13's `torch.optim.Adam` (single-tensor algorithm). With t the step count and
 * g the gradient, for each element:
 *
 * ```
 * g ← −g if maximize;   g ← g + weightDecay·p
 * m ← β1·m + (1 − β1)·g;   v ← β2·v + (1 − β2)·g²;   v̂ ← max(v̂, v) with amsgrad, else v̂ = v
 * denom = √v̂ / √(1 − β2^t) + eps
 * p ← p − (lr / (1 − β1^t)) · m / denom
 * ```
 *
 * @example
 * import { optim, nn } from 'waldo';
 * const model = new nn.Linear(10, 2);
 * const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
 */
export class Adam extends Optimizer<AdamOptions, AdamState> {
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('Adam', params, adamDefaults(options, 0));
  }

  protected validate(group: ParamGroup<AdamOptions>, index: number): void {
    validateAdam('Adam', group, this.groupSuffix(index));
  }

  protected stateKeys(group: ParamGroup<AdamOptions>): readonly string[] {
    return adamStateKeys(group);
  }

  protected initState(param: Tensor, group: ParamGroup<AdamOptions>): AdamState {
    return initAdamState(param, group);
  }

  protected update(p: FloatArray, grad: ArrayLike<number>, group: ParamGroup<AdamOptions>, state: AdamState): void {
    adamUpdate(p, grad, group, state, false);
  }
}

/** The defaults of Adam and AdamW (which differ only in weightDecay). */
export function adamDefaults(options: Partial<AdamOptions>, weightDecay: number): AdamOptions {
  return {
    lr: options.lr ?? 1e-3,
    betas: options.betas ?? [0.9, 0.999],
    eps: options.eps ?? 1e-8,
    weightDecay: options.weightDecay ?? weightDecay,
    amsgrad: options.amsgrad ?? false,
    maximize: options.maximize ?? false,
  };
}

/** PyTorch's checks on Adam's and AdamW's options. */
export function validateAdam(name: string, group: AdamOptions, at: string): void {
  check(typeof group.lr === 'number' && group.lr >= 0, name, 'lr', 'a number ≥ 0', group.lr, at);
  check(typeof group.eps === 'number' && group.eps >= 0, name, 'eps', 'a number ≥ 0', group.eps, at);
  checkBetas(group.betas, name, at);
  check(typeof group.weightDecay === 'number' && group.weightDecay >= 0, name, 'weightDecay', 'a number ≥ 0', group.weightDecay, at);
  check(typeof group.amsgrad === 'boolean', name, 'amsgrad', 'true or false', group.amsgrad, at);
  check(typeof group.maximize === 'boolean', name, 'maximize', 'true or false', group.maximize, at);
}

export function adamStateKeys(group: AdamOptions): readonly string[] {
  return group.amsgrad ? ['step', 'expAvg', 'expAvgSq', 'maxExpAvgSq'] : ['step', 'expAvg', 'expAvgSq'];
}

export function initAdamState(param: Tensor, group: AdamOptions): AdamState {
  const state: AdamState = { step: 0, expAvg: zerosLike(param), expAvgSq: zerosLike(param) };
  if (group.amsgrad) state.maxExpAvgSq = zerosLike(param);
  return state;
}

/**
 * One Adam (decoupled = false) or AdamW (decoupled = true) step of one parameter, in the order of
 * operations of PyTorch 1.13's `_single_tensor_adam` / `_single_tensor_adamw`. Buffers are read
 * back after they are written, so the update uses the values rounded to their dtype, as PyTorch's
 * float32 buffers do.
 */
export function adamUpdate(p: FloatArray, grad: ArrayLike<number>, group: AdamOptions, state: AdamState, decoupled: boolean): void {
  const { lr, eps, weightDecay, amsgrad, maximize } = group;
  const [beta1, beta2] = group.betas;
  state.step += 1;
  const step = state.step;
  const biasCorrection1 = 1 - beta1 ** step;
  const biasCorrection2 = 1 - beta2 ** step;
  const stepSize = lr / biasCorrection1;
  const biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
  const decay = 1 - lr * weightDecay;
  const m = state.expAvg;
  const v = state.expAvgSq;
  const vMax = amsgrad ? (state.maxExpAvgSq ??= new (p instanceof Float64Array ? Float64Array : Float32Array)(p.length)) : null;
  for (let i = 0; i < p.length; i++) {
    let g = maximize ? -grad[i] : grad[i];
    let w = p[i];
    if (decoupled) w = w * decay;
    else if (weightDecay !== 0) g = g + weightDecay * w;
    m[i] = beta1 * m[i] + (1 - beta1) * g;
    v[i] = beta2 * v[i] + (1 - beta2) * g * g;
    let vHat = v[i];
    if (vMax !== null) vHat = vMax[i] = Math.max(vMax[i], vHat);
    const denom = Math.sqrt(vHat) / biasCorrection2Sqrt + eps;
    p[i] = w - stepSize * (m[i] / denom);
  }
}
