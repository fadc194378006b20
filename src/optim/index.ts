/**
 * Optimizers and learning-rate schedules with PyTorch 1.13's exact update rules, exported as `optim`.
 *
 * @example
 * import { optim } from 'waldo';
 * const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
 * const scheduler = new optim.CosineAnnealingLR(opt, { tMax: epochs });
 * // each batch: opt.zeroGrad(); loss.backward(); opt.step();   each epoch: scheduler.step();
 */
export {
  Optimizer, type OptimizerOptions, type OptimizerStateDict, type ParamGroup, type ParamGroupInput, type Params,
  type SchedulerFields, type StateValue, type FloatArray,
} from './optimizer.js';
export { SGD, type SGDOptions, type SGDState } from './sgd.js';
export { Adam, type AdamOptions, type AdamState } from './adam.js';
export { AdamW, type AdamWOptions } from './adamw.js';
export { RMSprop, type RMSpropOptions, type RMSpropState } from './rmsprop.js';
export * from './lrScheduler/index.js';
export * as lrScheduler from './lrScheduler/index.js';
