import type { Tensor } from '../tensor/tensor.js';

/**
 * What the training loop needs of a model, an optimizer and a scheduler: the shapes of waldo's
 * nn.Module, optim.Optimizer and lrScheduler classes, written structurally so `train` depends on
 * behaviour rather than on those modules.
 */
export interface TrainableModel {
  call(x: Tensor): Tensor;
  train(mode?: boolean): unknown;
  eval(): unknown;
  parameters(): Tensor[];
  stateDict(): Map<string, Tensor>;
  loadStateDict(dict: Map<string, Tensor>, options?: { strict?: boolean }): unknown;
}

export interface StepOptimizer {
  step(): void;
  zeroGrad(): void;
  stateDict(): unknown;
  loadStateDict(state: never): void;
}

export interface LrScheduler {
  step(metric?: number): void;
  getLastLr(): number[];
  stateDict(): unknown;
  loadStateDict(state: never): void;
}

/** A loss over a batch: logits and int32 targets to a scalar tensor. */
export type LossFn = (output: Tensor, target: Tensor) => Tensor;
