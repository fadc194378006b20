import { noGrad } from '../autograd/gradMode.js';
import type { Batch } from '../data/dataLoader.js';
import { ConfusionMatrix, argmaxRows } from './metrics.js';
import type { LossFn, TrainableModel } from './types.js';

/**
 * Examples per batch when evaluating a held-out set (the command line's validation and evaluate).
 * Larger batches save little per-call overhead but make activations that pass glibc's 32 MiB mmap
 * limit (500 × 32 channels × 28² floats is 50 MB): those are mapped fresh and faulted in page by
 * page on every batch. Validating small-cnn on 2,000 digits in batches of 500 took 379,000 page
 * faults per epoch, in batches of 128 95,000.
 */
export const EVALUATION_BATCH_SIZE = 128;

export interface Evaluation {
  loss: number;
  accuracy: number;
  confusion: ConfusionMatrix;
  examples: number;
}

/**
 * Runs the model in eval mode without recording gradients over every batch, and returns the mean
 * loss, the accuracy and the confusion matrix. The model's previous train/eval mode is restored.
 *
 * @example
 * const { accuracy } = evaluate(model, new DataLoader(test, { batchSize: 256 }), numClasses, F.crossEntropy);
 */
export function evaluate(model: TrainableModel & { training?: boolean }, batches: Iterable<Batch>, numClasses: number, loss: LossFn): Evaluation {
  const wasTraining = model.training ?? true;
  model.eval();
  const confusion = new ConfusionMatrix(numClasses);
  let lossSum = 0;
  let examples = 0;
  try {
    noGrad(() => {
      for (const { x, y } of batches) {
        const out = model.call(x);
        const n = y.shape[0];
        lossSum += loss(out, y).item() * n;
        confusion.add(y.data, argmaxRows(out.data, n, out.numel() / n));
        examples += n;
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return { loss: lossSum / Math.max(examples, 1), accuracy: confusion.accuracy(), confusion, examples };
}
