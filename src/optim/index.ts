/**
 * Optimizers and learning-rate schedules with PyTorch 1.13's exact update rules, exported as `optim`.
 *
 * @example
 * import { optim, nn, functional as F, randn } from 'waldo';
 * const model = new nn.Linear(4, 1);
 * const epochs = 3;
 * const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
 * const scheduler = new optim.CosineAnnealingLR(opt, { tMax: epochs });
 * for (let epoch = 0; epoch < epochs; epoch++) {
 *   opt.zeroGrad(); // each batch: zeroGrad, backward, step
 *   F.mseLoss(model.call(randn([8, 4])), randn([8, 1])).backward();
 *   opt.step();
 *   scheduler.step(); // each epoch
 * }
 *
 * @module
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
