import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cat, noGrad, stack, tensor, type Tensor } from '../../src/index.js';
import { gradCheck, randomInput } from '../helpers/gradcheck.js';

const arr = (t: Tensor | null) => Array.from(t!.toArray());

test('backward of x*x summed gives 2x; gradients accumulate across calls', () => {
  const x = tensor([1, 2, 3, 4], [2, 2], { requiresGrad: true });
  x.mul(x).sum().backward();
  assert.deepEqual(arr(x.grad), [2, 4, 6, 8]);
  x.mul(x).sum().backward();
  assert.deepEqual(arr(x.grad), [4, 8, 12, 16]);
});

test('a tensor used twice receives both contributions (diamond graph)', () => {
  const x = tensor([3], [1], { requiresGrad: true });
  const y = x.mul(2);
  y.add(y.mul(y)).sum().backward(); // d/dx (2x + 4x²) = 2 + 8x = 26
  assert.deepEqual(arr(x.grad), [26]);
});

test('explicit gradient for non-scalars; an implicit one only for scalars', () => {
  const x = tensor([1, 2], [2], { requiresGrad: true });
  x.mul(3).backward(tensor([1, 10], [2]));
  assert.deepEqual(arr(x.grad), [3, 30]);
  assert.throws(() => x.mul(3).backward(), /implicit gradient needs a scalar, but the tensor has shape \[2\]/);
  assert.throws(() => x.mul(3).backward(tensor([1], [1])), /gradient shape \[1\] does not match the tensor's shape \[2\]/);
});

test('detach and noGrad stop the graph', () => {
  const x = tensor([2], [1], { requiresGrad: true });
  assert.equal(x.detach().mul(3).requiresGrad, false);
  const y = noGrad(() => x.mul(3));
  assert.equal(y.requiresGrad, false);
  assert.equal(y.gradFn, null);
  assert.throws(() => y.sum().backward(), /does not require a gradient/);
});

test('a 10,000-op chain back-propagates without overflowing the stack', () => {
  const x = tensor([1], [1], { requiresGrad: true });
  let y = x;
  for (let i = 0; i < 10000; i++) y = y.mul(1.0001);
  y.sum().backward();
  assert.ok(Math.abs(x.grad!.item() - 1.0001 ** 10000) < 1e-2);
});

test('gradient checks of the elementwise ops (float64 central differences), with broadcasting', () => {
  const a = () => randomInput([2, 3, 1], 1);
  const b = () => randomInput([4], 2);
  gradCheck((x, y) => x.add(y), [a(), b()]);
  gradCheck((x, y) => x.sub(y), [a(), b()]);
  gradCheck((x, y) => x.mul(y), [a(), b()]);
  gradCheck((x, y) => x.div(y), [a(), randomInput([4], 3, 0.5, 2)]);
  gradCheck((x, y) => x.maximum(y), [a(), b()]);
  gradCheck((x, y) => x.minimum(y), [a(), b()]);
  gradCheck((x) => x.neg(), [a()]);
  gradCheck((x) => x.pow(3), [a()]);
  gradCheck((x) => x.pow(-1.5), [randomInput([5], 4, 0.5, 2)]);
  gradCheck((x) => x.exp(), [a()]);
  gradCheck((x) => x.log(), [randomInput([5], 5, 0.5, 2)]);
  gradCheck((x) => x.sqrt(), [randomInput([5], 6, 0.5, 2)]);
  gradCheck((x) => x.abs(), [a()]);
  gradCheck((x) => x.clamp(-0.3, 0.4), [a()]);
  gradCheck((x) => x.mul(2).to('float64'), [a()]);
});

test('maximum splits the gradient at ties, as PyTorch', () => {
  const x = tensor([1, 2], [2], { requiresGrad: true });
  const y = tensor([1, 3], [2], { requiresGrad: true });
  x.maximum(y).sum().backward();
  assert.deepEqual(arr(x.grad), [0.5, 0]);
  assert.deepEqual(arr(y.grad), [0.5, 1]);
});

test('gradient checks of reductions, views and matmul', () => {
  const x = () => randomInput([2, 3, 4], 11);
  gradCheck((t) => t.sum(), [x()]);
  gradCheck((t) => t.sum(1), [x()]);
  gradCheck((t) => t.sum([0, 2], true), [x()]);
  gradCheck((t) => t.mean(-1), [x()]);
  gradCheck((t) => t.max(1), [x()]);
  gradCheck((t) => t.min(2, true), [x()]);
  gradCheck((t) => t.max(), [x()]);
  gradCheck((t) => t.reshape(4, 6), [x()]);
  gradCheck((t) => t.permute(2, 0, 1), [x()]);
  gradCheck((t) => t.transpose(0, 2), [x()]);
  gradCheck((t) => t.narrow(1, 1, 2), [x()]);
  gradCheck((t) => t.select(2, -1), [x()]);
  gradCheck((t) => t.unsqueeze(1).squeeze(1), [x()]);
  gradCheck((t) => randomInput([3, 1], 3).expand(3, 4).mul(t.select(0, 0)), [x()]);
  gradCheck((t, u) => cat([t, u], 1), [x(), randomInput([2, 2, 4], 12)]);
  gradCheck((t, u) => stack([t, u], 0), [x(), randomInput([2, 3, 4], 13)]);
  gradCheck((a, b) => a.matmul(b), [randomInput([3, 4], 14), randomInput([4, 5], 15)]);
  gradCheck((a, b) => a.matmul(b), [randomInput([2, 3, 4], 16), randomInput([4, 2], 17)]);
  gradCheck((a, b) => a.matmul(b), [randomInput([3, 4], 18), randomInput([2, 4, 2], 19)]);
  gradCheck((a, b) => a.matmul(b), [randomInput([2, 1, 3, 4], 20), randomInput([3, 4, 2], 21)]);
  gradCheck((a, b) => a.matmul(b), [randomInput([4], 22), randomInput([4, 3], 23)]);
  gradCheck((a, b) => a.matmul(b), [randomInput([3, 4], 24), randomInput([4], 25)]);
});
