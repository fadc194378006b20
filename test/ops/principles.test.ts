// The textbook facts about convolution (Dive into Deep Learning, ch. 7.2), checked through the
// public functional API: cross-correlation, edge detection, learning a kernel from data, true
// convolution versus cross-correlation, and 1x1 convolution as a per-pixel linear layer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, type Tensor, functional as F, noGrad, ones, randn, tensor, zeros } from '../../src/index.js';
import { assertClose } from '../helpers/torchFixtures.js';

const arr = (t: Tensor) => Array.from(t.toArray());

/** A 2-D [h, w] image or kernel as the [1, 1, h, w] tensor conv2d takes (and back). */
const as4d = (t: Tensor) => t.reshape([1, 1, ...t.shape]);
const corr2d = (x: Tensor, k: Tensor) => F.conv2d(as4d(x), as4d(k)).reshape(x.shape[0] - k.shape[0] + 1, x.shape[1] - k.shape[1] + 1);

/** The 6x8 image of ones with a vertical band of zeros in columns 2–5. */
function bandImage(): Tensor {
  const x = ones([6, 8]);
  for (let i = 0; i < 6; i++) for (let j = 2; j < 6; j++) x.data[i * 8 + j] = 0;
  return x;
}

test('cross-correlation of [[0,1,2],[3,4,5],[6,7,8]] with [[0,1],[2,3]] is [[19,25],[37,43]]', () => {
  const x = tensor([[0, 1, 2], [3, 4, 5], [6, 7, 8]]);
  const k = tensor([[0, 1], [2, 3]]);
  const y = corr2d(x, k);
  assert.deepEqual(y.shape, [2, 2]);
  assert.deepEqual(arr(y), [19, 25, 37, 43]);
});

test('the kernel [[1, -1]] detects vertical edges: +1 and -1 at the two edges, 0 elsewhere, nothing on the transposed image', () => {
  const x = bandImage();
  const k = tensor([[1, -1]]);
  const y = corr2d(x, k);
  assert.deepEqual(y.shape, [6, 7]);
  const row = [0, 1, 0, 0, 0, -1, 0];
  assert.deepEqual(arr(y), new Array(6).fill(row).flat());
  const yt = corr2d(x.T, k);
  assert.deepEqual(yt.shape, [8, 5]);
  assert.ok(arr(yt).every((v) => v === 0), 'horizontal edges are invisible to a horizontal difference');
});

test('gradient descent on the squared error learns the kernel [[1, -1]] from X and Y = corr(X, [[1, -1]])', () => {
  const x = as4d(bandImage());
  const y = F.conv2d(x, tensor([1, -1], [1, 1, 1, 2]));
  // The loss is a quadratic with Hessian 12·[[3, 2], [2, 3]] (eigenvalues 60 and 12): learning
  // rate 0.02 contracts both error directions by at least 0.76 per step, 1e-11 after 100 steps.
  const starts = [zeros([1, 1, 1, 2]), randn([1, 1, 1, 2], { generator: new Generator(7) })];
  for (const start of starts) {
    let k = start.requiresGrad_();
    let loss = Infinity;
    for (let step = 0; step < 100; step++) {
      const l = F.conv2d(x, k).sub(y).pow(2).sum();
      loss = l.item();
      l.backward();
      const grad = k.grad!;
      k = noGrad(() => k.sub(grad.mul(0.02))).requiresGrad_();
    }
    assert.ok(loss < 1e-6, `final loss ${loss}`);
    assertClose(k.toArray(), [1, -1], { atol: 1e-3, rtol: 0 }, `kernel learned from ${arr(start).join(', ')}`);
  }
});

test('true convolution (flipped kernel, full padding) is commutative for 1-D signals; cross-correlation is not', () => {
  const f = [1, 2, -1, 3, 0.5];
  const g = [2, -1, 4];
  const signal = (v: number[]) => tensor(v, [1, 1, v.length], { dtype: 'float64' });
  // (f ∗ g)[n] = Σ_m f[m]·g[n−m]: conv1d is cross-correlation, so flip the kernel and pad fully.
  const convolve = (a: number[], b: number[]) => arr(F.conv1d(signal(a), signal([...b].reverse()), null, { padding: b.length - 1 }));
  const correlate = (a: number[], b: number[]) => arr(F.conv1d(signal(a), signal(b), null, { padding: b.length - 1 }));
  const expected = Array.from({ length: f.length + g.length - 1 }, (_, n) =>
    f.reduce((s, fm, m) => s + (n - m >= 0 && n - m < g.length ? fm * g[n - m] : 0), 0));
  assert.deepEqual(convolve(f, g), expected);
  assert.deepEqual(convolve(g, f), expected);
  assert.notDeepEqual(correlate(f, g), correlate(g, f));
  assert.deepEqual(correlate(f, g), correlate(g, f).reverse(), 'swapping the operands of a correlation reverses it');
});

test('a 1x1 convolution is a linear layer (matmul + bias) applied at every pixel', () => {
  const gen = new Generator(3);
  const x = randn([2, 3, 4, 5], { generator: gen });
  const w = randn([4, 3, 1, 1], { generator: gen });
  const b = randn([4], { generator: gen });
  const conv = F.conv2d(x, w, b);
  // Pixels as rows: [N, H, W, C] → [N·H·W, C], times Wᵀ [C, Cout], plus b, back to [N, Cout, H, W].
  const pixels = x.permute(0, 2, 3, 1).reshape(-1, 3);
  const linear = pixels.matmul(w.reshape(4, 3).T).add(b).reshape(2, 4, 5, 4).permute(0, 3, 1, 2);
  assert.deepEqual(conv.shape, [2, 4, 4, 5]);
  assertClose(conv.toArray(), linear.toArray(), { atol: 1e-5, rtol: 1e-5 }, '1x1 conv vs per-pixel linear');
});
