import type { DataLoader } from '../data/dataLoader.js';
import { ValueError } from '../errors.js';
import { crossEntropy } from '../ops/loss.js';
import { evaluate, type Evaluation } from './evaluate.js';
import { argmaxRows } from './metrics.js';
import { ProgressBar, type ProgressSink, silentSink } from './progress.js';
import type { LossFn, LrScheduler, StepOptimizer, TrainableModel } from './types.js';

/** Training stopped because the loss stopped being a finite number. */
export class NonFiniteLossError extends Error {
  override name = 'NonFiniteLossError';
}

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss?: number;
  valAccuracy?: number;
  lr: number;
  seconds: number;
  imagesPerSecond: number;
}

/** Everything a resumed run needs, handed to `onEpochEnd` (which writes the checkpoint). */
export interface TrainingState {
  epoch: number;
  history: EpochRecord[];
}

export interface FitOptions {
  epochs: number;
  optimizer: StepOptimizer;
  scheduler?: LrScheduler;
  /** When the scheduler steps: after every batch (OneCycleLR) or every epoch (the default). ReduceLROnPlateau gets the validation loss. */
  schedulerInterval?: 'batch' | 'epoch';
  /** Default: cross-entropy over logits. */
  loss?: LossFn;
  numClasses: number;
  validation?: DataLoader;
  /** Epochs already done (after a resume): training continues at epoch startEpoch + 1. */
  startEpoch?: number;
  history?: EpochRecord[];
  progress?: ProgressSink;
  /** Called after each epoch with the finished state; the CLI writes its checkpoint here. */
  onEpochEnd?: (state: TrainingState) => void;
  /** Called after each optimisation step with its loss (tests compare resumed and uninterrupted runs with it). */
  onStep?: (epoch: number, step: number, loss: number) => void;
}

export interface FitResult {
  history: EpochRecord[];
  validation?: Evaluation;
}

/**
 * The training loop: for each epoch, every batch of `loader` goes forward, the loss backward and
 * the optimizer steps; then the model is evaluated on `validation` and `onEpochEnd` runs. A NaN or
 * infinite loss stops training with an error naming the epoch and step, before the optimizer can
 * spread it into the weights (and before any checkpoint of that epoch is written).
 *
 * @example
 * fit(model, trainLoader, { epochs: 3, optimizer: new optim.Adam(model.parameters()), numClasses: 10, validation: testLoader });
 */
export function fit(model: TrainableModel, loader: DataLoader, options: FitOptions): FitResult {
  const { epochs, optimizer, scheduler, numClasses, validation } = options;
  const loss = options.loss ?? ((out, target) => crossEntropy(out, target));
  const sink = options.progress ?? silentSink;
  const history = [...(options.history ?? [])];
  const startEpoch = options.startEpoch ?? 0;
  if (!Number.isInteger(epochs) || epochs < 0) throw new ValueError(`fit: epochs must be a non-negative integer, got ${epochs}`);
  let lastValidation: Evaluation | undefined;
  for (let epoch = startEpoch + 1; epoch <= epochs; epoch++) {
    model.train();
    const started = performance.now();
    const bar = new ProgressBar(sink, `epoch ${epoch}/${epochs}`, loader.length);
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    let step = 0;
    for (const { x, y } of loader) {
      step++;
      optimizer.zeroGrad();
      const out = model.call(x);
      const value = loss(out, y);
      const lossValue = value.item();
      if (!Number.isFinite(lossValue)) {
        bar.finish();
        throw new NonFiniteLossError(`the loss became ${lossValue} at epoch ${epoch}, step ${step}; training stopped and the last checkpoint (epoch ${epoch - 1}) is kept. Try a lower learning rate.`);
      }
      value.backward();
      optimizer.step();
      if (scheduler !== undefined && options.schedulerInterval === 'batch') scheduler.step();
      const n = y.shape[0];
      const predicted = argmaxRows(out.data, n, out.numel() / n);
      for (let i = 0; i < n; i++) if (predicted[i] === y.data[i]) correct++;
      lossSum += lossValue * n;
      seen += n;
      options.onStep?.(epoch, step, lossValue);
      bar.update(step, { loss: lossSum / seen, accuracy: correct / seen, images: seen });
    }
    bar.finish();
    const seconds = (performance.now() - started) / 1000;
    const lr = currentLr(optimizer, scheduler);
    const record: EpochRecord = { epoch, trainLoss: lossSum / Math.max(seen, 1), trainAccuracy: correct / Math.max(seen, 1), lr, seconds, imagesPerSecond: seen / seconds };
    if (validation !== undefined) {
      lastValidation = evaluate(model as TrainableModel & { training?: boolean }, validation, numClasses, loss);
      record.valLoss = lastValidation.loss;
      record.valAccuracy = lastValidation.accuracy;
    }
    if (scheduler !== undefined && options.schedulerInterval !== 'batch') scheduler.step(record.valLoss ?? record.trainLoss);
    history.push(record);
    sink.write(formatEpoch(record, epochs) + '\n');
    options.onEpochEnd?.({ epoch, history });
  }
  return { history, validation: lastValidation };
}

function currentLr(optimizer: StepOptimizer, scheduler?: LrScheduler): number {
  if (scheduler !== undefined) return scheduler.getLastLr()[0];
  const groups = (optimizer as { paramGroups?: { lr: number }[] }).paramGroups;
  return groups?.[0]?.lr ?? NaN;
}

/** `epoch 3/5: train loss 0.0712 acc 97.8% | val loss 0.0650 acc 98.1% | 4.2s, 1,905 img/s` */
export function formatEpoch(r: EpochRecord, epochs: number): string {
  const val = r.valLoss === undefined ? '' : ` | val loss ${r.valLoss.toFixed(4)} acc ${(100 * (r.valAccuracy ?? 0)).toFixed(2)}%`;
  return `epoch ${r.epoch}/${epochs}: train loss ${r.trainLoss.toFixed(4)} acc ${(100 * r.trainAccuracy).toFixed(2)}%${val} | lr ${r.lr.toPrecision(3)} | ${r.seconds.toFixed(1)}s, ${Math.round(r.imagesPerSecond).toLocaleString('en-US')} img/s`;
}
