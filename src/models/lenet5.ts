import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '../nn/index.js';
import type { Generator } from '../tensor/random.js';

/**
 * LeNet-5 for 28×28 single-channel images (ReLU and max pooling, the modern reading of LeCun et al.
 * 1998), 61,706 parameters. The same architecture in PyTorch has the same state-dict names:
 * `features.0.*`, `features.3.*`, `classifier.1.*`, `classifier.3.*`, `classifier.5.*`.
 *
 * ```python
 * nn.Sequential(OrderedDict(
 *     features=nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
 *                            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2)),
 *     classifier=nn.Sequential(nn.Flatten(), nn.Linear(400, 120), nn.ReLU(),
 *                              nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))))
 * ```
 *
 * @example
 * import { models, zeros, Generator } from 'waldo';
 * const model = models.lenet5({ generator: new Generator(0) });
 * model.call(zeros([1, 1, 28, 28])).shape; // [1, 10]
 */
export function lenet5(options: { numClasses?: number; generator?: Generator } = {}): Sequential {
  const g = { generator: options.generator };
  return new Sequential({
    features: new Sequential(
      new Conv2d(1, 6, 5, { padding: 2, ...g }), new ReLU(), new MaxPool2d(2),
      new Conv2d(6, 16, 5, g), new ReLU(), new MaxPool2d(2),
    ),
    classifier: new Sequential(
      new Flatten(), new Linear(400, 120, g), new ReLU(), new Linear(120, 84, g), new ReLU(), new Linear(84, options.numClasses ?? 10, g),
    ),
  });
}
