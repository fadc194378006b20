import { defineCommand } from '../command.js';
import { numberOption } from '../args.js';
import { loadTrainedModel } from '../trainedModel.js';
import { loadBundledMnist } from '../../data/bundledMnist.js';
import { shift2d, shiftEquivariance } from '../../explain/shift.js';
import { noGrad } from '../../autograd/gradMode.js';
import { Conv2d } from '../../nn/conv.js';
import { randn } from '../../tensor/creation.js';
import { Generator } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';

const SHIFTS: [number, number][] = [[1, 0], [0, 3], [-2, 5], [7, -4]];

export const equivarianceCommand = defineCommand(
  {
    name: 'equivariance',
    summary: 'measure shift equivariance of convolutions (circular and zero padding) and the shift invariance of a trained classifier',
    usage: 'waldo equivariance [--seed N] [--weights FILE] [--max-shift K]',
    options: {
      seed: { type: 'string', value: 'N', help: 'seeds the random convolutions and images (default 0)' },
      weights: { type: 'string', value: 'FILE', help: 'also measure how often a classifier trained by waldo train keeps its prediction on shifted held-out digits' },
      'max-shift': { type: 'string', value: 'K', help: 'largest shift for the classifier (default 4)' },
    },
  },
  (args) => {
    const seed = numberOption(args, 'seed', 'equivariance', { integer: true, min: 0 }) ?? 0;
    const g = new Generator(seed);
    const x = randn([4, 3, 32, 32], { generator: g });
    process.stdout.write('5×5 conv, 3→16 channels, four random 32×32 images: max |conv(shift(x)) − shift(conv(x))|\n');
    process.stdout.write('shift      circular padding   zero padding (whole map)   zero padding (away from border)\n');
    const circular = shiftEquivariance(new Conv2d(3, 16, 5, { padding: 2, paddingMode: 'circular', generator: g }), x, SHIFTS, { mode: 'circular' });
    const zeros = shiftEquivariance(new Conv2d(3, 16, 5, { padding: 2, generator: g }), x, SHIFTS);
    SHIFTS.forEach((s, i) => {
      process.stdout.write(`${`(${s.join(', ')})`.padEnd(9)}  ${circular[i].maxDifference.toExponential(2).padStart(16)}   ${zeros[i].maxDifference.toExponential(2).padStart(24)}   ${zeros[i].interiorMaxDifference.toExponential(2).padStart(31)}\n`);
    });
    process.stdout.write(`(outputs are up to ${zeros[0].outputScale.toFixed(2)} in size)\n`);
    const weights = args.values.weights as string | undefined;
    if (weights === undefined) return 0;
    const trained = loadTrainedModel(weights);
    trained.model.eval();
    const { test } = loadBundledMnist();
    const n = Math.min(500, test.length);
    const raw = new Float32Array(n * 784);
    for (let i = 0; i < n; i++) raw.set(test.get(i).input, i * 784);
    const images = new Tensor(raw, [n, 1, 28, 28]);
    // Shift the raw digits (background 0), then normalize as in training.
    const normalized = (t: Tensor) => t.sub(trained.mean[0]).div(trained.std[0]);
    const predict = (t: Tensor) => noGrad(() => trained.model.call(normalized(t)).argmax(1).data);
    const base = predict(images);
    const maxShift = numberOption(args, 'max-shift', 'equivariance', { integer: true, min: 1 }) ?? 4;
    process.stdout.write(`\n${trained.name} on ${n} held-out digits moved right by s pixels: predictions unchanged\n`);
    for (let s = 1; s <= maxShift; s++) {
      const moved = predict(shift2d(images, 0, s));
      const same = moved.filter((p, i) => p === base[i]).length;
      process.stdout.write(`s = ${s}: ${((100 * same) / n).toFixed(1)}%\n`);
    }
    return 0;
  },
);
