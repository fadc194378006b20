import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Tensor, ShapeError, ValueError, functional as F, arange, ones, tensor, zeros } from '../../src/index.js';
import type { PadMode } from '../../src/ops/pad.js';
import { gradCheck, randomInput } from '../helpers/gradcheck.js';
import { checkAgainstTorch, loadFixtureCases } from '../helpers/torchFixtures.js';

const arr = (t: Tensor) => Array.from(t.toArray());

const gradCases: [string, number[], number[], PadMode, number?][] = [
  ['constant, last dimension', [2, 3, 4], [1, 2], 'constant'],
  ['constant with a value, two dimensions', [1, 2, 3, 3], [2, 0, 1, 1], 'constant', 1.5],
  ['constant, three dimensions of a 3-D tensor', [2, 3, 2], [1, 1, 0, 2, 1, 0], 'constant'],
  ['constant, negative pads crop', [1, 2, 5, 6], [-1, 2, 1, -2], 'constant'],
  ['constant on a 1-D tensor', [5], [2, -1], 'constant'],
  ['reflect 1-D of [N, C, L]', [2, 2, 5], [2, 3], 'reflect'],
  ['reflect 1-D of unbatched [C, L]', [2, 4], [3, 1], 'reflect'],
  ['reflect 2-D', [1, 2, 4, 5], [1, 2, 3, 1], 'reflect'],
  ['reflect 3-D', [1, 1, 3, 3, 4], [1, 0, 2, 1, 1, 2], 'reflect'],
  ['replicate 1-D', [2, 2, 4], [3, 1], 'replicate'],
  ['replicate 2-D', [1, 2, 3, 4], [2, 1, 0, 3], 'replicate'],
  ['replicate 2-D of unbatched [C, H, W]', [2, 3, 3], [4, 4, 1, 0], 'replicate'],
  ['circular 1-D', [2, 2, 5], [2, 3], 'circular'],
  ['circular 2-D', [1, 2, 4, 5], [1, 2, 3, 0], 'circular'],
  ['circular, pad equal to the size', [1, 1, 3, 2], [2, 2, 3, 3], 'circular'],
];

for (const [name, shape, pads, mode, value] of gradCases) {
  test(`pad gradient check: ${name}`, () => {
    gradCheck((x) => F.pad(x, pads, mode, value), [randomInput(shape, 31)]);
  });
}

test('pad values: each mode on [1, 2, 3]', () => {
  const x = tensor([1, 2, 3], [1, 3]);
  assert.deepEqual(arr(F.pad(x, [2, 1])), [0, 0, 1, 2, 3, 0]);
  assert.deepEqual(arr(F.pad(x, [2, 1], 'constant', -7)), [-7, -7, 1, 2, 3, -7]);
  assert.deepEqual(arr(F.pad(x, [2, 1], 'reflect')), [3, 2, 1, 2, 3, 2]);
  assert.deepEqual(arr(F.pad(x, [2, 1], 'replicate')), [1, 1, 1, 2, 3, 3]);
  assert.deepEqual(arr(F.pad(x, [2, 1], 'circular')), [2, 3, 1, 2, 3, 1]);
  assert.deepEqual(arr(F.pad(x, [-1, 0])), [2, 3]);
});

test("pad order is PyTorch's: the last dimension first", () => {
  const x = arange(0, 6, 1, { dtype: 'float32' }).reshape([1, 2, 3]);
  const y = F.pad(x, [1, 0, 0, 1]);
  assert.deepEqual(y.shape, [1, 3, 4]);
  assert.deepEqual(arr(y), [0, 0, 1, 2, 0, 3, 4, 5, 0, 0, 0, 0]);
  assert.deepEqual(F.pad(zeros([2, 3, 4, 5]), [1, 1, 2, 2, 3, 3]).shape, [2, 9, 8, 7]);
  assert.deepEqual(F.pad(zeros([2, 3]), []).shape, [2, 3]);
});

