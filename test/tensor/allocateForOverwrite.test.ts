import { test } from 'node:test';
import assert from 'node:assert/strict';
import { functional as F, Generator, randn, tensor, type Tensor } from '../../src/index.js';
import { convRelu } from '../../src/ops/conv.js';
import { batchNormRelu } from '../../src/ops/norm.js';
import { allocateForOverwrite } from '../../src/tensor/dtype.js';
import { clearRecycled, recycle } from '../../src/tensor/recycle.js';

// Ops give their backend kernels unzeroed output buffers (allocateForOverwrite), relying on every
// kernel to overwrite its whole output. Here the recycling pool is first filled with NaN buffers of
// exactly the sizes the ops will ask for, so any element a kernel leaves unwritten shows up as NaN
// and the results differ from a run on zeroed memory.

/** Runs `fn` once on freshly zeroed memory and once with NaN buffers of `sizes` floats waiting in the pool. */
function poisoned(sizes: number[], fn: () => Float32Array[]): { clean: Float32Array[]; dirty: Float32Array[] } {
  clearRecycled();
  const clean = fn().map((a) => a.slice());
  clearRecycled();
  for (const size of sizes) for (let copy = 0; copy < 3; copy++) recycle(new Float32Array(size).fill(NaN));
  const dirty = fn().map((a) => a.slice());
  clearRecycled();
  return { clean, dirty };
}

function assertSame(name: string, r: { clean: Float32Array[]; dirty: Float32Array[] }): void {
  r.clean.forEach((c, i) => {
    assert.ok(!c.some(Number.isNaN), `${name}: result ${i} on zeroed memory has no NaN`);
    assert.deepEqual(r.dirty[i], c, `${name}: result ${i} is the same on reused, unzeroed memory`);
  });
}

const gen = () => new Generator(5);
const data = (t: Tensor) => t.data as Float32Array;

test('allocateForOverwrite hands out whole buffers of the size asked, pooled ones unzeroed', () => {
  clearRecycled();
  const a = allocateForOverwrite('float32', 20000) as Float32Array;
  assert.equal(a.length, 20000);
  assert.equal(a.byteOffset, 0);
  assert.equal(a.buffer.byteLength, 20000 * 4);
  recycle(new Float32Array(20000).fill(7));
  const b = allocateForOverwrite('float32', 20000) as Float32Array;
  assert.equal(b[19999], 7, 'a pooled buffer comes back as it was');
  assert.deepEqual(allocateForOverwrite('float64', 3), new Float64Array(3), 'other dtypes are zero-filled');
  clearRecycled();
});

test('convolutions overwrite every element of their outputs and gradients', () => {
  const x = randn([4, 3, 40, 40], { generator: gen() });
  const w = randn([8, 3, 3, 3], { generator: gen() });
  const b = randn([8], { generator: gen() });
  const size = 4 * 8 * 40 * 40;
  assertSame('conv2d', poisoned([size], () => [data(F.conv2d(x, w, b, { padding: 1 }))]));
  assertSame('conv2d+relu', poisoned([size], () => [data(convRelu(2, x, w, b, { padding: 1 }))]));
  assertSame('conv2d backward', poisoned([size, x.numel()], () => {
    const xs = x.clone().requiresGrad_(), ws = w.clone().requiresGrad_();
    convRelu(2, xs, ws, b, { padding: 1 }).sum().backward();
    return [data(xs.grad!), data(ws.grad!)];
  }));
  assertSame('convTranspose2d', poisoned([4 * 3 * 42 * 42], () => [data(F.convTranspose2d(randn([4, 8, 40, 40], { generator: gen() }), w, null))]));
});

test('pooling, linear, matmul and batch norm overwrite every element', () => {
  const x = randn([4, 8, 64, 64], { generator: gen() });
  assertSame('maxPool2d', poisoned([4 * 8 * 32 * 32, x.numel()], () => {
    const xs = x.clone().requiresGrad_();
    const y = F.maxPool2d(xs, { kernelSize: 2 });
    y.sum().backward();
    return [data(y), data(xs.grad!)];
  }));
  assertSame('avgPool2d', poisoned([4 * 8 * 32 * 32, x.numel()], () => {
    const xs = x.clone().requiresGrad_();
    const y = F.avgPool2d(xs, { kernelSize: 3, stride: 2, padding: 1 });
    y.sum().backward();
    return [data(y), data(xs.grad!)];
  }));
  const a = randn([300, 200], { generator: gen() });
  const m = randn([200, 100], { generator: gen() });
  assertSame('matmul', poisoned([300 * 100], () => [data(a.matmul(m))]));
  assertSame('linear', poisoned([300 * 100], () => [data(F.linear(a, m.transpose(0, 1).contiguous()))]));
  const weight = randn([8], { generator: gen() }), bias = randn([8], { generator: gen() });
  assertSame('batchNorm+relu', poisoned([x.numel()], () => {
    const xs = x.clone().requiresGrad_();
    const y = batchNormRelu(xs, tensor(new Float32Array(8), [8]), tensor(new Float32Array(8).fill(1), [8]), weight, bias, { training: true });
    y.sum().backward();
    return [data(y), data(xs.grad!)];
  }));
});
