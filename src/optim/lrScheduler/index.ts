/**
 * Learning-rate schedules, as PyTorch's `torch.optim.lr_scheduler`.
 *
 * @example
 * import { optim, nn } from 'waldo';
 * const model = new nn.Linear(4, 1);
 * const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * const scheduler = new optim.lrScheduler.StepLR(opt, { stepSize: 10 });
 *
 * @module
 */
export { LRScheduler, type LRSchedulerStateDict } from './lrScheduler.js';
export { StepLR, type StepLROptions } from './stepLR.js';
export { CosineAnnealingLR, type CosineAnnealingLROptions } from './cosineAnnealingLR.js';
export { OneCycleLR, type OneCycleLROptions } from './oneCycleLR.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions, type ReduceLROnPlateauStateDict } from './reduceLROnPlateau.js';
