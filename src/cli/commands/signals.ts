import { defineCommand } from '../command.js';
import { UsageError, numberOption } from '../args.js';
import { DataLoader } from '../../data/dataLoader.js';
import type { ArrayDataset } from '../../data/dataset.js';
import { audioClassifier, syntheticAudio } from '../../explain/audio.js';
import { charClassifier, syntheticText } from '../../explain/text.js';
import type { Sequential } from '../../nn/index.js';
import { Adam, CosineAnnealingLR } from '../../optim/index.js';
import { Generator } from '../../tensor/random.js';
import { fit } from '../../train/fit.js';
import { type ProgressSink, silentSink, stdoutSink } from '../../train/progress.js';

export type SignalTask = 'audio' | 'text';

export interface SignalRunOptions {
  epochs: number;
  seed?: number;
  /** Training / held-out examples (defaults 1200 / 400). */
  trainCount?: number;
  testCount?: number;
  batchSize?: number;
  lr?: number;
  progress?: ProgressSink;
}

export interface SignalRunResult {
  task: SignalTask;
  parameters: number;
  trainAccuracy: number;
  testAccuracy: number;
  seconds: number;
  model: Sequential;
}

/**
 * Trains the Conv1d classifier of one task on a fresh seeded synthetic set (train and held-out
 * sets from different seeds) with Adam and a cosine schedule, and returns the held-out accuracy.
 */
export function runSignalTask(task: SignalTask, options: SignalRunOptions): SignalRunResult {
  const { epochs, seed = 0, trainCount = 1200, testCount = 400, batchSize = 32, lr = 0.003, progress = silentSink } = options;
  const data = (count: number, s: number): ArrayDataset =>
    task === 'audio' ? syntheticAudio({ count, seed: s }) : syntheticText({ count, seed: s }).dataset;
  // Seeds 2·seed+1000 and 2·seed+1001: the held-out set never shares a generator stream with the training set, for any --seed.
  const train = data(trainCount, 2 * seed + 1000);
  const test = data(testCount, 2 * seed + 1001);
  const generator = new Generator(seed);
  const model = task === 'audio' ? audioClassifier(generator) : charClassifier(generator);
  const optimizer = new Adam(model.parameters(), { lr });
  const scheduler = new CosineAnnealingLR(optimizer, { tMax: Math.max(epochs, 1) });
  const loader = new DataLoader(train, { batchSize, shuffle: true, generator: new Generator(seed + 1) });
  const started = performance.now();
  const result = fit(model, loader, {
    epochs, optimizer, scheduler, numClasses: train.classes!.length, validation: new DataLoader(test, { batchSize: 200 }), progress,
  });
  const last = result.history[result.history.length - 1];
  return {
    task, parameters: model.numParameters(), model,
    trainAccuracy: last?.trainAccuracy ?? NaN, testAccuracy: last?.valAccuracy ?? NaN,
    seconds: (performance.now() - started) / 1000,
  };
}

const DEFAULTS = { task: 'both', epochs: 12, seed: 0 };

export const signalsCommand = defineCommand(
  {
    name: 'signals',
    summary: 'the same conv layers on sequences: classify synthetic audio clips and character-level text with Conv1d networks',
    usage: 'waldo signals [--task audio|text|both] [--epochs N] [--seed N]',
    options: {
      task: { type: 'string', value: 'TASK', help: `audio (tones, chirps, clicks, noise bursts), text (sentence topics) or both (default ${DEFAULTS.task})` },
      epochs: { type: 'string', value: 'N', help: `passes over the 1,200 training examples (default ${DEFAULTS.epochs})` },
      seed: { type: 'string', value: 'N', help: `seeds data, initialisation and shuffling (default ${DEFAULTS.seed})` },
      quiet: { type: 'boolean', short: 'q', help: 'print only the accuracies' },
    },
  },
  (args) => {
    const task = (args.values.task as string | undefined) ?? DEFAULTS.task;
    if (!['audio', 'text', 'both'].includes(task)) throw new UsageError(`waldo signals: --task must be audio, text or both, got '${task}'`);
    const epochs = numberOption(args, 'epochs', 'signals', { integer: true, min: 1 }) ?? DEFAULTS.epochs;
    const seed = numberOption(args, 'seed', 'signals', { integer: true, min: 0 }) ?? DEFAULTS.seed;
    const quiet = args.values.quiet === true;
    const progress: ProgressSink = quiet ? silentSink : stdoutSink();
    const tasks: SignalTask[] = task === 'both' ? ['audio', 'text'] : [task as SignalTask];
    for (const t of tasks) {
      if (!quiet) {
        const what = t === 'audio' ? '4 classes (tone, chirp, click, noiseBurst), clips [1, 256]' : '4 topics (weather, sports, recipe, finance), one-hot characters [41, 64]';
        process.stdout.write(`${t}: ${what}; 1200 training / 400 held-out examples\n`);
      }
      const r = runSignalTask(t, { epochs, seed, progress });
      process.stdout.write(`${t}: held-out accuracy ${(100 * r.testAccuracy).toFixed(2)}% (train ${(100 * r.trainAccuracy).toFixed(2)}%, chance 25%) with ${r.parameters.toLocaleString('en-US')} parameters after ${epochs} epochs in ${r.seconds.toFixed(1)}s\n`);
    }
    return 0;
  },
);
