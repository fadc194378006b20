import { defineCommand } from '../command.js';
import { readUserFile } from '../readUserFile.js';
import { UsageError } from '../args.js';
import { loadTrainedModel } from '../trainedModel.js';
import { imageToInput } from '../../data/imageInput.js';
import { featureMaps, firstConv } from '../../explain/featureMaps.js';
import { writeFileAtomic } from '../../io/atomicWrite.js';
import { Tensor } from '../../tensor/tensor.js';
import { featureMapGrid, filterGrid } from '../../viz/grids.js';

export const showCommand = defineCommand(
  {
    name: 'show',
    summary: 'pictures of a trained CNN: its first-layer filters, or the feature maps of every conv layer for an image',
    usage: 'waldo show filters|maps [--weights FILE] [--input IMAGE] [--out FILE]',
    positionals: 'filters | maps',
    options: {
      weights: { type: 'string', value: 'FILE', help: 'safetensors weights written by waldo train (default runs/lenet5/model.safetensors)' },
      input: { type: 'string', value: 'IMAGE', help: 'maps: the PNG or JPEG image to run through the model' },
      out: { type: 'string', value: 'FILE', help: 'filters: the PNG to write (default filters.png); maps: the prefix of one PNG per conv layer (default maps → maps-features.0.png, …)' },
    },
  },
  (args) => {
    const what = args.positionals[0];
    if (what !== 'filters' && what !== 'maps') throw new UsageError("waldo show: say what to show: 'filters' or 'maps' (see 'waldo show --help')");
    const trained = loadTrainedModel((args.values.weights as string | undefined) ?? 'runs/lenet5/model.safetensors');
    trained.model.eval();
    if (what === 'filters') {
      const conv = firstConv(trained.model);
      if (conv === null) throw new UsageError(`waldo show filters: the model '${trained.name}' has no Conv2d layer`);
      const out = (args.values.out as string | undefined) ?? 'filters.png';
      writeFileAtomic(out, filterGrid(conv.weight).toPng());
      process.stdout.write(`${conv.weight.shape[0]} filters of ${conv.weight.shape.slice(1).join('×')} written to ${out}\n`);
      return 0;
    }
    const file = args.values.input as string | undefined;
    if (file === undefined) throw new UsageError('waldo show maps: give the image with --input IMAGE');
    const bytes = readUserFile(file);
    const input = new Tensor(imageToInput(bytes, file, trained.inputShape, trained.mean, trained.std), [1, ...trained.inputShape]);
    const prefix = (args.values.out as string | undefined) ?? 'maps';
    for (const { path, output } of featureMaps(trained.model, input)) {
      const out = `${prefix}-${path}.png`;
      writeFileAtomic(out, featureMapGrid(output.select(0, 0)).toPng());
      process.stdout.write(`${path}: ${output.shape[1]} maps of ${output.shape.slice(2).join('×')} written to ${out}\n`);
    }
    return 0;
  },
);
