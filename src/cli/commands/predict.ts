import { defineCommand } from '../command.js';
import { readUserFile } from '../readUserFile.js';
import { UsageError } from '../args.js';
import { loadTrainedModel } from '../trainedModel.js';
import { imageToInput } from '../../data/imageInput.js';
import { noGrad } from '../../autograd/gradMode.js';
import { softmax } from '../../ops/softmax.js';
import { Tensor } from '../../tensor/tensor.js';

export const predictCommand = defineCommand(
  {
    name: 'predict',
    summary: 'classify PNG or JPEG images with trained weights: the class and the probabilities',
    usage: 'waldo predict IMAGE... [--weights FILE] [--top K]',
    positionals: 'IMAGE...',
    options: {
      weights: { type: 'string', value: 'FILE', help: 'safetensors weights written by waldo train (default runs/lenet5/model.safetensors)' },
      top: { type: 'string', value: 'K', help: 'how many classes to list per image (default 3)' },
    },
  },
  (args) => {
    if (args.positionals.length === 0) throw new UsageError("waldo predict: give at least one image file (see 'waldo predict --help')");
    const top = Number(args.values.top ?? 3);
    if (!Number.isInteger(top) || top < 1) throw new UsageError(`waldo predict: --top must be a positive integer, got '${String(args.values.top)}'`);
    const trained = loadTrainedModel((args.values.weights as string | undefined) ?? 'runs/lenet5/model.safetensors');
    trained.model.eval();
    for (const file of args.positionals) {
      const bytes = readUserFile(file);
      const input = imageToInput(bytes, file, trained.inputShape, trained.mean, trained.std);
      const probs = noGrad(() => softmax(trained.model.call(new Tensor(input, [1, ...trained.inputShape])), 1)).toArray();
      const ranked = Array.from(probs, (p, c) => ({ c, p })).sort((a, b) => b.p - a.p).slice(0, Math.min(top, probs.length));
      const list = ranked.map(({ c, p }) => `${trained.classes[c]} ${(100 * p).toFixed(1)}%`).join(', ');
      process.stdout.write(`${file}: ${trained.classes[ranked[0].c]} (${list})\n`);
    }
    return 0;
  },
);
