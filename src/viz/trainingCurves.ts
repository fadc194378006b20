import type { EpochRecord } from '../train/fit.js';
import { Canvas } from './canvas.js';
import { lineChart } from './lineChart.js';

/** Copies `part` into `target` with its top-left corner at row y0. */
function paste(target: Canvas, part: Canvas, y0: number): void {
  target.data.set(part.data, y0 * target.width * 3);
}

/**
 * The loss and accuracy curves of a training run, one chart above the other, as `waldo train`
 * writes them next to its checkpoint (curves.png).
 *
 * @example
 * import { viz } from 'waldo';
 * const history = [1, 2, 3].map((epoch) => ({ epoch, trainLoss: 1 / epoch, trainAccuracy: 1 - 0.3 / epoch, valLoss: 1.1 / epoch, valAccuracy: 1 - 0.35 / epoch, lr: 0.001, seconds: 2, imagesPerSecond: 4000 }));
 * viz.trainingCurves(history).toPng();
 */
export function trainingCurves(history: readonly EpochRecord[], width = 640): Canvas {
  const xs = history.map((r) => r.epoch);
  const loss = lineChart({
    title: 'loss', xLabel: 'epoch', yLabel: 'cross-entropy', xs, width, height: 300,
    series: [{ name: 'train', values: history.map((r) => r.trainLoss) }, { name: 'held out', values: history.map((r) => r.valLoss ?? NaN) }],
  });
  const accuracy = lineChart({
    title: 'accuracy', xLabel: 'epoch', yLabel: 'percent', xs, width, height: 300,
    series: [{ name: 'train', values: history.map((r) => 100 * r.trainAccuracy) }, { name: 'held out', values: history.map((r) => 100 * (r.valAccuracy ?? NaN)) }],
  });
  const both = new Canvas(width, loss.height + accuracy.height);
  paste(both, loss, 0);
  paste(both, accuracy, loss.height);
  return both;
}
