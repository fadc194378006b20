import { defineCommand } from '../command.js';
import { numberOption } from '../args.js';
import { noGrad } from '../../autograd/gradMode.js';
import { DistributedScanningMLP, ScanningMLP, parameterCounts, toConv1d, type DistributedLayerSpec } from '../../explain/scanningMlp.js';
import { randn } from '../../tensor/creation.js';
import { Generator } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';

const LEVELS: DistributedLayerSpec[] = [{ kernel: 4, stride: 2, channels: 8 }, { kernel: 3, stride: 2, channels: 8 }, { kernel: 3, stride: 1, channels: 4 }];

const maxDifference = (a: Tensor, b: Tensor) => Math.max(...Array.from(a.data, (v, i) => Math.abs(v - b.data[i])));

export const scanningCommand = defineCommand(
  {
    name: 'scanning',
    summary: 'the scanning MLP is a convolution: an MLP slid over a sequence, its Conv1d stack, and the distributed form with shared sub-networks',
    usage: 'waldo scanning [--length L] [--seed N]',
    options: {
      length: { type: 'string', value: 'L', help: 'length of the random test sequence (default 64)' },
      seed: { type: 'string', value: 'N', help: 'seeds the weights and the sequence (default 0)' },
    },
  },
  (args) => {
    const length = numberOption(args, 'length', 'scanning', { integer: true, min: 16 }) ?? 64;
    const g = new Generator(numberOption(args, 'seed', 'scanning', { integer: true, min: 0 }) ?? 0);
    const x = randn([2, 1, length], { generator: g });
    const simple = new ScanningMLP(1, 16, 4, [32, 16], 4, g);
    const distributed = new DistributedScanningMLP(1, LEVELS, g);
    const counts = parameterCounts(1, LEVELS);
    noGrad(() => {
      process.stdout.write(`window 16, stride 4, over a random sequence of ${length} samples (2 examples):\n`);
      process.stdout.write(`simple scanning MLP 16-32-16-4:  ${simple.numParameters().toLocaleString('en-US')} parameters; max |MLP − Conv1d stack| = ${maxDifference(simple.call(x), toConv1d(simple).call(x)).toExponential(1)}\n`);
      process.stdout.write(`distributed (kernels 4, 3, 3; strides 2, 2, 1; channels 8, 8, 4): ${counts.distributed.toLocaleString('en-US')} parameters; max |MLP − Conv1d stack| = ${maxDifference(distributed.call(x), toConv1d(distributed).call(x)).toExponential(1)}\n`);
      process.stdout.write(`the simple MLP with the same units per level (hidden ${counts.simpleHidden.join(', ')}) needs ${counts.simple.toLocaleString('en-US')} parameters for the same function\n`);
    });
    return 0;
  },
);
