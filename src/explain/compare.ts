/**
 * The experiment behind translation invariance: an MLP and a CNN with about the same number of
 * parameters, trained with one seed on the same digits (no shift augmentation, so neither is taught
 * to ignore position), then tested on the held-out digits moved by 0, 1, … k pixels. The CNN's
 * shared local filters see a moved digit as the same strokes in new places; the MLP's weights are
 * tied to pixel positions, so its accuracy falls much faster.
 */
import { loadBundledMnist } from '../data/bundledMnist.js';
import { Subset, type Dataset } from '../data/dataset.js';
import { DataLoader } from '../data/dataLoader.js';
import { compose, normalize, shiftImage, type Transform } from '../data/transforms.js';
import { lenet5 } from '../models/lenet5.js';
import { mlp } from '../models/mlp.js';
import { AdaptiveAvgPool2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } from '../nn/index.js';
import { crossEntropy } from '../ops/loss.js';
import { Adam } from '../optim/adam.js';
import { Generator } from '../tensor/random.js';
import { evaluate } from '../train/evaluate.js';
import { fit } from '../train/fit.js';

export interface CompareOptions {
  epochs?: number;
  /** Largest shift tested, in pixels (default 6). */
  maxShift?: number;
  seed?: number;
  /** Use only the first n training digits (default all 8,000). */
  trainSize?: number;
  /** Test on the first n held-out digits (default all 2,000). */
  testSize?: number;
  onModel?: (name: string, parameters: number) => void;
}

export interface ShiftCurve {
  name: string;
  parameters: number;
  /** accuracy[s]: held-out accuracy with every digit moved s pixels, averaged over up, down, left and right. */
  accuracy: number[];
}

const MEAN = [0.1307];
const STD = [0.3081];

/** Moves every example by (dy, dx) pixels before normalizing. */
function shifted(dy: number, dx: number): Transform {
  return (sample) => ({ ...sample, input: shiftImage(sample.input, sample.shape, dy, dx) });
}

/**
 * Held-out accuracy at each shift 0..maxShift, averaged over the four directions.
 *
 * @example
 * import { explain, models } from 'waldo';
 * const { dataset } = { dataset: { length: 4, get: (i: number) => ({ input: new Float32Array(784), shape: [1, 28, 28], label: i % 10 }) } };
 * explain.accuracyUnderShift(models.lenet5().eval(), dataset, 2); // [accuracy at shift 0, 1, 2]
 */
export function accuracyUnderShift(model: Sequential, test: Dataset, maxShift: number): number[] {
  const curve: number[] = [];
  for (let s = 0; s <= maxShift; s++) {
    const directions: [number, number][] = s === 0 ? [[0, 0]] : [[s, 0], [-s, 0], [0, s], [0, -s]];
    let sum = 0;
    for (const [dy, dx] of directions) {
      const loader = new DataLoader(test, { batchSize: 500, transform: compose(shifted(dy, dx), normalize(MEAN, STD)) });
      sum += evaluate(model, loader, 10, crossEntropy).accuracy;
    }
    curve.push(sum / directions.length);
  }
  return curve;
}

/**
 * A CNN whose classifier sees only globally averaged features (no position-tied dense layer over
 * a feature map): 5×5, 5×5 and 3×3 convs 1→24→48→64 and a 64→10 linear layer, 57,834 parameters.
 *
 * @example
 * import { explain, randn, Generator } from 'waldo';
 * const cnn = explain.globalPoolCnn(new Generator(0));
 * cnn.numParameters(); // 57,834
 * cnn.call(randn([2, 1, 40, 40])).shape; // [2, 10]: any image size works
 */
export function globalPoolCnn(generator: Generator): Sequential {
  const g = { generator };
  return new Sequential(
    new Conv2d(1, 24, 5, { padding: 2, ...g }), new ReLU(), new MaxPool2d(2),
    new Conv2d(24, 48, 5, { padding: 2, ...g }), new ReLU(), new MaxPool2d(2),
    new Conv2d(48, 64, 3, { padding: 1, ...g }), new ReLU(),
    new AdaptiveAvgPool2d(1), new Flatten(), new Linear(64, 10, g),
  );
}

/**
 * Trains an MLP 784-72-36-10 (59,518 parameters), LeNet-5 (61,706, whose dense layers see the
 * feature map position by position) and a global-pooling CNN (57,834), and measures each under shifts.
 *
 * @example
 * import { explain } from 'waldo';
 * // A small run; the defaults (all 8,000 digits, 4 epochs) take a few minutes.
 * explain.compareShiftRobustness({ epochs: 1, maxShift: 2, trainSize: 200, testSize: 100 }).map((c) => [c.name, c.accuracy[2]]);
 */
export function compareShiftRobustness(options: CompareOptions = {}): ShiftCurve[] {
  const { epochs = 4, maxShift = 6, seed = 0 } = options;
  const { train, test } = loadBundledMnist();
  const first = (set: Dataset, n: number | undefined) => (n === undefined ? set : new Subset(set, Array.from({ length: Math.min(n, set.length) }, (_, i) => i)));
  const trainSet = first(train, options.trainSize);
  const testSet = first(test, options.testSize);
  const contenders: [string, Sequential][] = [
    ['mlp', mlp({ hidden: [72, 36], generator: new Generator(seed) })],
    ['cnn (lenet5)', lenet5({ generator: new Generator(seed) })],
    ['cnn (global pool)', globalPoolCnn(new Generator(seed))],
  ];
  return contenders.map(([name, model]) => {
    options.onModel?.(name, model.numParameters());
    const loader = new DataLoader(trainSet, { batchSize: 64, shuffle: true, generator: new Generator(seed + 1), transform: normalize(MEAN, STD) });
    fit(model, loader, { epochs, optimizer: new Adam(model.parameters(), { lr: 0.002 }), numClasses: 10 });
    return { name, parameters: model.numParameters(), accuracy: accuracyUnderShift(model, testSet, maxShift) };
  });
}
