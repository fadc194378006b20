import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { defineCommand } from '../command.js';
import { UsageError, numberOption } from '../args.js';
import { loadDataSource } from '../dataSource.js';
import { DataLoader } from '../../data/dataLoader.js';
import { compose, normalize, randomShift } from '../../data/transforms.js';
import { modelZoo } from '../../models/index.js';
import { createOptimizer, optimizerNames } from '../optimizerChoice.js';
import { CosineAnnealingLR } from '../../optim/index.js';
import { Generator } from '../../tensor/random.js';
import { fit } from '../../train/fit.js';
import { EVALUATION_BATCH_SIZE } from '../../train/evaluate.js';
import { stdoutSink } from '../../train/progress.js';
import { readCheckpoint, writeCheckpoint, type RunConfig } from '../../train/checkpoint.js';
import { saveModel } from '../../io/modelFile.js';
import { getBackend } from '../../backend/index.js';
import { trainedMetadata } from '../trainedModel.js';
import { writeFileAtomic } from '../../io/atomicWrite.js';
import { trainingCurves } from '../../viz/trainingCurves.js';

const DEFAULTS = { model: 'lenet5', data: 'mnist', epochs: 20, batchSize: 64, lr: 0.003, optimizer: 'adam', seed: 0, shift: 2 };

