import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, nn, randn, type Tensor } from '../../src/index.js';
import {
  DistributedScanningMLP, ScanningMLP, distributedGeometry, mlpParameterCount, parameterCounts, toConv1d, type DistributedLayerSpec,
} from '../../src/explain/scanningMlp.js';

// Everything here is recomputed from the raw weight arrays with plain loops: the windows are cut
// out of the input by index arithmetic and pushed through the MLP by explicit matrix products,
// without the library's conv, matmul or window code.

type Layer = { w: Float32Array | ArrayLike<number>; b: ArrayLike<number>; inF: number; outF: number };

/** y = x·w + b for w [inF, outF], then ReLU unless last. */
function dense(x: number[], { w, b, inF, outF }: Layer, last: boolean): number[] {
  assert.equal(x.length, inF);
  const y: number[] = [];
  for (let o = 0; o < outF; o++) {
    let s = b[o];
    for (let i = 0; i < inF; i++) s += x[i] * w[i * outF + o];
    y.push(last ? s : Math.max(0, s));
  }
  return y;
}

/** The window of x[n] starting at `start`, flattened position-major: element (j, c) at j*C + c. */
function cutWindow(x: Float32Array, n: number, C: number, L: number, start: number, K: number): number[] {
  const v: number[] = [];
  for (let j = 0; j < K; j++) for (let c = 0; c < C; c++) v.push(x[(n * C + c) * L + start + j]);
  return v;
}

function layersOf(weights: Tensor[], biases: Tensor[]): Layer[] {
  return weights.map((w, l) => ({ w: w.data as Float32Array, b: biases[l].data, inF: w.shape[0], outF: w.shape[1] }));
}

/** Simple scanning MLP by hand: [N][O*T], feature o of window t at o*T + t. */
function referenceSimple(x: Tensor, window: number, stride: number, layers: Layer[]): number[][] {
  const [N, C, L] = x.shape;
  const T = Math.floor((L - window) / stride) + 1;
  const out: number[][] = [];
  for (let n = 0; n < N; n++) {
    const O = layers[layers.length - 1].outF;
    const row = new Array<number>(O * T).fill(NaN);
    for (let t = 0; t < T; t++) {
      let h = cutWindow(x.data as Float32Array, n, C, L, t * stride, window);
      layers.forEach((layer, l) => (h = dense(h, layer, l === layers.length - 1)));
      for (let o = 0; o < O; o++) row[o * T + t] = h[o];
    }
    out.push(row);
  }
  return out;
}

/** Distributed scanning MLP by hand: inside each window, level l applies the shared layer to every sub-window. */
function referenceDistributed(x: Tensor, specs: DistributedLayerSpec[], layers: Layer[]): number[][] {
  const [N, C, L] = x.shape;
  // Window and scan stride from the specs: counts[L] = 1, counts[l-1] = (counts[l]-1)*stride_l + kernel_l.
  const counts = [1];
  for (let l = specs.length - 1; l >= 0; l--) counts.unshift((counts[0] - 1) * specs[l].stride + specs[l].kernel);
  const window = counts[0];
  const stride = specs.reduce((p, s) => p * s.stride, 1);
  const T = Math.floor((L - window) / stride) + 1;
  const O = specs[specs.length - 1].channels;
  const out: number[][] = [];
  for (let n = 0; n < N; n++) {
    const row = new Array<number>(O * T).fill(NaN);
    for (let t = 0; t < T; t++) {
      // level[p] = the channel vector at position p of the current level.
      let level: number[][] = [];
      for (let p = 0; p < window; p++) level.push(cutWindow(x.data as Float32Array, n, C, L, t * stride + p, 1));
      specs.forEach((s, l) => {
        const next: number[][] = [];
        for (let q = 0; q < counts[l + 1]; q++) {
          const sub = level.slice(q * s.stride, q * s.stride + s.kernel).flat(); // position-major
          next.push(dense(sub, layers[l], l === specs.length - 1));
        }
        level = next;
      });
      assert.equal(level.length, 1);
      for (let o = 0; o < O; o++) row[o * T + t] = level[0][o];
    }
    out.push(row);
  }
  return out;
}

