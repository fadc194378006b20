import assert from 'node:assert/strict';
import { test } from 'node:test';
import { functional as F, tensor } from '../../src/index.js';

// The float32 ReLU kernels are branch-free (bit masks in the reference loops, SIMD masks in wasm);
// these pin them to max(0, x) and PyTorch's threshold_backward (0 where x ≤ 0, the gradient itself elsewhere)
// on the values where arithmetic tricks go wrong: signed zeros, NaN, infinities, float32 extremes.

const specials = [-0, 0, -1e-45, 1e-45, -3.4e38, 3.4e38, -Infinity, Infinity, NaN, -2.5, 2.5];

test('relu float32 equals max(0, x) bit for bit, NaN passing through', () => {
  const y = F.relu(tensor(specials)).data;
  const want = specials.map((v) => (Number.isNaN(v) ? NaN : v > 0 ? Math.fround(v) : 0));
  for (let i = 0; i < specials.length; i++) {
    assert.ok(Object.is(y[i], want[i]), `relu(${specials[i]}) = ${y[i]}, want ${want[i]}`);
  }
});

test('relu float32 and float64 agree on random inputs', () => {
  const values = Array.from({ length: 1000 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 3);
  const y32 = F.relu(tensor(values)).data;
  const y64 = F.relu(tensor(values, [values.length], { dtype: 'float64' })).data;
  for (let i = 0; i < values.length; i++) assert.equal(y32[i], Math.fround(y64[i]));
});

test('relu float32 gradient is the incoming gradient where x > 0 and exactly +0 elsewhere', () => {
  const x = tensor([-1, 2, -0, 0, 3, -Infinity, Infinity, 4], [8], { requiresGrad: true });
  const g = tensor([Infinity, -0, NaN, 5, NaN, -Infinity, 7, -Infinity]);
  F.relu(x).backward(g);
  const want = [0, -0, 0, 0, NaN, 0, 7, -Infinity];
  const got = x.grad!.data;
  for (let i = 0; i < want.length; i++) assert.ok(Object.is(got[i], want[i]), `dx[${i}] = ${got[i]}, want ${want[i]}`);
});
