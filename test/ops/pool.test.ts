import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Tensor, ShapeError, ValueError, functional as F, ones, tensor, zeros } from '../../src/index.js';
import type { AvgPoolOptions, MaxPoolOptions } from '../../src/ops/pool.js';
import { gradCheck, randomInput } from '../helpers/gradcheck.js';
import { checkAgainstTorch, loadFixtureCases } from '../helpers/torchFixtures.js';

const arr = (t: Tensor) => Array.from(t.toArray());

// Max pooling is differentiable wherever the maximum of each window is unique, which random
// inputs give (central differences with eps 1e-6 only fail on near-ties, far rarer than these sizes).
const maxPool2dCases: [string, number[], MaxPoolOptions][] = [
  ['kernel 2', [2, 2, 4, 6], { kernelSize: 2 }],
  ['kernel 2 on odd sizes', [1, 2, 5, 7], { kernelSize: 2 }],
  ['kernel 3, stride 2, padding 1', [1, 2, 7, 5], { kernelSize: 3, stride: 2, padding: 1 }],
  ['overlapping windows, stride 1, padding 1', [1, 2, 4, 4], { kernelSize: 3, stride: 1, padding: 1 }],
  ['pairs', [1, 2, 7, 5], { kernelSize: [3, 2], stride: [2, 1], padding: [1, 0] }],
  ['dilation 2', [1, 2, 7, 6], { kernelSize: 3, dilation: 2 }],
  ['dilation pair, padding 1', [1, 1, 7, 8], { kernelSize: 2, dilation: [2, 3], padding: 1 }],
  ['ceilMode', [1, 2, 8, 6], { kernelSize: 3, stride: 2, ceilMode: true }],
  ['ceilMode dropping the last window', [1, 2, 7, 5], { kernelSize: 2, stride: 2, padding: 1, ceilMode: true }],
  ['unbatched [C, H, W]', [2, 5, 4], { kernelSize: 2, stride: 1 }],
];

for (const [name, shape, options] of maxPool2dCases) {
  test(`maxPool2d gradient check: ${name}`, () => gradCheck((x) => F.maxPool2d(x, options), [randomInput(shape, 41)]));
}

const maxPool1dCases: [string, number[], MaxPoolOptions][] = [
  ['kernel 2', [2, 2, 8], { kernelSize: 2 }],
  ['kernel 3, stride 2, padding 1', [1, 2, 9], { kernelSize: 3, stride: 2, padding: 1 }],
  ['dilation 2', [1, 2, 9], { kernelSize: 2, dilation: 2 }],
  ['ceilMode', [1, 2, 8], { kernelSize: 3, stride: 2, ceilMode: true }],
  ['unbatched [C, L]', [3, 7], { kernelSize: [3], stride: [2] }],
];

for (const [name, shape, options] of maxPool1dCases) {
  test(`maxPool1d gradient check: ${name}`, () => gradCheck((x) => F.maxPool1d(x, options), [randomInput(shape, 42)]));
}

const avgPool2dCases: [string, number[], AvgPoolOptions][] = [
  ['kernel 2', [2, 2, 4, 6], { kernelSize: 2 }],
  ['kernel 3, stride 2, padding 1', [1, 2, 7, 5], { kernelSize: 3, stride: 2, padding: 1 }],
  ['kernel 3, stride 2, padding 1, countIncludePad false', [1, 2, 7, 5], { kernelSize: 3, stride: 2, padding: 1, countIncludePad: false }],
  ['pairs', [1, 2, 7, 5], { kernelSize: [3, 2], stride: [2, 1], padding: [1, 0] }],
  ['ceilMode', [1, 2, 8, 6], { kernelSize: 3, stride: 2, ceilMode: true }],
  ['ceilMode with padding', [1, 2, 8, 6], { kernelSize: 3, stride: 2, padding: 1, ceilMode: true }],
  ['ceilMode with padding, countIncludePad false', [1, 2, 8, 6], { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false }],
  ['ceilMode dropping the last window', [1, 1, 7, 5], { kernelSize: 2, stride: 2, padding: 1, ceilMode: true }],
  ['unbatched [C, H, W]', [2, 5, 4], { kernelSize: 2, stride: 1 }],
];

for (const [name, shape, options] of avgPool2dCases) {
  test(`avgPool2d gradient check: ${name}`, () => gradCheck((x) => F.avgPool2d(x, options), [randomInput(shape, 43)]));
}

const avgPool1dCases: [string, number[], AvgPoolOptions][] = [
  ['kernel 2', [2, 2, 8], { kernelSize: 2 }],
  ['kernel 3, stride 2, padding 1', [1, 2, 8], { kernelSize: 3, stride: 2, padding: 1 }],
  ['countIncludePad false', [1, 2, 8], { kernelSize: 3, stride: 2, padding: 1, countIncludePad: false }],
  ['ceilMode with padding', [1, 2, 5], { kernelSize: 2, stride: 2, padding: 1, ceilMode: true }],
  ['unbatched [C, L]', [3, 7], { kernelSize: 3 }],
];