function assertRowsClose(actual: Tensor, expected: number[][], tol: number, what: string): void {
  assert.deepEqual(actual.shape, [expected.length, expected[0].length], `${what}: shape`);
  const a = actual.data;
  let worst = 0;
  expected.flat().forEach((e, i) => {
    assert.ok(Number.isFinite(e), `${what}: reference hole at ${i}`);
    worst = Math.max(worst, Math.abs(a[i] - e));
  });
  assert.ok(worst <= tol, `${what}: max |difference| ${worst} > ${tol}`);
}

test('ScanningMLP and its Conv1d conversion both equal the MLP applied window by window', () => {
  const gen = new Generator(11);
  const [C, window, stride] = [3, 5, 2];
  const mlp = new ScanningMLP(C, window, stride, [6, 4], 3, gen);
  const x = randn([2, C, 20], { generator: gen });
  const T = Math.floor((20 - window) / stride) + 1;
  const expected = referenceSimple(x, window, stride, layersOf(mlp.weights, mlp.biases));
  assert.equal(T, 8);
  assert.equal(mlp.numWindows(20), T);
  assertRowsClose(mlp.call(x), expected, 1e-5, 'ScanningMLP');
  const conv = toConv1d(mlp);
  assertRowsClose(conv.call(x), expected, 1e-5, 'Conv1d stack');
  // The stack: Conv1d(C, 6, window, stride), ReLU, 1×1 Conv1d(6, 4), ReLU, 1×1 Conv1d(4, 3), Flatten.
  const convs = conv.children().filter((m): m is nn.Conv1d => m instanceof nn.Conv1d);
  assert.deepEqual(convs.map((c) => [c.inChannels, c.outChannels, c.kernelSize[0], c.stride[0]]), [[3, 6, 5, 2], [6, 4, 1, 1], [4, 3, 1, 1]]);
  assert.equal(conv.children().filter((m) => m instanceof nn.ReLU).length, 2);
  assert.equal(conv.numParameters(), mlp.numParameters());
  // An unbatched [C, L] input gives the single row.
  assertRowsClose(mlp.call(x.select(0, 1)).unsqueeze(0), [expected[1]], 1e-5, 'unbatched');
});

test('the first conv weight is W[o, c, j] = w[j*inChannels + c, o], literally; later layers are w transposed', () => {
  const gen = new Generator(5);
  const [C, K, H] = [4, 3, 5];
  const mlp = new ScanningMLP(C, K, 1, [H], 2, gen);
  const conv = toConv1d(mlp);
  const first = conv.at(0) as nn.Conv1d;
  const W = first.weight.data;
  const w = mlp.weights[0].data;
  assert.deepEqual(first.weight.shape, [H, C, K]);
  assert.deepEqual(mlp.weights[0].shape, [K * C, H]);
  for (let o = 0; o < H; o++) {
    for (let c = 0; c < C; c++) {
      for (let j = 0; j < K; j++) assert.equal(W[(o * C + c) * K + j], w[(j * C + c) * H + o], `W[${o}, ${c}, ${j}]`);
    }
  }
  assert.deepEqual([...first.bias!.data], [...mlp.biases[0].data]);
  const second = conv.at(2) as nn.Conv1d;
  for (let o = 0; o < 2; o++) for (let i = 0; i < H; i++) assert.equal(second.weight.data[o * H + i], mlp.weights[1].data[i * 2 + o]);
});