test('pad backward sums the contributions of every output that read an input', () => {
  const x = tensor([1, 2, 3], [1, 3], { requiresGrad: true });
  F.pad(x, [2, 1], 'reflect').sum().backward();
  // Reflected [3, 2 | 1, 2, 3 | 2]: input 0 read once, input 1 three times, input 2 twice.
  assert.deepEqual(arr(x.grad!), [1, 3, 2]);
  x.grad = null;
  F.pad(x, [2, 1], 'replicate').sum().backward();
  assert.deepEqual(arr(x.grad!), [3, 1, 2]);
  x.grad = null;
  F.pad(x, [3, 3], 'circular').sum().backward();
  assert.deepEqual(arr(x.grad!), [3, 3, 3]);
  x.grad = null;
  F.pad(x, [-1, 2]).sum().backward();
  assert.deepEqual(arr(x.grad!), [0, 1, 1], 'cropped elements get no gradient');
});

test('pad keeps float64', () => {
  assert.equal(F.pad(randomInput([1, 2, 3], 1), [1, 1], 'reflect').dtype, 'float64');
});

test('pad: errors name the op, the pads and the shapes', () => {
  const x = ones([1, 2, 3, 4]);
  assert.throws(() => F.pad(x, [1, 2, 3]), (e: Error) => e instanceof ValueError && /pad: pads must hold \[before, after\] pairs, got 3 values \[1, 2, 3\]/.test(e.message));
  assert.throws(() => F.pad(ones([2, 3]), [1, 1, 1, 1, 1, 1]), (e: Error) => e instanceof ShapeError && /pad: 6 pad values pad 3 dimensions but the input \[2, 3\] has 2/.test(e.message));
  assert.throws(() => F.pad(x, [1.5, 1]), /pad: pads must be a list of integers, got \[1.5, 1\]/);
  assert.throws(() => F.pad(x, [1, 1], 'mirror' as PadMode), /pad: mode must be one of 'constant', 'reflect', 'replicate', 'circular', got 'mirror'/);
  assert.throws(() => F.pad(x, [4, 0, 0, 0], 'reflect'), (e: Error) => e instanceof ShapeError &&
    /pad: reflect padding 4 must be smaller than the size 4 of dimension 3 of input \[1, 2, 3, 4\]/.test(e.message));
  assert.throws(() => F.pad(x, [0, 0, 0, 3], 'reflect'), /pad: reflect padding 3 must be smaller than the size 3 of dimension 2/);
  assert.throws(() => F.pad(x, [5, 0, 0, 0], 'circular'), /pad: circular padding 5 must be at most the size 4 of dimension 3 of input \[1, 2, 3, 4\]/);
  assert.throws(() => F.pad(x, [-1, 0, 0, 0], 'replicate'), /pad: negative pads crop only in 'constant' mode, got \[-1, 0, 0, 0\] with mode 'replicate'/);
  assert.throws(() => F.pad(x, [1, 0, 0, 0], 'reflect', 2), /pad: mode 'reflect' takes no value \(got 2\)/);
  assert.throws(() => F.pad(ones([4]), [1, 1], 'reflect'), /pad: 'reflect' padding of 1 dimension\(s\) needs a 2-D or 3-D input .*got \[4\]/);
  assert.throws(() => F.pad(ones([1, 1, 1, 2, 2]), [1, 1], 'replicate'), /pad: 'replicate' padding of 1 dimension\(s\) needs a 2-D or 3-D input/);
  assert.throws(() => F.pad(x, [-3, -2]), (e: Error) => e instanceof ShapeError && /pad: dimension 3 of input \[1, 2, 3, 4\] would have size 4 \+ -3 \+ -2 = -1/.test(e.message));
  assert.throws(() => F.pad(zeros([2, 2], { dtype: 'int32' }), [1, 1]), /pad: the input must be float32 or float64, got int32/);
});

for (const c of loadFixtureCases('functional.json', 'pad')) {
  const run = ([x]: Tensor[], o: { pads: number[]; mode?: PadMode; value?: number }) => F.pad(x, o.pads, o.mode, o.value);
  test(`PyTorch fixture ${c.name}`, () => {
    checkAgainstTorch(c, run);
    checkAgainstTorch(c, run, { dtype: 'float64', atol: 1e-6, rtol: 1e-6 });
  });
}
