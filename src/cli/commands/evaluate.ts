import { defineCommand } from '../command.js';
import { loadDataSource } from '../dataSource.js';
import { loadTrainedModel } from '../trainedModel.js';
import { DataLoader } from '../../data/dataLoader.js';
import { normalize } from '../../data/transforms.js';
import { EVALUATION_BATCH_SIZE, evaluate } from '../../train/evaluate.js';
import { crossEntropy } from '../../ops/loss.js';

export const evalCommand = defineCommand(
  {
    name: 'eval',
    summary: 'evaluate trained weights on a held-out set: loss, accuracy and the confusion matrix',
    usage: 'waldo eval [--weights FILE] [--data SOURCE]',
    options: {
      weights: { type: 'string', value: 'FILE', help: 'safetensors weights written by waldo train (default runs/lenet5/model.safetensors)' },
      data: { type: 'string', value: 'SOURCE', help: 'mnist, fashion-mnist, idx:DIR or folder:DIR (default: the data the model was trained on)' },
    },
  },
  (args) => {
    const trained = loadTrainedModel((args.values.weights as string | undefined) ?? 'runs/lenet5/model.safetensors');
    const data = loadDataSource((args.values.data as string | undefined) ?? trained.data);
    const loader = new DataLoader(data.test, { batchSize: EVALUATION_BATCH_SIZE, transform: normalize(trained.mean, trained.std) });
    const result = evaluate(trained.model, loader, trained.classes.length, (out, y) => crossEntropy(out, y));
    process.stdout.write(`${trained.name} on ${data.name}: ${result.examples} examples, loss ${result.loss.toFixed(4)}, accuracy ${(100 * result.accuracy).toFixed(2)}%\n\n${result.confusion.format(trained.classes)}\n`);
    return 0;
  },
);
