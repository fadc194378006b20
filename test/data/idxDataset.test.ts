import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'fflate';
import { loadIdxDirectory } from '../../src/data/idxDataset.js';
import { FormatError } from '../../src/errors.js';
import { encodeIdx } from '../../src/io/idx.js';

/** A folder with the four MNIST-family files: training images gzipped, the rest raw, as mixed downloads are. */
function idxFolder(trainPixels: number[], trainLabels: number[], testPixels: number[], testLabels: number[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'waldo-idx-'));
  writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(encodeIdx('uint8', [trainLabels.length, 2, 2], trainPixels)));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), encodeIdx('uint8', [trainLabels.length], trainLabels));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte'), encodeIdx('uint8', [testLabels.length, 2, 2], testPixels));
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), encodeIdx('uint8', [testLabels.length], testLabels));
  return dir;
}

test('IDX folders: [1, H, W] images with bytes scaled to [0, 1], labels as given, both splits', () => {
  const trainPixels = [0, 51, 102, 255, 1, 2, 254, 128];
  const dir = idxFolder(trainPixels, [3, 9], [255, 0, 0, 17], [0]);
  try {
    const { train, test: held, classes } = loadIdxDirectory(dir, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']);
    assert.deepEqual(classes, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']);
    assert.deepEqual(train.shape, [1, 2, 2]);
    assert.ok(train.inputs instanceof Float32Array);
    // Byte v becomes the float32 nearest v · (1/255): 51 → 0.2, 255 → 1, 128 → 0.50196…
    assert.deepEqual(Array.from(train.inputs), trainPixels.map((v) => Math.fround(v * (1 / 255))));
    assert.equal(train.inputs[3], 1);
    assert.equal(train.inputs[1], Math.fround(0.2));
    assert.deepEqual(Array.from(train.labels), [3, 9]);
    assert.deepEqual(Array.from(held.inputs), [1, 0, 0, Math.fround(17 / 255)]);
    assert.deepEqual(Array.from(held.labels), [0]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('IDX folders: a label outside the classes names the file, the label and its index', () => {
  const dir = idxFolder([0, 0, 0, 0, 0, 0, 0, 0], [1, 10], [0, 0, 0, 0], [0]);
  try {
    assert.throws(
      () => loadIdxDirectory(dir),
      (error: unknown) => error instanceof FormatError && error.file === join(dir, 'train-labels-idx1-ubyte') && /label 10 at index 1 is outside 0\.\.9/.test(error.message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
