import { ValueError } from '../errors.js';
import { type FloatArray, Optimizer, type OptimizerOptions, type ParamGroup, type Params, check } from './optimizer.js';

export interface SGDOptions extends OptimizerOptions {
  /** Learning rate; required here or in every parameter group. */
  lr: number;
  /** Momentum factor (default 0: plain gradient descent). */
  momentum: number;
  /** Dampening of the gradient's share in the momentum buffer (default 0). */
  dampening: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Nesterov momentum (default false); needs momentum > 0 and dampening 0. */
  nesterov: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

/** SGD's per-parameter state: the momentum buffer (null until the first step with momentum > 0). */
export interface SGDState {
  momentumBuffer: FloatArray | null;
}

/**
 * Stochastic gradient descent, optionally with momentum, as PyTorch 1.13's `torch.optim.SGD`
 * (single-tensor algorithm). For each element, with g the gradient:
 *
 * ```
 * g ← −g if maximize;   g ← g + weightDecay·p
 * b ← g on the first step (no dampening), else b ← momentum·b + (1 − dampening)·g
 * g ← g + momentum·b if nesterov, else g ← b          (when momentum ≠ 0)
 * p ← p − lr·g
 * ```
 *
 * @example
 * import { optim, nn } from 'waldo';
 * const model = new nn.Linear(10, 2);
 * const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9, nesterov: true });
 */
export class SGD extends Optimizer<SGDOptions, SGDState> {
  constructor(params: Params<SGDOptions>, options: Partial<SGDOptions> = {}) {
    super('SGD', params, {
      lr: options.lr,
      momentum: options.momentum ?? 0,
      dampening: options.dampening ?? 0,
      weightDecay: options.weightDecay ?? 0,
      nesterov: options.nesterov ?? false,
      maximize: options.maximize ?? false,
    });
  }

  protected validate(group: ParamGroup<SGDOptions>, index: number): void {
    const at = this.groupSuffix(index);
    check(typeof group.lr === 'number' && group.lr >= 0, 'SGD', 'lr', 'a number ≥ 0', group.lr, at);
    check(typeof group.momentum === 'number' && group.momentum >= 0, 'SGD', 'momentum', 'a number ≥ 0', group.momentum, at);
    check(typeof group.dampening === 'number' && Number.isFinite(group.dampening), 'SGD', 'dampening', 'a number', group.dampening, at);
    check(typeof group.weightDecay === 'number' && group.weightDecay >= 0, 'SGD', 'weightDecay', 'a number ≥ 0', group.weightDecay, at);
    check(typeof group.nesterov === 'boolean', 'SGD', 'nesterov', 'true or false', group.nesterov, at);
    check(typeof group.maximize === 'boolean', 'SGD', 'maximize', 'true or false', group.maximize, at);
    if (group.nesterov && (group.momentum <= 0 || group.dampening !== 0)) {
      throw new ValueError(`SGD: nesterov momentum requires a momentum > 0 and zero dampening, got momentum ${group.momentum} and dampening ${group.dampening}${at}`);
    }
  }

  protected stateKeys(): readonly string[] {
    return ['momentumBuffer'];
  }

  protected initState(): SGDState {
    return { momentumBuffer: null };
  }

  protected update(p: FloatArray, grad: ArrayLike<number>, group: ParamGroup<SGDOptions>, state: SGDState): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    const n = p.length;
    if (momentum === 0) {
      for (let i = 0; i < n; i++) {
        let d = maximize ? -grad[i] : grad[i];
        if (weightDecay !== 0) d += weightDecay * p[i];
        p[i] = p[i] - lr * d;
      }
      return;
    }
    const first = state.momentumBuffer === null;
    const buf = state.momentumBuffer ?? (state.momentumBuffer = p instanceof Float64Array ? new Float64Array(n) : new Float32Array(n));
    for (let i = 0; i < n; i++) {
      let d = maximize ? -grad[i] : grad[i];
      if (weightDecay !== 0) d += weightDecay * p[i];
      buf[i] = first ? d : momentum * buf[i] + (1 - dampening) * d;
      // Read back: the buffer holds the value rounded to the parameter's dtype, as PyTorch's does.
      const b = buf[i];
      d = nesterov ? d + momentum * b : b;
      p[i] = p[i] - lr * d;
    }
  }
}

