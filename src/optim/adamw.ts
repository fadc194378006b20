import type { Tensor } from '../tensor/tensor.js';
import { type AdamOptions, type AdamState, adamDefaults, adamStateKeys, adamUpdate, initAdamState, validateAdam } from './adam.js';
import { type FloatArray, Optimizer, type ParamGroup, type Params } from './optimizer.js';

/** AdamW's options: Adam's, with weightDecay meaning decoupled decay (default 1e-2). */
export type AdamWOptions = AdamOptions;

/**
 * AdamW, as PyTorch 1.13's `torch.optim.AdamW` (single-tensor algorithm): Adam whose weight decay
 * shrinks the parameter directly, `p ← p·(1 − lr·weightDecay)`, before the Adam step, instead of
 * being added to the gradient (so it is not rescaled by the adaptive denominator).
 *
 * @example
 * import { optim, nn } from 'waldo';
 * const model = new nn.Linear(10, 2);
 * const opt = new optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.05 });
 */
export class AdamW extends Optimizer<AdamWOptions, AdamState> {
  constructor(params: Params<AdamWOptions>, options: Partial<AdamWOptions> = {}) {
    super('AdamW', params, adamDefaults(options, 1e-2));
  }

  protected validate(group: ParamGroup<AdamWOptions>, index: number): void {
    validateAdam('AdamW', group, this.groupSuffix(index));
  }

  protected stateKeys(group: ParamGroup<AdamWOptions>): readonly string[] {
    return adamStateKeys(group);
  }

  protected initState(param: Tensor, group: ParamGroup<AdamWOptions>): AdamState {
    return initAdamState(param, group);
  }

  protected update(p: FloatArray, grad: ArrayLike<number>, group: ParamGroup<AdamWOptions>, state: AdamState): void {
    adamUpdate(p, grad, group, state, true);
  }
}