for (const [name, shape, options] of avgPool1dCases) {
  test(`avgPool1d gradient check: ${name}`, () => gradCheck((x) => F.avgPool1d(x, options), [randomInput(shape, 44)]));
}

const adaptiveCases: [string, number[], number | [number, number]][] = [
  ['7x5 to 3x2 (bins overlap)', [2, 2, 7, 5], [3, 2]],
  ['7x5 to 3', [1, 2, 7, 5], 3],
  ['global', [2, 3, 5, 4], 1],
  ['3x2 to 5x4 (upsampling)', [1, 2, 3, 2], [5, 4]],
  ['unbatched [C, H, W]', [2, 5, 6], [2, 4]],
];

for (const [name, shape, size] of adaptiveCases) {
  test(`adaptiveAvgPool2d gradient check: ${name}`, () => gradCheck((x) => F.adaptiveAvgPool2d(x, size), [randomInput(shape, 45)]));
}

test('pool values: max and average of 2x2 windows; stride defaults to the kernel size', () => {
  const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [1, 1, 4, 4]);
  assert.deepEqual(arr(F.maxPool2d(x, { kernelSize: 2 })), [6, 8, 14, 16]);
  assert.deepEqual(arr(F.avgPool2d(x, { kernelSize: 2 })), [3.5, 5.5, 11.5, 13.5]);
  assert.deepEqual(arr(F.maxPool1d(tensor([1, 3, 2, 5], [1, 1, 4]), { kernelSize: 2 })), [3, 5]);
  assert.deepEqual(arr(F.avgPool1d(tensor([1, 3, 2, 6], [1, 1, 4]), { kernelSize: 2 })), [2, 4]);
});

test('padding counts in the average unless countIncludePad is false; max pooling pads with −∞', () => {
  const x = tensor([-1, -2, -3, -4], [1, 1, 4]);
  // Windows [pad, -1, -2], [-2, -3, -4], padding 1, stride 2.
  assert.deepEqual(arr(F.maxPool1d(x, { kernelSize: 3, stride: 2, padding: 1 })), [-1, -2]);
  assert.deepEqual(arr(F.avgPool1d(x, { kernelSize: 3, stride: 2, padding: 1 })), [-1, -3]);
  assert.deepEqual(arr(F.avgPool1d(x, { kernelSize: 3, stride: 2, padding: 1, countIncludePad: false })), [-1.5, -3]);
});

test('ceilMode adds a partial last window and the max-pool gradient goes to each window maximum', () => {
  const x = tensor([1, 5, 2, 4, 3], [1, 1, 5], { requiresGrad: true });
  const y = F.maxPool1d(x, { kernelSize: 2, ceilMode: true });
  assert.deepEqual(arr(y), [5, 4, 3]);
  y.sum().backward();
  assert.deepEqual(arr(x.grad!), [0, 1, 0, 1, 1]);
  assert.deepEqual(F.maxPool1d(x, { kernelSize: 2 }).shape, [1, 1, 2]);
});

test('adaptiveAvgPool2d uses PyTorch bins floor(i·H/out) to ceil((i+1)·H/out)', () => {
  const x = tensor([1, 2, 3, 4, 5], [1, 1, 1, 5]);
  // Bins of 5 into 3: [0, 2), [1, 4), [3, 5).
  assert.deepEqual(arr(F.adaptiveAvgPool2d(x, [1, 3])), [1.5, 3, 4.5]);
  assert.deepEqual(arr(F.adaptiveAvgPool2d(x, 1)), [3]);
  assert.deepEqual(F.adaptiveAvgPool2d(ones([4, 7, 5]), [3, 2]).shape, [4, 3, 2]);
});

test('pools keep float64', () => {
  assert.equal(F.maxPool2d(randomInput([1, 1, 4, 4], 1), { kernelSize: 2 }).dtype, 'float64');
  assert.equal(F.avgPool1d(randomInput([1, 1, 4], 1), { kernelSize: 2 }).dtype, 'float64');
  assert.equal(F.adaptiveAvgPool2d(randomInput([1, 1, 4, 4], 1), 2).dtype, 'float64');
});

