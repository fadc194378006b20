import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Generator, ShapeError, ValueError, arange, cat, full, ones, rand, randn, stack, tensor, zeros,
} from '../../src/index.js';

const arr = (t: { toArray(): ArrayLike<number> }) => Array.from(t.toArray());

test('tensor() takes flat data with a shape, nested arrays, and scalars', () => {
  const x = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  assert.deepEqual(x.shape, [2, 3]);
  assert.equal(x.dtype, 'float32');
  assert.deepEqual(arr(tensor([[1, 2], [3, 4]])), [1, 2, 3, 4]);
  assert.deepEqual(tensor([[1, 2], [3, 4]]).shape, [2, 2]);
  assert.equal(tensor(5).item(), 5);
  assert.deepEqual(tensor(5).shape, []);
  assert.equal(tensor([1, 2], [2], { dtype: 'int32' }).dtype, 'int32');
  assert.equal(tensor(new Float64Array([1, 2])).dtype, 'float64');
  assert.throws(() => tensor([1, 2, 3], [2, 2]), /shape \[2, 2\] holds 4 elements but 3 were given/);
  assert.throws(() => tensor([1, 2], [2], { dtype: 'int32', requiresGrad: true }), ValueError);
});

test('creation: zeros, ones, full, arange', () => {
  assert.deepEqual(arr(zeros([2, 2])), [0, 0, 0, 0]);
  assert.deepEqual(arr(ones([3])), [1, 1, 1]);
  assert.deepEqual(arr(full([2], 7, { dtype: 'int32' })), [7, 7]);
  assert.deepEqual(arr(arange(5)), [0, 1, 2, 3, 4]);
  assert.equal(arange(5).dtype, 'int32');
  assert.deepEqual(arr(arange(1, 2, 0.25)), [1, 1.25, 1.5, 1.75]);
  assert.equal(arange(1, 2, 0.25).dtype, 'float32');
  assert.throws(() => zeros([2, -1]), /non-negative integers/);
});

test('rand and randn are reproducible from a seed and have the right moments', () => {
  const a = rand([1000], { generator: new Generator(3) });
  const b = rand([1000], { generator: new Generator(3) });
  assert.deepEqual(arr(a), arr(b));
  assert.notDeepEqual(arr(a), arr(rand([1000], { generator: new Generator(4) })));
  const u = arr(rand([20000], { generator: new Generator(1), dtype: 'float64' }));
  assert.ok(u.every((v) => v >= 0 && v < 1));
  const meanU = u.reduce((s, v) => s + v, 0) / u.length;
  assert.ok(Math.abs(meanU - 0.5) < 0.01, `uniform mean ${meanU}`);
  const n = arr(randn([20000], { generator: new Generator(2), dtype: 'float64' }));
  const m = n.reduce((s, v) => s + v, 0) / n.length;
  const v = n.reduce((s, x) => s + (x - m) ** 2, 0) / n.length;
  assert.ok(Math.abs(m) < 0.03 && Math.abs(v - 1) < 0.04, `normal mean ${m} variance ${v}`);
});

test('Generator state round-trips for checkpoints', () => {
  const g = new Generator(11);
  g.normal();
  const state = g.getState();
  const next = [g.uniform(), g.normal(), g.normal()];
  const h = new Generator(0).setState(state);
  assert.deepEqual([h.uniform(), h.normal(), h.normal()], next);
});

test('elementwise ops broadcast as PyTorch', () => {
  const a = tensor([1, 2, 3, 4, 5, 6], [2, 3, 1]);
  const b = tensor([10, 20], [2]);
  const c = a.add(b);
  assert.deepEqual(c.shape, [2, 3, 2]);
  assert.deepEqual(arr(c), [11, 21, 12, 22, 13, 23, 14, 24, 15, 25, 16, 26]);
  assert.deepEqual(arr(tensor([1, 2, 3], [3, 1]).mul(tensor([1, 10], [1, 2]))), [1, 10, 2, 20, 3, 30]);
  assert.deepEqual(arr(tensor([8, 9], [2]).sub(1)), [7, 8]);
  assert.deepEqual(arr(tensor([1, 4], [2]).div(tensor([2], [1]))), [0.5, 2]);
  assert.deepEqual(arr(tensor([1, 5], [2]).maximum(tensor([3, 2], [2]))), [3, 5]);
  assert.deepEqual(arr(tensor([1, 5], [2]).minimum(3)), [1, 3]);
  assert.deepEqual(arr(tensor([-2, 0.5, 3], [3]).clamp(0, 1)), [0, 0.5, 1]);
  assert.deepEqual(arr(tensor([-2, 3], [2]).abs()), [2, 3]);
  assert.deepEqual(arr(tensor([4, 9], [2]).sqrt()), [2, 3]);
  assert.deepEqual(arr(tensor([2, 3], [2]).pow(2)), [4, 9]);
  assert.ok(Math.abs(tensor([1], [1]).exp().item() - Math.E) < 1e-6);
  assert.ok(Math.abs(tensor([Math.E], [1]).log().item() - 1) < 1e-6);
  assert.throws(() => tensor([1, 2, 3], [3]).add(tensor([1, 2], [2])), /add: shapes \[3\] and \[2\] cannot be broadcast/);
});

test('dtype promotion: int32 with float32 gives float32; int32 division gives float32', () => {
  const i = tensor([1, 2], [2], { dtype: 'int32' });
  assert.equal(i.add(tensor([0.5, 0.5], [2])).dtype, 'float32');
  assert.equal(i.add(1).dtype, 'int32');
  assert.equal(i.div(2).dtype, 'float32');
  assert.deepEqual(arr(i.div(2)), [0.5, 1]);
  assert.equal(tensor([1], [1]).add(tensor([1], [1], { dtype: 'float64' })).dtype, 'float64');
});

