import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, type Tensor } from '../../src/index.js';
import { allocate } from '../../src/tensor/dtype.js';
import { record } from '../../src/autograd/node.js';
import { clearRecycled, isPooled, recycledBytes } from '../../src/tensor/recycle.js';

// Large enough (64 Ki floats) for the backward pass to recycle gradient buffers of this size.
const SHAPE = [16, 8, 16, 32];
const SIZE = SHAPE.reduce((a, b) => a * b, 1);

function input(seed: number): Tensor {
  const data = new Float32Array(SIZE);
  for (let i = 0; i < SIZE; i++) data[i] = Math.sin(i * 0.37 + seed);
  return tensor(data, SHAPE, { requiresGrad: true });
}

/** loss = Σ 2·(3x)², through a diamond (a·a), a view and a tensor added to itself: dloss/dx = 12·(3x). */
function forward(x: Tensor) {
  const a = x.mul(3);
  const b = a.mul(a);
  const c = b.reshape([SIZE]);
  const d = c.add(c);
  return { a, b, c, d, loss: d.sum() };
}

test('backward recycles the gradient buffers it consumed, and the gradients stay exact', () => {
  clearRecycled();
  const x = input(1);
  forward(x).loss.backward();
  assert.ok(recycledBytes() > 0, 'some intermediate gradient was handed back for reuse');
  const got = x.grad!.data, xs = x.data;
  for (let i = 0; i < SIZE; i++) {
    const want = Math.fround(12 * Math.fround(3 * xs[i]!));
    if (got[i] !== want) assert.fail(`x.grad[${i}] = ${got[i]}, want ${want}`);
  }
  // allocate() hands the recycled buffers out again, zero-filled.
  const before = recycledBytes();
  const reused = allocate('float32', SIZE);
  assert.equal(recycledBytes(), before - SIZE * 4);
  assert.ok(reused.every((v) => v === 0));
});

test('nothing the caller holds is recycled: forward tensors, views, leaf gradients, its own gradient', () => {
  clearRecycled();
  const x = input(2);
  const held = forward(x);
  held.loss.backward();
  const grad1 = x.grad!;
  // An earlier pass's .grad passed as the gradient of a later pass, and the caller's own gradient.
  const y = x.mul(5);
  const given = tensor(new Float32Array(SIZE).fill(0.5), SHAPE);
  y.backward(grad1);
  const z = x.mul(7);
  z.backward(given);
  const snapshot = (t: Tensor) => Float32Array.from(t.data as Float32Array);
  const kept: [string, Tensor, Float32Array][] = [
    ['a', held.a, snapshot(held.a)], ['b', held.b, snapshot(held.b)], ['c (view)', held.c, snapshot(held.c)],
    ['d', held.d, snapshot(held.d)], ['first .grad', grad1, snapshot(grad1)], ['y', y, snapshot(y)],
    ['given gradient', given, snapshot(given)], ['x.grad', x.grad!, snapshot(x.grad!)],
  ];
  for (const [name, t] of kept) assert.ok(!isPooled(t.data.buffer), `${name} is held for reuse`);
  // More passes of the same sizes, then every pooled buffer reissued and overwritten: a wrongly
  // recycled buffer would now hold 123s.
  for (let i = 0; i < 4; i++) forward(input(10 + i)).loss.backward();
  for (let left = recycledBytes(); left > 0; left = recycledBytes()) {
    allocate('float32', SIZE).fill(123);
    if (recycledBytes() === left) break; // only buffers of other sizes remain
  }
  for (const [name, t, before] of kept) assert.deepEqual(t.data, before, `${name} changed after later passes reused buffers`);
});

test('a gradient a rule returns for two inputs stays intact when the first input already had one', () => {
  clearRecycled();
  // add's rule returns its incoming gradient for both inputs; a already holds a gradient from a·a
  // (processed first), so a's is summed while p's is the very tensor add received. p is an identity
  // whose rule checks that the gradient it is handed is not held for reuse.
  const x = input(3);
  const a = x.mul(3), b = x.mul(5);
  const seen: boolean[] = [];
  const p = record(b.mul(1), 'probe', [b], (g) => {
    seen.push(isPooled(g.data.buffer));
    return [g];
  });
  a.add(p).sum().add(a.mul(a).sum()).backward();
  assert.deepEqual(seen, [false], 'the probe ran once, on a live gradient');
  const got = x.grad!.data, xs = x.data;
  for (let i = 0; i < SIZE; i++) {
    const ai = Math.fround(3 * xs[i]!);
    const want = Math.fround(5 + Math.fround(3 * Math.fround(2 * ai + 1)));
    if (got[i] !== want) assert.fail(`x.grad[${i}] = ${got[i]}, want ${want}`);
  }
});

test('two leaves handed the same gradient tensor get separate .grad buffers', () => {
  clearRecycled();
  // add's rule returns the gradient mul(3) allocated for both a and b: one leaf may take that
  // buffer as its .grad (nothing else holds it), the other must get a copy.
  const a = input(4), b = input(5);
  a.add(b).mul(3).sum().backward();
  assert.notEqual(a.grad!.data.buffer, b.grad!.data.buffer, 'a.grad and b.grad share a buffer');
  (a.grad!.data as Float32Array).fill(7);
  assert.ok(b.grad!.data.every((v) => v === 3), 'b.grad changed with a.grad');
  // Later passes of the same sizes must not hand either .grad out again.
  for (let i = 0; i < 3; i++) forward(input(20 + i)).loss.backward();
  for (let left = recycledBytes(); left > 0; left = recycledBytes()) {
    allocate('float32', SIZE).fill(123);
    if (recycledBytes() === left) break;
  }
  assert.ok(a.grad!.data.every((v) => v === 7) && b.grad!.data.every((v) => v === 3), 'a leaf gradient was reused');
});
