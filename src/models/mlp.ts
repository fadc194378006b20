import { Flatten, Linear, ReLU, Sequential } from '../nn/index.js';
import type { Module } from '../nn/index.js';
import type { Generator } from '../tensor/random.js';

export interface MlpOptions {
  /** Flattened input size (784 for 28×28 images). */
  inputSize?: number;
  hidden?: number[];
  numClasses?: number;
  generator?: Generator;
}

/**
 * A multilayer perceptron: Flatten, then Linear + ReLU per hidden size, then a Linear classifier.
 * State-dict names `1.weight`, `3.weight`, … as `nn.Sequential(nn.Flatten(), nn.Linear(...), ...)` in PyTorch.
 *
 * @example
 * import { models } from 'waldo';
 * models.mlp({ hidden: [128] }).numParameters(); // 784·128 + 128 + 128·10 + 10 = 101,770
 */
export function mlp(options: MlpOptions = {}): Sequential {
  const { inputSize = 784, hidden = [256, 128], numClasses = 10, generator } = options;
  const layers: Module[] = [new Flatten()];
  let width = inputSize;
  for (const h of hidden) {
    layers.push(new Linear(width, h, { generator }), new ReLU());
    width = h;
  }
  layers.push(new Linear(width, numClasses, { generator }));
  return new Sequential(...layers);
}
