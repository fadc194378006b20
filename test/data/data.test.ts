import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator } from '../../src/index.js';
import { ArrayDataset, Subset } from '../../src/data/dataset.js';
import { DataLoader } from '../../src/data/dataLoader.js';
import { compose, normalize, randomHorizontalFlip, randomShift, shiftImage } from '../../src/data/transforms.js';
import { loadBundledMnist } from '../../src/data/bundledMnist.js';

function toyDataset(n: number): ArrayDataset {
  const inputs = Float32Array.from({ length: n * 4 }, (_, i) => i);
  return new ArrayDataset(inputs, [1, 2, 2], Int32Array.from({ length: n }, (_, i) => i % 3));
}

test('DataLoader batches in order, with a smaller last batch unless dropLast', () => {
  const loader = new DataLoader(toyDataset(10), { batchSize: 4 });
  const batches = [...loader];
  assert.equal(loader.length, 3);
  assert.deepEqual(batches.map((b) => b.x.shape), [[4, 1, 2, 2], [4, 1, 2, 2], [2, 1, 2, 2]]);
  assert.deepEqual(Array.from(batches[1].y.toArray()), [1, 2, 0, 1]);
  assert.deepEqual(Array.from(batches[2].x.toArray()).slice(0, 4), [32, 33, 34, 35]);
  assert.equal(batches[0].y.dtype, 'int32');
  const dropped = new DataLoader(toyDataset(10), { batchSize: 4, dropLast: true });
  assert.equal(dropped.length, 2);
  assert.equal([...dropped].length, 2);
});

test('shuffling is a seeded permutation: every example once, same seed same order', () => {
  const labelsOf = (seed: number) => {
    const ds = new ArrayDataset(Float32Array.from({ length: 20 }, (_, i) => i), [1], Int32Array.from({ length: 20 }, (_, i) => i));
    return [...new DataLoader(ds, { batchSize: 6, shuffle: true, generator: new Generator(seed) })].flatMap((b) => Array.from(b.y.toArray()));
  };
  const a = labelsOf(5);
  assert.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i));
  assert.deepEqual(labelsOf(5), a);
  assert.notDeepEqual(labelsOf(6), a);
});

test('a restored generator state reproduces the next pass exactly (what resume relies on)', () => {
  const loader = new DataLoader(toyDataset(12), { batchSize: 5, shuffle: true, generator: new Generator(9), transform: randomShift(1) });
  [...loader];
  const state = loader.generator.getState();
  const next = [...loader].map((b) => Array.from(b.x.toArray()));
  const again = new DataLoader(toyDataset(12), { batchSize: 5, shuffle: true, generator: new Generator(0).setState(state), transform: randomShift(1) });
  assert.deepEqual([...again].map((b) => Array.from(b.x.toArray())), next);
});

test('transforms: normalize, shift, flip', () => {
  const sample = { input: Float32Array.from([1, 2, 3, 4]), shape: [1, 2, 2], label: 0 };
  assert.deepEqual(Array.from(normalize([1], [2])(sample, new Generator(0)).input), [0, 0.5, 1, 1.5]);
  // Shift down by one: the first row becomes fill, the second row is the old first row.
  assert.deepEqual(Array.from(shiftImage(sample.input, sample.shape, 1, 0)), [0, 0, 1, 2]);
  assert.deepEqual(Array.from(shiftImage(sample.input, sample.shape, 0, -1, 9)), [2, 9, 4, 9]);
  assert.deepEqual(Array.from(randomHorizontalFlip(1)(sample, new Generator(0)).input), [2, 1, 4, 3]);
  assert.deepEqual(Array.from(randomHorizontalFlip(0)(sample, new Generator(0)).input), [1, 2, 3, 4]);
  // A random shift by up to 1 keeps the total mass or drops a border row/column of it, never adds any.
  const shifted = compose(randomShift(1))(sample, new Generator(3)).input;
  assert.ok(shifted.reduce((s, v) => s + v, 0) <= 10);
  assert.equal(sample.input[0], 1, 'the source example is not modified');
  assert.throws(() => normalize([0, 0], [1, 1])(sample, new Generator(0)), /2 means were given/);
});

test('Subset picks examples by index', () => {
  const s = new Subset(toyDataset(5), [4, 0]);
  assert.equal(s.length, 2);
  assert.equal(s.get(0).input[0], 16);
  assert.throws(() => s.get(2), /index 2 is out of range for 2 examples/);
});

test('the bundled MNIST split: 8,000 training and 2,000 held-out digits, 200 of each class held out', () => {
  const { train, test: held } = loadBundledMnist();
  assert.equal(train.length, 8000);
  assert.equal(held.length, 2000);
  assert.deepEqual(train.shape, [1, 28, 28]);
  const counts = new Array(10).fill(0);
  for (const label of held.labels) counts[label]++;
  assert.deepEqual(counts, new Array(10).fill(200));
  // Real digits: values in [0, 1] with a dark background and some ink in every image.
  const image = held.get(0).input;
  assert.ok(image.every((v) => v >= 0 && v <= 1));
  assert.ok(image.filter((v) => v > 0.5).length > 20);
});