test('maxPool2d/avgPool2d: errors name the op, the shapes and the arithmetic', () => {
  assert.throws(() => F.maxPool2d(zeros([8, 16, 1, 1]), { kernelSize: 2 }), (e: Error) => e instanceof ShapeError &&
    /^maxPool2d: output height would be floor\(\(1 \+ 2\*0 - 1\*\(2-1\) - 1\)\/2\) \+ 1 = 0 \(the kernel spans 2 but the padded input has 1\); input \[8, 16, 1, 1\]$/.test(e.message));
  assert.throws(() => F.avgPool2d(zeros([1, 1, 5, 2]), { kernelSize: 3, stride: 1 }), /avgPool2d: output width would be floor\(\(2 \+ 2\*0 - 1\*\(3-1\) - 1\)\/1\) \+ 1 = 0/);
  assert.throws(() => F.maxPool2d(zeros([1, 1, 5, 5]), { kernelSize: 3, padding: 2 }), (e: Error) => e instanceof ValueError &&
    /maxPool2d: padding must be at most half the kernel size, got padding \[2, 2\] with kernelSize \[3, 3\]/.test(e.message));
  assert.throws(() => F.avgPool2d(zeros([1, 1, 5, 5]), { kernelSize: [2, 4], padding: [1, 3] }), /avgPool2d: padding must be at most half the kernel size/);
  assert.throws(() => F.maxPool2d(zeros([1, 1, 5, 5]), { kernelSize: 0 }), /maxPool2d: kernelSize must be at least 1, got 0/);
  assert.throws(() => F.maxPool2d(zeros([1, 1, 5, 5]), {} as MaxPoolOptions), /maxPool2d: options.kernelSize is required/);
  assert.throws(() => F.maxPool2d(zeros([1, 1, 5, 5]), { kernelSize: 2, stride: 0 }), /maxPool2d: stride must be at least 1, got 0/);
  assert.throws(() => F.avgPool2d(zeros([1, 1, 5, 5]), { kernelSize: 2, padding: -1 }), /avgPool2d: padding must be non-negative, got -1/);
  assert.throws(() => F.maxPool2d(zeros([1, 1, 5, 5]), { kernelSize: 2, dilation: 0 }), /maxPool2d: dilation must be at least 1, got 0/);
  assert.throws(() => F.maxPool2d(zeros([5, 5]), { kernelSize: 2 }), /maxPool2d: expected a 4-D input \[N, C, H, W\] or an unbatched 3-D input \[C, H, W\], got shape \[5, 5\]/);
  assert.throws(() => F.avgPool2d(zeros([1, 1, 4, 4], { dtype: 'int32' }), { kernelSize: 2 }), (e: Error) => e instanceof ValueError &&
    /avgPool2d: the input must be float32 or float64, got int32 \[1, 1, 4, 4\]/.test(e.message));
});

test('maxPool1d/avgPool1d: errors speak of lengths', () => {
  assert.throws(() => F.maxPool1d(zeros([2, 3, 4]), { kernelSize: 3, stride: 2, dilation: 2 }),
    /maxPool1d: output length would be floor\(\(4 \+ 2\*0 - 2\*\(3-1\) - 1\)\/2\) \+ 1 = 0 \(the dilated kernel spans 5 but the padded input has 4\); input \[2, 3, 4\]$/);
  assert.throws(() => F.avgPool1d(zeros([2, 3, 4, 4]), { kernelSize: 2 }), /avgPool1d: expected a 3-D input \[N, C, L\] or an unbatched 2-D input \[C, L\], got shape \[2, 3, 4, 4\]/);
  assert.throws(() => F.avgPool1d(zeros([2, 3, 4]), { kernelSize: [2, 2] }), /avgPool1d: kernelSize must be a number or a list of one number, got \[2, 2\]/);
});

test('adaptiveAvgPool2d: errors', () => {
  assert.throws(() => F.adaptiveAvgPool2d(zeros([1, 2, 4, 4]), 0), (e: Error) => e instanceof ValueError && /adaptiveAvgPool2d: outputSize must be at least 1, got 0/.test(e.message));
  assert.throws(() => F.adaptiveAvgPool2d(zeros([1, 2, 0, 4]), 2), (e: Error) => e instanceof ShapeError && /adaptiveAvgPool2d: the input \[1, 2, 0, 4\] has an empty spatial dimension/.test(e.message));
  assert.throws(() => F.adaptiveAvgPool2d(zeros([4, 4]), 2), /adaptiveAvgPool2d: expected a 4-D input/);
  assert.throws(() => F.adaptiveAvgPool2d(zeros([1, 1, 4, 4], { dtype: 'int32' }), 2), /adaptiveAvgPool2d: the input must be float32 or float64/);
});

const poolOps = ['maxPool1d', 'maxPool2d', 'avgPool1d', 'avgPool2d'] as const;
for (const op of poolOps) {
  for (const c of loadFixtureCases('functional.json', op)) {
    const run = ([x]: Tensor[], o: MaxPoolOptions & AvgPoolOptions) => F[op](x, o);
    test(`PyTorch fixture ${c.name}`, () => {
      checkAgainstTorch(c, run);
      checkAgainstTorch(c, run, { dtype: 'float64', atol: 1e-6, rtol: 1e-6 });
    });
  }
}

for (const c of loadFixtureCases('functional.json', 'adaptiveAvgPool2d')) {
  const run = ([x]: Tensor[], o: { outputSize: number | [number, number] }) => F.adaptiveAvgPool2d(x, o.outputSize);
  test(`PyTorch fixture ${c.name}`, () => {
    checkAgainstTorch(c, run);
    checkAgainstTorch(c, run, { dtype: 'float64', atol: 1e-6, rtol: 1e-6 });
  });
}
