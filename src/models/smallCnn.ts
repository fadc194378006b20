import { BatchNorm2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '../nn/index.js';
import type { Module } from '../nn/index.js';
import type { Generator } from '../tensor/random.js';

/**
 * A small CNN for 28×28 grayscale images such as Fashion-MNIST, under 100K parameters: two stages
 * of two 3×3 convolutions with batch norm (32 then 64 channels), each followed by 2×2 max pooling,
 * then one linear classifier over the 64×7×7 feature maps. Four conv layers hold 65K parameters
 * where a single dense layer from the image to the first stage's maps would need 784·25,088.
 *
 * @example
 * import { models } from 'waldo';
 * models.smallCnn().numParameters(); // 96,554
 */
export function smallCnn(options: { inChannels?: number; numClasses?: number; generator?: Generator } = {}): Sequential {
  const { inChannels = 1, numClasses = 10, generator } = options;
  const block = (cin: number, cout: number): Module[] => [
    new Conv2d(cin, cout, 3, { padding: 1, bias: false, generator }), new BatchNorm2d(cout), new ReLU(),
  ];
  return new Sequential({
    features: new Sequential(...block(inChannels, 32), ...block(32, 32), new MaxPool2d(2), ...block(32, 64), ...block(64, 64), new MaxPool2d(2)),
    classifier: new Sequential(new Flatten(), new Linear(64 * 7 * 7, numClasses, { generator })),
  });
}
