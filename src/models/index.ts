import type { Sequential } from '../nn/index.js';
import type { Generator } from '../tensor/random.js';
import { lenet5 } from './lenet5.js';
import { mlp } from './mlp.js';
import { smallCnn } from './smallCnn.js';

export { lenet5, mlp, smallCnn };

/** The models the CLI can build by name, each for [N, 1, 28, 28] inputs and `numClasses` outputs. */
export const modelZoo: Record<string, (options: { numClasses?: number; generator?: Generator }) => Sequential> = {
  lenet5,
  mlp: (o) => mlp({ numClasses: o.numClasses, generator: o.generator }),
  'small-cnn': smallCnn,
};
