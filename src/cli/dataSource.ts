import { UsageError } from './args.js';
import { loadBundledMnist } from '../data/bundledMnist.js';
import type { Dataset } from '../data/dataset.js';
import { loadIdxDirectory } from '../data/idxDataset.js';
import { loadImageFolder } from '../data/imageFolder.js';
import { channelStatistics } from '../data/statistics.js';

/** Where Debian's dataset-fashion-mnist package puts the official IDX files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export interface DataSource {
  name: string;
  train: Dataset;
  test: Dataset;
  classes: readonly string[];
  /** Per-channel statistics of the training inputs, for normalisation. */
  mean: number[];
  std: number[];
}

/**
 * Resolves `--data`: `mnist` (the bundled digits), `fashion-mnist` (Debian's official files),
 * `idx:DIR` (MNIST-style IDX files) or `folder:DIR` (one subfolder per class).
 */
export function loadDataSource(spec: string): DataSource {
  if (spec === 'mnist') {
    const { train, test } = loadBundledMnist();
    // The customary MNIST statistics, so weights match those trained elsewhere with them.
    return { name: 'the bundled MNIST digits', train, test, classes: train.classes ?? [], mean: [0.1307], std: [0.3081] };
  }
  let loaded: { train: Dataset; test: Dataset; classes: readonly string[] };
  let name: string;
  if (spec === 'fashion-mnist') {
    loaded = loadIdxDirectory(FASHION_MNIST_DIR, FASHION_CLASSES);
    name = `Fashion-MNIST (${FASHION_MNIST_DIR})`;
  } else if (spec.startsWith('idx:')) {
    loaded = loadIdxDirectory(spec.slice(4));
    name = spec.slice(4);
  } else if (spec.startsWith('folder:')) {
    loaded = loadImageFolder(spec.slice(7));
    name = spec.slice(7);
  } else {
    throw new UsageError(`waldo: --data must be mnist, fashion-mnist, idx:DIR or folder:DIR, got '${spec}'`);
  }
  const { mean, std } = channelStatistics(loaded.train);
  return { name, ...loaded, mean, std };
}

export const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
