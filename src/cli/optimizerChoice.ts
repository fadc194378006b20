import { UsageError } from './args.js';
import { Adam, AdamW, RMSprop, SGD } from '../optim/index.js';
import type { Tensor } from '../tensor/tensor.js';

/** The optimizers `--optimizer` accepts, with the settings the CLI uses for each. */
const choices = {
  adam: (params: Tensor[], lr: number) => new Adam(params, { lr }),
  adamw: (params: Tensor[], lr: number) => new AdamW(params, { lr }),
  sgd: (params: Tensor[], lr: number) => new SGD(params, { lr, momentum: 0.9, nesterov: true }),
  rmsprop: (params: Tensor[], lr: number) => new RMSprop(params, { lr }),
};

export const optimizerNames = Object.keys(choices);

export function createOptimizer(name: string, params: Tensor[], lr: number): Adam | AdamW | SGD | RMSprop {
  const make = (choices as Record<string, ((p: Tensor[], lr: number) => Adam | AdamW | SGD | RMSprop) | undefined>)[name];
  if (make === undefined) throw new UsageError(`waldo: unknown optimizer '${name}'; choose one of ${optimizerNames.join(', ')}`);
  return make(params, lr);
}