test('DistributedScanningMLP, its Conv1d conversion and its dense equivalent all equal the hierarchy computed by hand', () => {
  const gen = new Generator(23);
  const specs: DistributedLayerSpec[] = [{ kernel: 3, stride: 2, channels: 5 }, { kernel: 2, stride: 2, channels: 4 }, { kernel: 2, stride: 1, channels: 3 }];
  const C = 2;
  const mlp = new DistributedScanningMLP(C, specs, gen);
  // Inside a window: 1 output ← 2 positions of level 2 ← (2−1)·2+2 = 4 of level 1 ← (4−1)·2+3 = 9 samples.
  assert.deepEqual(mlp.counts, [9, 4, 2, 1]);
  assert.equal(mlp.window, 9);
  assert.equal(mlp.stride, 4);
  const x = randn([3, C, 33], { generator: gen });
  const expected = referenceDistributed(x, specs, layersOf(mlp.weights, mlp.biases));
  assert.equal(expected[0].length, 3 * 7); // T = ⌊(33 − 9)/4⌋ + 1 = 7
  assertRowsClose(mlp.call(x), expected, 1e-5, 'DistributedScanningMLP');
  const conv = toConv1d(mlp);
  const convs = conv.children().filter((m): m is nn.Conv1d => m instanceof nn.Conv1d);
  assert.deepEqual(convs.map((c) => [c.inChannels, c.outChannels, c.kernelSize[0], c.stride[0]]), [[2, 5, 3, 2], [5, 4, 2, 2], [4, 3, 2, 1]]);
  assertRowsClose(conv.call(x), expected, 1e-5, 'Conv1d stack');
  // Every conv weight follows the same mapping.
  convs.forEach((c, l) => {
    const [cout, cin, k] = c.weight.shape;
    for (let o = 0; o < cout; o++) for (let ci = 0; ci < cin; ci++) for (let j = 0; j < k; j++) {
      assert.equal(c.weight.data[(o * cin + ci) * k + j], mlp.weights[l].data[(j * cin + ci) * cout + o]);
    }
  });
  // The simple MLP with the same units per level (4·5 = 20, 2·4 = 8) computes the same outputs.
  const simple = mlp.toScanningMLP();
  assert.deepEqual(simple.hidden, [20, 8]);
  assert.equal(simple.window, 9);
  assert.equal(simple.stride, 4);
  assertRowsClose(simple.call(x), expected, 1e-5, 'dense equivalent');
  assertRowsClose(toConv1d(simple).call(x), expected, 1e-5, 'dense equivalent as Conv1d');
});

test('parameter counts, by hand: window 16 over 1 channel, simple vs distributed', () => {
  const specs: DistributedLayerSpec[] = [{ kernel: 4, stride: 2, channels: 8 }, { kernel: 3, stride: 2, channels: 8 }, { kernel: 3, stride: 1, channels: 4 }];
  // Window: 1 top unit ← 3 level-2 positions ← (3−1)·2+3 = 7 level-1 positions ← (7−1)·2+4 = 16 samples.
  assert.deepEqual(distributedGeometry(specs), { window: 16, stride: 4, counts: [16, 7, 3, 1] });
  // Distributed: level 1 (4·1)·8 + 8 = 40; level 2 (3·8)·8 + 8 = 200; level 3 (3·8)·4 + 4 = 100.
  const distributed = 40 + 200 + 100;
  // Simple with the same units: 7·8 = 56 and 3·8 = 24 hidden units, each layer dense:
  // 16·56 + 56 = 952; 56·24 + 24 = 1368; 24·4 + 4 = 100.
  const simple = 952 + 1368 + 100;
  assert.deepEqual(parameterCounts(1, specs), { window: 16, stride: 4, distributed, simpleHidden: [56, 24], simple, conv: distributed });
  assert.equal(distributed, 340);
  assert.equal(simple, 2420);
  const d = new DistributedScanningMLP(1, specs, new Generator(0));
  assert.equal(d.numParameters(), distributed);
  assert.equal(toConv1d(d).numParameters(), distributed);
  assert.equal(d.toScanningMLP().numParameters(), simple);
  // A simple scanning MLP of the same per-level widths (8, 8, 4) over the whole window: 16·8+8 + 8·8+8 + 8·4+4.
  assert.equal(new ScanningMLP(1, 16, 4, [8, 8], 4, new Generator(0)).numParameters(), 136 + 72 + 36);
  assert.equal(mlpParameterCount(16, [8, 8], 4), 244);
});

test('ScanningMLP trains through autograd: gradients reach every weight', () => {
  const gen = new Generator(2);
  const mlp = new ScanningMLP(2, 4, 2, [3], 2, gen);
  const y = mlp.call(randn([2, 2, 10], { generator: gen }));
  y.pow(2).sum().backward();
  for (const [name, p] of mlp.namedParameters()) assert.ok(p.grad !== null && [...p.grad.data].some((v) => v !== 0), `${name} has a gradient`);
});