test('reductions with dim and keepdim', () => {
  const x = tensor([1, 5, 3, 4, 2, 6], [2, 3]);
  assert.equal(x.sum().item(), 21);
  assert.deepEqual(arr(x.sum(0)), [5, 7, 9]);
  assert.deepEqual(x.sum(1, true).shape, [2, 1]);
  assert.deepEqual(arr(x.sum(-1)), [9, 12]);
  assert.deepEqual(arr(x.mean(1)), [3, 4]);
  assert.equal(x.sum([0, 1]).item(), 21);
  assert.deepEqual(arr(x.max(1)), [5, 6]);
  assert.deepEqual(arr(x.argmax(1)), [1, 2]);
  assert.equal(x.argmax().item(), 5);
  assert.equal(x.max().item(), 6);
  assert.deepEqual(arr(x.min(0)), [1, 2, 3]);
  assert.equal(tensor([3, 3, 1], [3]).argmax().item(), 0, 'first maximum wins');
  assert.throws(() => x.sum(2), /sum: dim 2 is out of range for a tensor with 2 dimension/);
});

test('views: reshape, flatten, permute, transpose, squeeze, unsqueeze, narrow, select, expand', () => {
  const x = arange(24).to('float32').reshape(2, 3, 4);
  assert.deepEqual(x.reshape(-1, 4).shape, [6, 4]);
  assert.deepEqual(x.flatten(1).shape, [2, 12]);
  const p = x.permute(2, 0, 1);
  assert.deepEqual(p.shape, [4, 2, 3]);
  // p[i, j, k] = x[j, k, i] = 12j + 4k + i
  assert.equal(p.toArray()[1 * 6 + 1 * 3 + 2], 12 + 8 + 1);
  assert.deepEqual(arr(tensor([1, 2, 3, 4, 5, 6], [2, 3]).T), [1, 4, 2, 5, 3, 6]);
  assert.deepEqual(tensor([1, 2], [1, 2, 1]).squeeze().shape, [2]);
  assert.deepEqual(tensor([1, 2], [2]).unsqueeze(0).shape, [1, 2]);
  assert.deepEqual(tensor([1, 2], [2]).unsqueeze(-1).shape, [2, 1]);
  assert.deepEqual(arr(x.narrow(2, 1, 2).select(0, 1).select(0, 2)), [21, 22]);
  assert.deepEqual(arr(tensor([1, 2], [2, 1]).expand(2, 3)), [1, 1, 1, 2, 2, 2]);
  assert.throws(() => x.reshape(5, -1), /cannot reshape \[2, 3, 4\] \(24 elements\) into \[5, -1\]/);
  assert.throws(() => x.narrow(1, 2, 2), /narrow: \[2, 4\) is outside dimension 1 of size 3/);
});

test('cat and stack', () => {
  const a = tensor([1, 2, 3, 4], [2, 2]);
  const b = tensor([5, 6], [2, 1]);
  assert.deepEqual(arr(cat([a, b], 1)), [1, 2, 5, 3, 4, 6]);
  assert.deepEqual(arr(cat([a, tensor([7, 8], [1, 2])], 0)), [1, 2, 3, 4, 7, 8]);
  const s = stack([tensor([1, 2], [2]), tensor([3, 4], [2])], 1);
  assert.deepEqual(s.shape, [2, 2]);
  assert.deepEqual(arr(s), [1, 3, 2, 4]);
  assert.throws(() => cat([a, b], 0), /cat: shapes \[2, 2\] float32, \[2, 1\] float32 differ outside dimension 0/);
});

test('matmul: 2-D, vector, batched and broadcast batch', () => {
  const a = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  const b = tensor([1, 0, 0, 1, 1, 1], [3, 2]);
  assert.deepEqual(arr(a.matmul(b)), [4, 5, 10, 11]);
  assert.deepEqual(arr(a.matmul(tensor([1, 1, 1], [3]))), [6, 15]);
  assert.equal(tensor([1, 2, 3], [3]).matmul(tensor([4, 5, 6], [3])).item(), 32);
  const batched = tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]).matmul(tensor([1, 1, 0, 1], [2, 2]));
  assert.deepEqual(arr(batched), [1, 3, 3, 7, 5, 11, 7, 15]);
  assert.deepEqual(tensor(new Array(12).fill(1), [3, 1, 2, 2]).matmul(tensor(new Array(8).fill(1), [2, 2, 2])).shape, [3, 2, 2, 2]);
  assert.throws(() => a.matmul(a), /matmul: inner dimensions differ: \[2, 3\] @ \[2, 3\] \(3 vs 2\)/);
});

test('toString reads like PyTorch and elides large tensors', () => {
  assert.equal(tensor([1, 2, 3, 4], [2, 2]).toString(), 'tensor([[1.0000, 2.0000],\n        [3.0000, 4.0000]])');
  assert.equal(tensor([1, 2], [2], { dtype: 'int32' }).toString(), 'tensor([1, 2], dtype=int32)');
  assert.match(zeros([2000]).toString(), /0\.0000, 0\.0000, 0\.0000, \.\.\., 0\.0000/);
  assert.match(tensor([1], [1], { requiresGrad: true }).mul(2).toString(), /gradFn=mul/);
});

test('item() on a multi-element tensor names the shape', () => {
  assert.throws(() => zeros([2, 2]).item(), (e: Error) => e instanceof ValueError && /4 elements \[2, 2\]/.test(e.message));
  assert.throws(() => zeros([2]).reshape(3), ShapeError);
});
