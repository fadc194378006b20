import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError, ValueError } from '../../src/index.js';
import {
  type WindowAxis, checkedOutputSize, samePadding, slidingOutputArithmetic, slidingOutputSize, spatialOption, transposedOutputSize,
} from '../../src/ops/convGeometry.js';

const axis = (input: number, kernel: number, stride = 1, pad = 0, dilation = 1): WindowAxis =>
  ({ name: 'height', input, kernel, stride, padBefore: pad, padAfter: pad, dilation });

test('slidingOutputSize: floor((H + 2p − d(k−1) − 1)/s) + 1', () => {
  assert.equal(slidingOutputSize(axis(32, 3, 1, 1)), 32);
  assert.equal(slidingOutputSize(axis(32, 5, 2, 1)), 15);
  assert.equal(slidingOutputSize(axis(9, 3, 1, 0, 2)), 5);
  assert.equal(slidingOutputSize(axis(7, 2, 2)), 3);
  assert.equal(slidingOutputSize({ ...axis(7, 4), padBefore: 1, padAfter: 2 }), 7);
});

test("ceilMode rounds up, but the last window must start inside the input or its left padding (PyTorch's rule)", () => {
  // 8, k3, s2: floor gives 3, ceil gives 4 (the last window starts at 6, inside the input).
  assert.equal(slidingOutputSize(axis(8, 3, 2)), 3);
  assert.equal(slidingOutputSize(axis(8, 3, 2), true), 4);
  // 7, k2, s2, p1: ceil((7+2−1−1)/2)+1 = 5, but window 5 would start at 8 = H + p: dropped, 4.
  assert.equal(slidingOutputSize(axis(7, 2, 2, 1), true), 4);
  assert.equal(slidingOutputArithmetic(axis(7, 2, 2, 1), true),
    'ceil((7 + 2*1 - 1*(2-1) - 1)/2) + 1 = 5 - 1 (the last window would start past the input and its left padding) = 4');
  // 5, k2, s2, p1: ceil(4/2)+1 = 3 windows start at −1, 1, 3 (all inside): kept.
  assert.equal(slidingOutputSize(axis(5, 2, 2, 1), true), 3);
  // Exact division: ceilMode changes nothing.
  assert.equal(slidingOutputSize(axis(8, 2, 2), true), 4);
});

test('checkedOutputSize shows the arithmetic when no window fits', () => {
  assert.equal(checkedOutputSize('maxPool2d', axis(4, 2, 2), 'input [1, 1, 4, 4]'), 2);
  assert.throws(() => checkedOutputSize('maxPool2d', axis(1, 2, 2), 'input [8, 16, 1, 1]'),
    (e: Error) => e instanceof ShapeError &&
      e.message === 'maxPool2d: output height would be floor((1 + 2*0 - 1*(2-1) - 1)/2) + 1 = 0 (the kernel spans 2 but the padded input has 1); input [8, 16, 1, 1]');
  assert.throws(() => checkedOutputSize('conv2d', { ...axis(1, 5), name: 'width', padBefore: 1, padAfter: 2 }, 'input [1, 1, 1, 1]'),
    /conv2d: output width would be floor\(\(1 \+ 1 \+ 2 - 1\*\(5-1\) - 1\)\/1\) \+ 1 = 0 \(the kernel spans 5 but the padded input has 4\)/);
});

test("transposedOutputSize and PyTorch's 'same' padding split", () => {
  assert.equal(transposedOutputSize(axis(8, 4, 2, 1), 0), 16);
  assert.equal(transposedOutputSize(axis(4, 3, 2, 1), 1), 8);
  assert.deepEqual(samePadding(3, 1), [1, 1]);
  assert.deepEqual(samePadding(4, 1), [1, 2]);
  assert.deepEqual(samePadding(2, 3), [1, 2]);
  assert.deepEqual(samePadding(1, 5), [0, 0]);
});

test('spatialOption expands numbers and checks integers and ranges', () => {
  assert.deepEqual(spatialOption('conv2d', 'stride', 2, 2, 'positive'), [2, 2]);
  assert.deepEqual(spatialOption('conv2d', 'stride', [2, 1], 2, 'positive'), [2, 1]);
  assert.deepEqual(spatialOption('conv1d', 'padding', [3], 1, 'nonNegative'), [3]);
  assert.deepEqual(spatialOption('conv1d', 'padding', 0, 1, 'nonNegative'), [0]);
  assert.throws(() => spatialOption('conv2d', 'stride', [2], 2, 'positive'), (e: Error) => e instanceof ValueError && /conv2d: stride must be a number or a pair \[height, width\], got \[2\]/.test(e.message));
  assert.throws(() => spatialOption('conv2d', 'stride', '2' as unknown as number, 2, 'positive'), /conv2d: stride must be a number or a pair/);
  assert.throws(() => spatialOption('conv2d', 'padding', [0, -1], 2, 'nonNegative'), /conv2d: padding must be non-negative, got \[0, -1\]/);
  assert.throws(() => spatialOption('conv2d', 'dilation', 0.5, 2, 'positive'), /conv2d: dilation must be integers, got 0.5/);
});
