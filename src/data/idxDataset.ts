import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError } from '../errors.js';
import { decodeIdx } from '../io/idx.js';
import { ArrayDataset } from './dataset.js';

/** The file names of the MNIST family, each tried raw and gzipped. */
const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

function findFile(dir: string, base: string): string {
  for (const candidate of [base, `${base}.gz`, base.replace(/-idx(\d)-/, '.idx$1-'), `${base.replace(/-idx(\d)-/, '.idx$1-')}.gz`]) {
    const path = join(dir, candidate);
    if (existsSync(path)) return path;
  }
  throw new FormatError(join(dir, base), `not found (looked for ${base} and ${base}.gz in ${dir})`);
}

/**
 * Reads an image IDX file and its label file into a dataset of [1, H, W] images scaled to [0, 1].
 * The two files must agree on the number of examples, and labels must lie in 0..classes−1.
 */
export function loadIdxPair(imagesPath: string, labelsPath: string, numClasses: number): ArrayDataset {
  const images = decodeIdx(readFileSync(imagesPath), imagesPath);
  const labels = decodeIdx(readFileSync(labelsPath), labelsPath);
  if (images.shape.length !== 3) throw new FormatError(imagesPath, `expected a 3-dimensional image array [N, H, W], got [${images.shape.join(', ')}]`);
  if (labels.shape.length !== 1) throw new FormatError(labelsPath, `expected a 1-dimensional label array [N], got [${labels.shape.join(', ')}]`);
  if (labels.shape[0] !== images.shape[0]) throw new FormatError(labelsPath, `holds ${labels.shape[0]} labels but ${imagesPath} holds ${images.shape[0]} images`);
  const pixels = scaledPixels(images.data as ArrayLike<number>, images.dtype === 'uint8' ? 1 / 255 : 1);
  const y = Int32Array.from(labels.data as ArrayLike<number>);
  const bad = y.findIndex((v) => v < 0 || v >= numClasses);
  if (bad >= 0) throw new FormatError(labelsPath, `label ${y[bad]} at index ${bad} is outside 0..${numClasses - 1}`);
  const classes = Array.from({ length: numClasses }, (_, i) => String(i));
  return new ArrayDataset(pixels, [1, images.shape[1], images.shape[2]], y, classes);
}

/**
 * The pixels as float32, each times `scale`. A plain loop: Float32Array.from with a map function
 * calls it per element and took 10 s on Fashion-MNIST's 47 M training pixels, against 0.1 s here.
 */
function scaledPixels(values: ArrayLike<number>, scale: number): Float32Array {
  const pixels = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) pixels[i] = values[i]! * scale;
  return pixels;
}

/**
 * The MNIST-family files in `dir` (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz],
 * t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]): the official training and test splits.
 *
 * @example
 * const { train, test } = loadIdxDirectory('/usr/share/datasets/fashion-mnist');
 */
export function loadIdxDirectory(dir: string, classNames?: readonly string[]): { train: ArrayDataset; test: ArrayDataset; classes: readonly string[] } {
  const numClasses = classNames?.length ?? 10;
  const classes = classNames ?? Array.from({ length: numClasses }, (_, i) => String(i));
  const train = loadIdxPair(findFile(dir, FILES.trainImages), findFile(dir, FILES.trainLabels), numClasses);
  const test = loadIdxPair(findFile(dir, FILES.testImages), findFile(dir, FILES.testLabels), numClasses);
  return {
    train: new ArrayDataset(train.inputs, train.shape, train.labels, classes),
    test: new ArrayDataset(test.inputs, test.shape, test.labels, classes),
    classes,
  };
}