export const trainCommand = defineCommand(
  {
    name: 'train',
    summary: 'train a model and report its held-out accuracy (default: LeNet-5 on the bundled MNIST digits)',
    usage: 'waldo train [--model lenet5|mlp|small-cnn] [--data mnist|fashion-mnist|idx:DIR|folder:DIR] [options]',
    options: {
      model: { type: 'string', value: 'NAME', help: `architecture: ${Object.keys(modelZoo).join(', ')} (default ${DEFAULTS.model})` },
      data: { type: 'string', value: 'SOURCE', help: `mnist (bundled), fashion-mnist, idx:DIR or folder:DIR (default ${DEFAULTS.data})` },
      epochs: { type: 'string', value: 'N', help: `passes over the training set (default ${DEFAULTS.epochs})` },
      'batch-size': { type: 'string', value: 'N', help: `examples per step (default ${DEFAULTS.batchSize})` },
      lr: { type: 'string', value: 'RATE', help: `peak learning rate, annealed by a cosine schedule (default ${DEFAULTS.lr})` },
      optimizer: { type: 'string', value: 'NAME', help: `${optimizerNames.join(', ')} (default ${DEFAULTS.optimizer})` },
      shift: { type: 'string', value: 'PX', help: `random shift augmentation of up to ±PX pixels (default ${DEFAULTS.shift}; 0 turns it off)` },
      seed: { type: 'string', value: 'N', help: `seeds initialisation, shuffling and augmentation: the whole run (default ${DEFAULTS.seed})` },
      out: { type: 'string', value: 'DIR', help: 'where the checkpoint, weights and loss/accuracy curves (curves.png) go (default runs/<model>)' },
      resume: { type: 'boolean', help: 'continue from the checkpoint in --out (same losses as an uninterrupted run)' },
      quiet: { type: 'boolean', short: 'q', help: 'print only the final result' },
    },
  },
  (args) => {
    const resume = args.values.resume === true;
    const outDir = (args.values.out as string | undefined) ?? join('runs', (args.values.model as string | undefined) ?? DEFAULTS.model);
    const checkpointPath = join(outDir, 'checkpoint.safetensors');
    const saved = resume ? readCheckpoint(checkpointPath) : null;
    const config: RunConfig = saved?.config ?? {
      model: (args.values.model as string | undefined) ?? DEFAULTS.model,
      data: (args.values.data as string | undefined) ?? DEFAULTS.data,
      epochs: numberOption(args, 'epochs', 'train', { integer: true, min: 1 }) ?? DEFAULTS.epochs,
      batchSize: numberOption(args, 'batch-size', 'train', { integer: true, min: 1 }) ?? DEFAULTS.batchSize,
      lr: numberOption(args, 'lr', 'train', { min: 0 }) ?? DEFAULTS.lr,
      optimizer: (args.values.optimizer as string | undefined) ?? DEFAULTS.optimizer,
      shift: numberOption(args, 'shift', 'train', { integer: true, min: 0 }) ?? DEFAULTS.shift,
      seed: numberOption(args, 'seed', 'train', { integer: true, min: 0 }) ?? DEFAULTS.seed,
    };
    // On resume, --epochs may extend the run; everything else comes from the checkpoint.
    if (saved !== null) config.epochs = numberOption(args, 'epochs', 'train', { integer: true, min: 1 }) ?? config.epochs;
    const build = modelZoo[config.model];
    if (build === undefined) throw new UsageError(`waldo train: unknown model '${config.model}'; choose one of ${Object.keys(modelZoo).join(', ')}`);

    const data = loadDataSource(config.data);
    const model = build({ numClasses: data.classes.length, generator: new Generator(config.seed) });
    const optimizer = createOptimizer(config.optimizer, model.parameters(), config.lr);
    const scheduler = new CosineAnnealingLR(optimizer, { tMax: config.epochs });
    const loaderGenerator = new Generator(config.seed + 1);
    const norm = normalize(data.mean, data.std);
    const train = new DataLoader(data.train, {
      batchSize: config.batchSize, shuffle: true, generator: loaderGenerator,
      transform: config.shift > 0 ? compose(randomShift(config.shift), norm) : norm,
    });
    const test = new DataLoader(data.test, { batchSize: EVALUATION_BATCH_SIZE, transform: norm });
    if (saved !== null) {
      model.loadStateDict(saved.model);
      optimizer.loadStateDict(saved.optimizer as never);
      scheduler.loadStateDict(saved.scheduler as never);
      loaderGenerator.setState(saved.generator);
    }
    mkdirSync(outDir, { recursive: true });
    const sink = args.values.quiet === true ? { isTTY: false, write: () => {} } : stdoutSink();
    if (args.values.quiet !== true) {
      const from = saved === null ? '' : ` (resuming after epoch ${saved.epoch})`;
      process.stdout.write(`training ${config.model} (${model.numParameters().toLocaleString('en-US')} parameters) on ${data.name}: ${data.train.length} training / ${data.test.length} held-out examples, backend ${getBackend().name}${from}\n`);
    }
    const started = performance.now();
    const result = fit(model, train, {
      epochs: config.epochs, optimizer, scheduler, numClasses: data.classes.length, validation: test,
      startEpoch: saved?.epoch ?? 0, history: saved?.history, progress: sink,
      onEpochEnd: ({ epoch, history }) => {
        writeCheckpoint(checkpointPath, { config, epoch, history, model: model.stateDict(), optimizer: optimizer.stateDict(), scheduler: scheduler.stateDict(), generator: loaderGenerator.getState() });
        saveModel(join(outDir, 'model.safetensors'), model, trainedMetadata(config, data.classes, data.mean, data.std, data.train.get(0).shape));
        writeFileAtomic(join(outDir, 'curves.png'), trainingCurves(history).toPng());
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const last = result.history[result.history.length - 1];
    if (last === undefined) {
      process.stdout.write(`nothing to do: the checkpoint already holds ${config.epochs} epochs\n`);
      return 0;
    }
    if (args.values.quiet !== true && result.validation !== undefined) process.stdout.write(`\nconfusion matrix on the held-out set:\n${result.validation.confusion.format(data.classes)}\n`);
    process.stdout.write(`held-out accuracy ${(100 * (last.valAccuracy ?? 0)).toFixed(2)}% after ${last.epoch} epochs in ${seconds.toFixed(1)}s; weights in ${join(outDir, 'model.safetensors')}\n`);
    return 0;
  },
);
