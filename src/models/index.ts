/**
 * Ready-made models for 28×28 grayscale images (MNIST, Fashion-MNIST), exported as `models`.
 *
 * @example
 * import { models, zeros } from 'waldo';
 * const model = models.lenet5();
 * model.call(zeros([1, 1, 28, 28])).shape; // [1, 10]
 *
 * @module
 */
import type { Sequential } from '../nn/index.js';
import type { Generator } from '../tensor/random.js';
import { lenet5 } from './lenet5.js';
import { mlp } from './mlp.js';
import { smallCnn } from './smallCnn.js';

export { lenet5, mlp, smallCnn };

/**
 * The models the CLI can build by name, each for [N, 1, 28, 28] inputs and `numClasses` outputs.
 *
 * @example
 * import { models } from 'waldo';
 * Object.keys(models.modelZoo); // ['lenet5', 'mlp', 'small-cnn']
 * const model = models.modelZoo['small-cnn']!({ numClasses: 10 });
 */
export const modelZoo: Record<string, (options: { numClasses?: number; generator?: Generator }) => Sequential> = {
  lenet5,
  mlp: (o) => mlp({ numClasses: o.numClasses, generator: o.generator }),
  'small-cnn': smallCnn,
};
