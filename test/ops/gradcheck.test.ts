import { test } from 'node:test';
import { type Tensor, functional as F, tensor } from '../../src/index.js';
import { gradCheck, randomInput } from '../helpers/gradcheck.js';

// Central-difference gradient checks in float64 for the dense, activation, softmax, loss,
// normalization and dropout ops (the convolution family has its own in conv/pool/pad tests).

const labels = (values: number[]) => tensor(values, [values.length], { dtype: 'int32' });

/** Inputs kept away from an activation's kink, where a finite difference is not a derivative. */
function awayFromZero(shape: number[], seed: number): Tensor {
  const x = randomInput(shape, seed);
  for (let i = 0; i < x.data.length; i++) if (Math.abs(x.data[i]) < 0.05) x.data[i] += 0.1;
  return x;
}

const cases: [string, () => void][] = [
  ['linear 2-D with bias', () => gradCheck(F.linear, [randomInput([3, 5], 1), randomInput([4, 5], 2), randomInput([4], 3)])],
  ['linear 3-D input without bias', () => gradCheck((x, w) => F.linear(x, w), [randomInput([2, 3, 5], 4), randomInput([4, 5], 5)])],
  ['relu', () => gradCheck(F.relu, [awayFromZero([3, 4], 6)])],
  ['leakyRelu slope 0.2', () => gradCheck((x) => F.leakyRelu(x, 0.2), [awayFromZero([3, 4], 7)])],
  ['sigmoid', () => gradCheck(F.sigmoid, [randomInput([3, 4], 8, -4, 4)])],
  ['tanh', () => gradCheck(F.tanh, [randomInput([3, 4], 9, -3, 3)])],
  ['gelu', () => gradCheck(F.gelu, [randomInput([3, 4], 10, -4, 4)])],
  ['softmax dim 1 of 3-D', () => gradCheck((x) => F.softmax(x, 1), [randomInput([2, 3, 4], 11, -3, 3)])],
  ['logSoftmax dim -1', () => gradCheck((x) => F.logSoftmax(x, -1), [randomInput([3, 5], 12, -3, 3)])],
  ['crossEntropy mean', () => gradCheck((x) => F.crossEntropy(x, labels([0, 3, 1, 4])), [randomInput([4, 5], 13, -2, 2)])],
  ['crossEntropy sum with label smoothing', () => gradCheck((x) => F.crossEntropy(x, labels([2, 0, 1]), { labelSmoothing: 0.1, reduction: 'sum' }), [randomInput([3, 4], 14, -2, 2)])],
  ['crossEntropy none', () => gradCheck((x) => F.crossEntropy(x, labels([1, 0]), { reduction: 'none' }), [randomInput([2, 3], 15)])],
  ['nllLoss', () => gradCheck((x) => F.nllLoss(x, labels([1, 2, 0])), [randomInput([3, 3], 16)])],
  ['mseLoss mean, both inputs', () => gradCheck((a, b) => F.mseLoss(a, b), [randomInput([3, 4], 17), randomInput([3, 4], 18)])],
  ['mseLoss none', () => gradCheck((a, b) => F.mseLoss(a, b, { reduction: 'none' }), [randomInput([2, 3], 19), randomInput([2, 3], 20)])],
  ['binaryCrossEntropyWithLogits mean, both inputs', () => gradCheck((x, y) => F.binaryCrossEntropyWithLogits(x, y), [randomInput([3, 4], 21, -5, 5), randomInput([3, 4], 22, 0, 1)])],
  ['binaryCrossEntropyWithLogits sum', () => gradCheck((x, y) => F.binaryCrossEntropyWithLogits(x, y, { reduction: 'sum' }), [randomInput([5], 23, -3, 3), randomInput([5], 24, 0, 1)])],
  ['batchNorm training 4-D with affine', () => {
    const rm = tensor([0, 0, 0], [3], { dtype: 'float64' });
    const rv = tensor([1, 1, 1], [3], { dtype: 'float64' });
    gradCheck((x, w, b) => F.batchNorm(x, rm, rv, w, b, { training: true }), [randomInput([2, 3, 2, 3], 25), randomInput([3], 26), randomInput([3], 27)]);
  }],
  ['batchNorm training 2-D without affine', () => {
    gradCheck((x) => F.batchNorm(x, null, null, null, null, { training: true }), [randomInput([5, 4], 28)]);
  }],
  ['batchNorm evaluation', () => {
    const rm = tensor([0.1, -0.2], [2], { dtype: 'float64' });
    const rv = tensor([0.5, 2], [2], { dtype: 'float64' });
    gradCheck((x, w, b) => F.batchNorm(x, rm, rv, w, b, { training: false }), [randomInput([3, 2, 2], 29), randomInput([2], 30), randomInput([2], 31)]);
  }],
  ['elementwise chain with broadcasting', () => gradCheck((a, b) => a.mul(b).add(b.pow(2)).div(a.abs().add(1)).exp().sum(0), [randomInput([3, 4], 32), randomInput([4], 33)])],
  ['matmul batched with broadcast', () => gradCheck((a, b) => a.matmul(b), [randomInput([2, 3, 4], 34), randomInput([4, 5], 35)])],
  ['reductions: mean over dims, max along a dim', () => gradCheck((x) => x.mean([0, 2], true).add(x.max(1, true)), [randomInput([2, 3, 4], 36)])],
];

for (const [name, check] of cases) test(`gradient check: ${name}`, check);

test('gradient check: dropout with a fixed mask (same generator seed each call)', async () => {
  const { Generator } = await import('../../src/index.js');
  gradCheck((x) => F.dropout(x, 0.4, true, new Generator(5)), [randomInput([4, 5], 37)]);
});
