import { test } from 'node:test';
import assert from 'node:assert/strict';
import { functional as F, Generator, ones, randn, tensor, zeros } from '../../src/index.js';

// Bad shapes and options fail before computing, with messages that name the op and the shapes.

const labels = (values: number[]) => tensor(values, [values.length], { dtype: 'int32' });

test('linear: a feature mismatch names both shapes', () => {
  assert.throws(() => F.linear(randn([2, 3]), randn([4, 5])), /linear: input \[2, 3\] must end in 5 features to match weight \[4, 5\]/);
  assert.throws(() => F.linear(randn([2, 5]), randn([4, 5]), randn([3])), /linear: bias \[3\] must be \[4\]/);
});

test('crossEntropy: targets out of range, float labels and wrong shapes are refused', () => {
  assert.throws(() => F.crossEntropy(randn([2, 3]), labels([0, 3])), /crossEntropy: target 3 at index 1 is out of range for 3 classes \(0\.\.2\)/);
  assert.throws(() => F.crossEntropy(randn([2, 3]), labels([-1, 0])), /target -1 at index 0 is out of range/);
  assert.throws(() => F.crossEntropy(randn([2, 3]), tensor([0, 1], [2])), /crossEntropy: target must be int32 class indices, got a float32 tensor \[2\]/);
  assert.throws(() => F.crossEntropy(randn([2, 3]), labels([0, 1, 2])), /crossEntropy: target \[3\] must be \[2\] for input \[2, 3\]/);
  assert.throws(() => F.crossEntropy(randn([2, 3]), labels([0, 1]), { labelSmoothing: 1.5 }), /labelSmoothing must lie in \[0, 1\], got 1\.5/);
  assert.throws(() => F.crossEntropy(randn([2, 3]), labels([0, 1]), { reduction: 'avg' as 'mean' }), /reduction must be 'mean', 'sum' or 'none', got 'avg'/);
});

test('mseLoss and binaryCrossEntropyWithLogits need equal shapes', () => {
  assert.throws(() => F.mseLoss(randn([2, 3]), randn([3, 2])), /mseLoss: input \[2, 3\] and target \[3, 2\] must have the same shape/);
  assert.throws(() => F.binaryCrossEntropyWithLogits(randn([4]), randn([2])), /binaryCrossEntropyWithLogits: input \[4\] and target \[2\]/);
});

test('softmax: dim out of range', () => {
  assert.throws(() => F.softmax(randn([2, 3]), 2), /softmax: dim 2 is out of range for a tensor with 2 dimension\(s\)/);
});

test('batchNorm: channel vectors must match, training needs more than one value per channel', () => {
  assert.throws(() => F.batchNorm(randn([4, 3]), zeros([2]), ones([2])), /batchNorm: runningMean \[2\] must be \[3\] for input \[4, 3\] with 3 channels/);
  assert.throws(() => F.batchNorm(randn([1, 3]), zeros([3]), ones([3]), null, null, { training: true }), /training needs more than one value per channel, got input \[1, 3\]/);
  assert.throws(() => F.batchNorm(randn([4, 3]), null, null), /evaluation mode needs runningMean and runningVar/);
});

test('dropout: p outside [0, 1]; eval mode and p = 0 pass the input through', () => {
  assert.throws(() => F.dropout(randn([3]), 1.2), /dropout: probability p must lie in \[0, 1\], got 1\.2/);
  const x = randn([5]);
  assert.equal(F.dropout(x, 0.5, false), x);
  const y = F.dropout(ones([1000]), 0.3, true, new Generator(3)).toArray();
  const kept = y.filter((v) => v !== 0);
  assert.ok(kept.every((v) => Math.abs(v - 1 / 0.7) < 1e-6), 'survivors are scaled by 1/(1-p)');
  assert.ok(kept.length > 600 && kept.length < 800, `about 70% kept, got ${kept.length}`);
});

test('activations refuse int32 tensors', () => {
  assert.throws(() => F.relu(labels([1, 2])), /relu: the input must be float32 or float64, got int32/);
});
