// The backend conformance suite: every kernel of every backend against the reference kernels run in
// float64 (the oracle), on random shapes including sizes that do not divide the GEMM blocks (MR 4,
// NR 8, KC 256, MC 128, NC 1024), odd channel counts, groups, stride, dilation and padding. The
// backends under test: reference (float32), wasm on 1 thread, on 2 threads with splitting forced
// even for small shapes, on 2 threads with base SIMD, and with every convolution forced onto
// im2col + GEMM or onto the direct kernels (by position or by channel). Then the PyTorch fixtures of every
// kernel-backed op, run through the public ops under setBackend('reference') and setBackend('wasm').
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Tensor, functional as F, getBackend, registerBackend, setBackend } from '../../src/index.js';
import type { Backend, ChannelGeometry, Conv2dGeometry, FloatArray, MatmulGeometry, Pool2dGeometry } from '../../src/backend/backend.js';
import { referenceBackend } from '../../src/backend/reference/index.js';
import { createWasmBackend } from '../../src/backend/wasm/create.js';
import type { WasmBackend } from '../../src/backend/wasm/wasmBackend.js';
import type { ConvOptions, ConvTransposeOptions } from '../../src/ops/conv.js';
import type { AvgPoolOptions, MaxPoolOptions } from '../../src/ops/pool.js';
import { checkAgainstTorch, loadFixtureCases } from '../helpers/torchFixtures.js';

// ---------------------------------------------------------------------------------------------
// Random inputs and the float64 oracle.

/** A seeded generator (mulberry32) of floats in [-1, 1). */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

function randomArray(n: number, next: () => number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = next();
  return a;
}

/** The expected result of a kernel, and the scale its float32 rounding error is measured against. */
interface Expected {
  value: Float64Array;
  scale: Float64Array;
}

const to64 = (a: FloatArray): Float64Array => Float64Array.from(a);
const abs64 = (a: FloatArray): Float64Array => Float64Array.from(a, Math.abs);

/**
 * Runs a kernel of the reference backend in float64 twice: on the inputs (the expected value) and
 * on their absolute values (the scale). For sums of products and averages the second run computes
 * Σ|a||b| (or Σ|x|/divisor), the bound of the rounding error of any summation order.
 */
function oracle(inputs: FloatArray[], outLength: number, kernel: (inputs: Float64Array[], out: Float64Array) => void): Expected {
  const value = new Float64Array(outLength), scale = new Float64Array(outLength);
  kernel(inputs.map(to64), value);
  kernel(inputs.map(abs64), scale);
  return { value, scale };
}

function assertClose(actual: FloatArray, expected: Expected, what: string): void {
  assert.equal(actual.length, expected.value.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const tol = 1e-6 + 2e-5 * expected.scale[i]!;
    const err = Math.abs(actual[i]! - expected.value[i]!);
    if (!(err <= tol)) assert.fail(`${what}: element ${i} is ${actual[i]} but should be ${expected.value[i]} (±${tol.toExponential(1)})`);
  }
}

// ---------------------------------------------------------------------------------------------
// Shapes.

interface ConvSpec {
  n: number; c: number; co: number; g?: number; h: number; w: number; kh: number; kw: number;
  sh?: number; sw?: number; pt?: number; pb?: number; pl?: number; pr?: number; dh?: number; dw?: number;
}

function convGeometry(s: ConvSpec): Conv2dGeometry {
  const sh = s.sh ?? 1, sw = s.sw ?? 1, dh = s.dh ?? 1, dw = s.dw ?? 1;
  const pt = s.pt ?? 0, pb = s.pb ?? pt, pl = s.pl ?? 0, pr = s.pr ?? pl;
  return {
    batch: s.n, inChannels: s.c, outChannels: s.co, groups: s.g ?? 1, inHeight: s.h, inWidth: s.w,
    outHeight: Math.floor((s.h + pt + pb - dh * (s.kh - 1) - 1) / sh) + 1,
    outWidth: Math.floor((s.w + pl + pr - dw * (s.kw - 1) - 1) / sw) + 1,
    kernelHeight: s.kh, kernelWidth: s.kw, strideH: sh, strideW: sw, padTop: pt, padLeft: pl, dilationH: dh, dilationW: dw,
  };
}

const convSpecs: ConvSpec[] = [
  { n: 2, c: 3, co: 5, h: 7, w: 9, kh: 3, kw: 3, pt: 1, pl: 1 },
  { n: 2, c: 13, co: 7, h: 5, w: 6, kh: 1, kw: 1 },
  { n: 1, c: 6, co: 9, h: 9, w: 7, kh: 1, kw: 1, sh: 2, sw: 2 },
  { n: 3, c: 4, co: 3, h: 8, w: 11, kh: 3, kw: 3, sh: 2, sw: 2, pt: 0, pb: 1, pl: 1, pr: 0 },
  { n: 1, c: 5, co: 4, h: 12, w: 13, kh: 3, kw: 2, dh: 2, dw: 3, pt: 2, pl: 1 },
  { n: 2, c: 4, co: 6, g: 2, h: 6, w: 5, kh: 3, kw: 3, pt: 1, pl: 1 },
  { n: 2, c: 9, co: 6, g: 3, h: 7, w: 7, kh: 2, kw: 3, sh: 2, sw: 1, pt: 1, pl: 0, pr: 2 },
  { n: 2, c: 5, co: 5, g: 5, h: 9, w: 10, kh: 3, kw: 3, pt: 1, pl: 1 },
  { n: 1, c: 6, co: 6, g: 6, h: 11, w: 9, kh: 3, kw: 3, sh: 2, sw: 2, pt: 1, pl: 1 },
  { n: 2, c: 3, co: 6, g: 3, h: 8, w: 8, kh: 5, kw: 5, pt: 2, pl: 2 },
  { n: 3, c: 16, co: 20, h: 17, w: 19, kh: 3, kw: 3, pt: 1, pl: 1 },
  { n: 1, c: 40, co: 9, h: 6, w: 7, kh: 3, kw: 3, pt: 1, pl: 1 },
  { n: 1, c: 2, co: 130, h: 5, w: 5, kh: 3, kw: 3 },
  { n: 1, c: 2, co: 3, h: 40, w: 30, kh: 3, kw: 3, pt: 1, pl: 1 },
  { n: 2, c: 3, co: 4, h: 1, w: 29, kh: 1, kw: 5, pl: 2 },
  { n: 1, c: 2, co: 3, h: 2, w: 3, kh: 3, kw: 3, pt: 1, pl: 1 },
  { n: 1, c: 3, co: 2, h: 7, w: 7, kh: 7, kw: 7 },
  { n: 2, c: 300, co: 5, h: 3, w: 3, kh: 1, kw: 1 },
  { n: 2, c: 4, co: 4, g: 4, h: 10, w: 23, kh: 3, kw: 3, dh: 2, dw: 2, pt: 2, pl: 2 },
  { n: 1, c: 3, co: 3, g: 3, h: 13, w: 14, kh: 3, kw: 2, sh: 3, sw: 3, pt: 1, pb: 0, pl: 0, pr: 1 },
  { n: 2, c: 1, co: 3, h: 6, w: 9, kh: 5, kw: 5, pt: 2, pl: 2 },
  { n: 2, c: 1, co: 16, h: 9, w: 9, kh: 5, kw: 5 },
  { n: 1, c: 8, co: 8, g: 8, h: 4, w: 3, kh: 3, kw: 3, pt: 1, pl: 1 },
  // The direct kernels (assembly/direct.ts): output widths around their 8/16-wide strips and 4-wide
  // weight-gradient vectors, channel counts that leave a pair or a single channel after the quads,
  // padding on every side, strides 2 and 3 (column phases), dilation, groups, several row bands.
  { n: 2, c: 2, co: 7, h: 9, w: 37, kh: 3, kw: 3, pt: 1, pb: 2, pl: 2, pr: 1 },
  { n: 1, c: 3, co: 5, h: 11, w: 17, kh: 5, kw: 3, pt: 2, pl: 1 },
  { n: 2, c: 3, co: 9, h: 13, w: 23, kh: 3, kw: 3, sh: 2, sw: 2, pt: 1, pl: 1 },
  { n: 1, c: 2, co: 6, h: 10, w: 26, kh: 4, kw: 5, sh: 3, sw: 3, pt: 1, pb: 2, pl: 2, pr: 0 },
  { n: 1, c: 2, co: 5, h: 12, w: 19, kh: 3, kw: 3, sh: 1, sw: 2, dh: 2, dw: 3, pt: 2, pl: 3 },
  { n: 2, c: 6, co: 10, g: 2, h: 8, w: 18, kh: 3, kw: 3, pt: 1, pl: 1, dh: 2, dw: 2 },
  { n: 1, c: 4, co: 1, h: 6, w: 33, kh: 3, kw: 2, pt: 1, pl: 1 },
  { n: 1, c: 1, co: 2, h: 5, w: 4, kh: 3, kw: 3, pt: 3, pl: 2 },
  { n: 1, c: 64, co: 5, h: 45, w: 40, kh: 3, kw: 3, pt: 1, pl: 1 },
  { n: 2, c: 80, co: 100, h: 4, w: 4, kh: 3, kw: 3, pt: 1, pl: 1 },
  // Winograd (assembly/winograd.ts, automatic from 24 channels): odd output sizes (partial tiles
  // and groups), output channels not a multiple of 4, padding 0 and 2, uneven padding.
  { n: 2, c: 24, co: 26, h: 9, w: 11, kh: 3, kw: 3, pt: 1, pl: 1 },
  { n: 1, c: 30, co: 28, h: 6, w: 17, kh: 3, kw: 3, pt: 2, pb: 0, pl: 0, pr: 2 },
  { n: 3, c: 25, co: 24, h: 12, w: 21, kh: 3, kw: 3 },
  // LeNet's second layer (16 channels × rows of 10: the 16 × 2 kernel's paired stores), and 20
  // channels (a full block of 16 and a block of 4 through the tile) on rows of 7.
  { n: 2, c: 6, co: 16, h: 14, w: 14, kh: 5, kw: 5 },
  { n: 1, c: 3, co: 20, h: 9, w: 9, kh: 3, kw: 3, pt: 1, pb: 0, pl: 0, pr: 0 },
];

interface PoolSpec { n: number; c: number; h: number; w: number; k: number; s: number; p: number; d?: number; ceil?: boolean }

/** Pool geometry with PyTorch's output size, ceil mode included (a last window must start inside input or left padding). */
function poolGeometry(s: PoolSpec): Pool2dGeometry {
  const d = s.d ?? 1;
  const size = (len: number): number => {
    const span = len + 2 * s.p - d * (s.k - 1) - 1;
    let out = (s.ceil ? Math.ceil(span / s.s) : Math.floor(span / s.s)) + 1;
    if (s.ceil && (out - 1) * s.s >= len + s.p) out--;
    return out;
  };
  return {
    batch: s.n, channels: s.c, inHeight: s.h, inWidth: s.w, outHeight: size(s.h), outWidth: size(s.w),
    kernelHeight: s.k, kernelWidth: s.k, strideH: s.s, strideW: s.s, padTop: s.p, padLeft: s.p, dilationH: d, dilationW: d,
  };
}

const poolSpecs: PoolSpec[] = [
  { n: 2, c: 3, h: 8, w: 8, k: 2, s: 2, p: 0 },
  { n: 1, c: 5, h: 7, w: 9, k: 3, s: 2, p: 1 },
  { n: 2, c: 2, h: 7, w: 6, k: 3, s: 2, p: 1, ceil: true },
  { n: 1, c: 3, h: 11, w: 10, k: 3, s: 1, p: 1 },
  { n: 1, c: 2, h: 10, w: 9, k: 3, s: 2, p: 0, ceil: true },
  { n: 1, c: 2, h: 9, w: 9, k: 2, s: 3, p: 1, ceil: true },
  { n: 3, c: 4, h: 5, w: 5, k: 5, s: 1, p: 2 },
];
const maxPoolSpecs: PoolSpec[] = [
  ...poolSpecs, { n: 1, c: 3, h: 12, w: 11, k: 3, s: 2, p: 1, d: 2 }, { n: 1, c: 2, h: 9, w: 9, k: 2, s: 1, p: 1, d: 3, ceil: true },
  // 2 × 2 / stride 2 rows long enough for the wasm kernel's four-at-a-time path, plus clipped ceilMode edges.
  { n: 2, c: 3, h: 28, w: 28, k: 2, s: 2, p: 0 }, { n: 1, c: 2, h: 9, w: 21, k: 2, s: 2, p: 0, ceil: true },
];

const matmulShapes: [number, number, number, number][] = [
  [1, 1, 1, 1], [1, 3, 5, 7], [1, 13, 17, 19], [1, 7, 300, 9], [1, 130, 20, 37], [1, 5, 3, 1030], [3, 33, 260, 65], [2, 4, 0, 5],
];

// ---------------------------------------------------------------------------------------------
// Backends under test.

function wasm(options: Parameters<typeof createWasmBackend>[0]): WasmBackend {
  // Tiny jobs leave a worker little to claim: keep the threads, so the suite always runs them.
  const backend = createWasmBackend({ adaptiveThreads: false, ...options });
  assert.ok(backend !== null, 'WebAssembly SIMD is available in Node 20');
  return backend;
}

const wasm1 = wasm({ threads: 1 });
const wasm2 = wasm({ threads: 2, parallelThreshold: 0 });
const wasm2Base = wasm({ threads: 2, parallelThreshold: 0, relaxedSimd: false });
// Every convolution through one algorithm, whatever the layer would pick.
const wasm2Gemm = wasm({ threads: 2, parallelThreshold: 0, convAlgorithm: 'gemm' });
const wasm2Direct = wasm({ threads: 2, parallelThreshold: 0, convAlgorithm: 'direct' });
const wasm1DirectBase = wasm({ threads: 1, relaxedSimd: false, convAlgorithm: 'direct' });
const wasm2ByChannel = wasm({ threads: 2, parallelThreshold: 0, convAlgorithm: 'direct-by-channel' });
const wasm2ByChannel16 = wasm({ threads: 2, parallelThreshold: 0, convAlgorithm: 'direct-by-channel-16' });
const wasm2ChannelLanes = wasm({ threads: 2, parallelThreshold: 0, convAlgorithm: 'channel-lanes' });
const wasm1ChannelLanesBase = wasm({ threads: 1, relaxedSimd: false, convAlgorithm: 'channel-lanes' });
const wasm2Winograd = wasm({ threads: 2, parallelThreshold: 0, convAlgorithm: 'winograd' });
const wasm1WinogradBase = wasm({ threads: 1, relaxedSimd: false, convAlgorithm: 'winograd' });

const backends: [string, Backend][] = [
  ['reference', referenceBackend],
  ['wasm 1 thread', wasm1],
  ['wasm 2 threads', wasm2],
  ['wasm 2 threads, base SIMD', wasm2Base],
  ['wasm 2 threads, im2col + GEMM convolutions', wasm2Gemm],
  ['wasm 2 threads, direct convolutions', wasm2Direct],
  ['wasm 1 thread, direct convolutions, base SIMD', wasm1DirectBase],
  ['wasm 2 threads, direct convolutions by channel', wasm2ByChannel],
  ['wasm 2 threads, direct convolutions by 16 channels', wasm2ByChannel16],
  ['wasm 2 threads, channel-lanes gradients', wasm2ChannelLanes],
  ['wasm 1 thread, channel-lanes gradients, base SIMD', wasm1ChannelLanesBase],
  ['wasm 2 threads, Winograd convolutions', wasm2Winograd],
  ['wasm 1 thread, Winograd convolutions, base SIMD', wasm1WinogradBase],
];

const ref = referenceBackend;

for (const [name, backend] of backends) {
  test(`conformance [${name}]: matmul on ${matmulShapes.length} shapes, every transpose and broadcast`, () => {
    const next = seeded(1);
    for (const [batch, m, k, n] of matmulShapes) {
      for (const transA of [false, true]) for (const transB of [false, true]) {
        for (const [batchA, batchB] of [[1, 1], [0, 1], [1, 0]] as const) {
          const g: MatmulGeometry = { batch, m, k, n, transA, transB, batchA, batchB };
          const a = randomArray((batchA ? batch : 1) * m * k, next), b = randomArray((batchB ? batch : 1) * k * n, next);
          const out = new Float32Array(batch * m * n).fill(NaN);
          backend.matmul(g, a, b, out);
          assertClose(out, oracle([a, b], out.length, ([a, b], o) => ref.matmul(g, a!, b!, o)), `matmul ${JSON.stringify(g)}`);
        }
      }
    }
  });

  test(`conformance [${name}]: conv2d forward and both backward passes on ${convSpecs.length} geometries`, () => {
    const next = seeded(2);
    for (const spec of convSpecs) {
      const g = convGeometry(spec);
      const cig = g.inChannels / g.groups;
      const x = randomArray(g.batch * g.inChannels * g.inHeight * g.inWidth, next);
      const w = randomArray(g.outChannels * cig * g.kernelHeight * g.kernelWidth, next);
      const bias = randomArray(g.outChannels, next);
      const dy = randomArray(g.batch * g.outChannels * g.outHeight * g.outWidth, next);
      const what = JSON.stringify(spec);
      const out = new Float32Array(dy.length).fill(NaN);
      backend.conv2dForward(g, x, w, bias, out);
      assertClose(out, oracle([x, w, bias], out.length, ([x, w, b], o) => ref.conv2dForward(g, x!, w!, b!, o)), `conv2dForward ${what} with bias`);
      // The relu epilogue: exactly relu of the plain output, bit for bit.
      const fused = new Float32Array(dy.length).fill(NaN), relued = new Float32Array(dy.length);
      backend.conv2dForward(g, x, w, bias, fused, 'relu');
      ref.relu(out, relued);
      assert.deepEqual(fused, relued, `conv2dForward ${what} with the relu epilogue`);
      out.fill(NaN);
      backend.conv2dForward(g, x, w, null, out);
      assertClose(out, oracle([x, w], out.length, ([x, w], o) => ref.conv2dForward(g, x!, w!, null, o)), `conv2dForward ${what} without bias`);
      const dx = new Float32Array(x.length).fill(NaN);
      backend.conv2dBackwardData(g, dy, w, dx);
      assertClose(dx, oracle([dy, w], dx.length, ([dy, w], o) => ref.conv2dBackwardData(g, dy!, w!, o)), `conv2dBackwardData ${what}`);
      const dw = new Float32Array(w.length).fill(NaN);
      backend.conv2dBackwardWeight(g, x, dy, dw);
      assertClose(dw, oracle([x, dy], dw.length, ([x, dy], o) => ref.conv2dBackwardWeight(g, x!, dy!, o)), `conv2dBackwardWeight ${what}`);
      // The composite backward: the same bits as the single kernels in sequence, with and without
      // the fused ReLU's mask (the relu-epilogue output), each gradient on its own and all three.
      const channels = { batch: g.batch, channels: g.outChannels, spatial: g.outHeight * g.outWidth };
      for (const mask of [null, fused]) {
        const masked = new Float32Array(dy.length);
        if (mask === null) masked.set(dy); else backend.reluBackward(dy, mask, masked);
        const wantDx = new Float32Array(x.length), wantDw = new Float32Array(w.length), wantDb = new Float64Array(g.outChannels);
        backend.conv2dBackwardData(g, masked, w, wantDx);
        backend.conv2dBackwardWeight(g, x, masked, wantDw);
        backend.channelDots(channels, masked, masked, new Float64Array(g.outChannels), wantDb, new Float64Array(g.outChannels));
        for (const wanted of [[true, true, true], [true, false, false], [false, true, false], [false, false, true]]) {
          const [dx1, dw1, db1] = [wanted[0] ? new Float32Array(x.length).fill(NaN) : null, wanted[1] ? new Float32Array(w.length).fill(NaN) : null, wanted[2] ? new Float64Array(g.outChannels).fill(NaN) : null];
          backend.conv2dBackward(g, x, w, dy, mask, dx1, dw1, db1);
          const label = `conv2dBackward ${what} (${mask === null ? 'no mask' : 'relu mask'}, ${wanted.join('/')})`;
          if (dx1 !== null) assert.deepEqual(dx1, wantDx, label);
          if (dw1 !== null) assert.deepEqual(dw1, wantDw, label);
          if (db1 !== null) assert.deepEqual(db1, wantDb, label);
        }
      }
    }
  });

  test(`conformance [${name}]: max pooling on ${maxPoolSpecs.length} geometries, exact values and argmax with ties and NaN`, () => {
    const next = seeded(4);
    for (const spec of maxPoolSpecs) {
      const g = poolGeometry(spec);
      const what = JSON.stringify(spec);
      // Coarse values make ties common: the first maximum must win.
      const x = randomArray(g.batch * g.channels * g.inHeight * g.inWidth, next).map((v) => Math.round(v * 3));
      // NaN anywhere in a window wins (the last one if several); a window of −∞ (66, 67, 94, 95 on 28-wide planes) keeps its first index.
      for (const [at, v] of [[7, NaN], [40, NaN], [41, NaN], [100, NaN], [66, -Infinity], [67, -Infinity], [94, -Infinity], [95, -Infinity]] as const) {
        if (at < x.length) x[at] = v;
      }
      const size = g.batch * g.channels * g.outHeight * g.outWidth;
      const wantOut = new Float64Array(size), wantArgmax = new Int32Array(size);
      ref.maxPool2dForward(g, to64(x), wantOut, wantArgmax);
      const out = new Float32Array(size).fill(-7), argmax = new Int32Array(size).fill(-7);
      backend.maxPool2dForward(g, x, out, argmax);
      assert.deepEqual(out, Float32Array.from(wantOut), `maxPool2dForward ${what}`);
      assert.deepEqual(argmax, wantArgmax, `maxPool2dForward argmax ${what}`);
      const dy = randomArray(size, next);
      const dx = new Float32Array(x.length).fill(NaN);
      backend.maxPool2dBackward(g, dy, argmax, dx);
      assertClose(dx, oracle([dy], dx.length, ([dy], o) => ref.maxPool2dBackward(g, dy!, wantArgmax, o)), `maxPool2dBackward ${what}`);
    }
  });

  test(`conformance [${name}]: average pooling on ${poolSpecs.length} geometries with PyTorch's divisor rules, forward and backward`, () => {
    const next = seeded(5);
    for (const spec of poolSpecs) for (const countIncludePad of [true, false]) {
      const g = poolGeometry(spec);
      const what = `${JSON.stringify(spec)} countIncludePad ${countIncludePad}`;
      const x = randomArray(g.batch * g.channels * g.inHeight * g.inWidth, next);
      const out = new Float32Array(g.batch * g.channels * g.outHeight * g.outWidth).fill(NaN);
      backend.avgPool2dForward(g, countIncludePad, x, out);
      assertClose(out, oracle([x], out.length, ([x], o) => ref.avgPool2dForward(g, countIncludePad, x!, o)), `avgPool2dForward ${what}`);
      const dy = randomArray(out.length, next);
      const dx = new Float32Array(x.length).fill(NaN);
      backend.avgPool2dBackward(g, countIncludePad, dy, dx);
      assertClose(dx, oracle([dy], dx.length, ([dy], o) => ref.avgPool2dBackward(g, countIncludePad, dy!, o)), `avgPool2dBackward ${what}`);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Batch normalization's per-channel kernels and ReLU: planes that are not multiples of the vector
// width, longer than one f32 chunk (512), a [N, C] case (spatial 1), and means far from zero.

const channelSpecs: ChannelGeometry[] = [
  { batch: 3, channels: 5, spatial: 7 }, { batch: 2, channels: 3, spatial: 1301 }, { batch: 17, channels: 6, spatial: 1 },
  { batch: 4, channels: 32, spatial: 49 }, { batch: 1, channels: 1, spatial: 3 },
];

function closeScalar(actual: number, expected: number, scale: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-6 + 2e-5 * scale, `${what}: got ${actual}, want ${expected}`);
}

for (const [name, backend] of backends) {
  test(`conformance [${name}]: batch-norm channel kernels on ${channelSpecs.length} geometries`, () => {
    const next = seeded(6);
    for (const g of channelSpecs) {
      const what = JSON.stringify(g);
      const size = g.batch * g.channels * g.spatial, c = g.channels;
      // An offset per channel, so the mean is large next to the spread (the squares must be centered).
      const x = randomArray(size, next).map((v, i) => v + 10 * (Math.floor(i / g.spatial) % c));
      const dy = randomArray(size, next);
      const mean = new Float64Array(c), squares = new Float64Array(c), wantMean = new Float64Array(c), wantSquares = new Float64Array(c);
      backend.channelMoments(g, x, mean, squares);
      ref.channelMoments(g, to64(x), wantMean, wantSquares);
      for (let ch = 0; ch < c; ch++) {
        closeScalar(mean[ch]!, wantMean[ch]!, Math.abs(wantMean[ch]!), `channelMoments mean ${what}`);
        closeScalar(squares[ch]!, wantSquares[ch]!, wantSquares[ch]!, `channelMoments squares ${what}`);
      }
      const sums = new Float64Array(c), dots = new Float64Array(c), wantSums = new Float64Array(c), wantDots = new Float64Array(c);
      backend.channelDots(g, dy, x, wantMean, sums, dots);
      ref.channelDots(g, to64(dy), to64(x), wantMean, wantSums, wantDots);
      const absDy = abs64(dy), absX = to64(x).map((v, i) => Math.abs(v - wantMean[Math.floor(i / g.spatial) % c]!));
      for (let ch = 0; ch < c; ch++) {
        let scaleSums = 0, scaleDots = 0;
        for (let b = 0; b < g.batch; b++) for (let p = 0; p < g.spatial; p++) {
          const i = (b * c + ch) * g.spatial + p;
          scaleSums += absDy[i]!; scaleDots += absDy[i]! * absX[i]!;
        }
        closeScalar(sums[ch]!, wantSums[ch]!, scaleSums, `channelDots sums ${what}`);
        closeScalar(dots[ch]!, wantDots[ch]!, scaleDots, `channelDots dots ${what}`);
      }
      const scale = Float64Array.from({ length: c }, () => next() * 2 - 1), shift = Float64Array.from({ length: c }, () => next() * 4 - 2);
      const coef = Float64Array.from({ length: c }, () => next() - 0.5);
      for (const term of [null, { x, center: wantMean, coef }]) {
        const out = new Float32Array(size).fill(NaN), want = new Float32Array(size);
        backend.channelAffine(g, dy, scale, shift, term, out);
        ref.channelAffine(g, dy, scale, shift, term, want);
        // Both compute in float64 in the same order and round once: the same bits.
        assert.deepEqual(out, want, `channelAffine ${term === null ? '' : 'with (x − center)·coef '}${what}`);
        // The relu epilogue: exactly relu of that output.
        const fused = new Float32Array(size).fill(NaN), relued = new Float32Array(size);
        backend.channelAffine(g, dy, scale, shift, term, fused, 'relu');
        ref.relu(want, relued);
        assert.deepEqual(fused, relued, `channelAffine with the relu epilogue ${what}`);
      }
      // The composite batch-norm kernels: the same bits as the single kernels in sequence.
      const paramsFrom = (m: Float64Array, sq: Float64Array) => ({ scale: sq.map((v) => 1 / Math.sqrt(v + 1)), shift: m.map((v) => -v) });
      for (const epilogue of [null, 'relu'] as const) {
        const m1 = new Float64Array(c), q1 = new Float64Array(c), y1 = new Float32Array(size).fill(NaN);
        backend.normalizeChannels(g, x, m1, q1, paramsFrom, y1, epilogue);
        const m2 = new Float64Array(c), q2 = new Float64Array(c), y2 = new Float32Array(size);
        backend.channelMoments(g, x, m2, q2);
        const p = paramsFrom(m2, q2);
        backend.channelAffine(g, x, p.scale, p.shift, null, y2, epilogue);
        assert.deepEqual([m1, q1, y1], [m2, q2, y2], `normalizeChannels (${epilogue ?? 'no'} epilogue) ${what}`);
        for (const withTerm of [false, true]) {
          // The fused ReLU's gradient comes from the forward map; the sequence masks by the forward output y2.
          const relu = epilogue === null ? null : p, mask = epilogue === null ? null : y2;
          const backParams = (su: Float64Array, d: Float64Array) => ({ scale: d.map((v) => v / 100 + 1), shift: su.map((v) => v / 100), term: withTerm ? { center: wantMean, coef: d.map((v) => v / 1000) } : null });
          const s1 = new Float64Array(c), d1 = new Float64Array(c), dx1 = new Float32Array(size).fill(NaN);
          backend.normalizeChannelsBackward(g, dy, x, relu, wantMean, s1, d1, backParams, dx1);
          const masked = new Float32Array(size);
          if (mask === null) masked.set(dy); else backend.reluBackward(dy, mask, masked);
          const s2 = new Float64Array(c), d2 = new Float64Array(c), dx2 = new Float32Array(size);
          backend.channelDots(g, masked, x, wantMean, s2, d2);
          const bp = backParams(s2, d2);
          backend.channelAffine(g, masked, bp.scale, bp.shift, bp.term === null ? null : { x, ...bp.term }, dx2);
          assert.deepEqual([s1, d1, dx1], [s2, d2, dx2], `normalizeChannelsBackward (${mask === null ? 'no mask' : 'relu mask'}, ${withTerm ? 'with' : 'without'} term) ${what}`);
        }
      }
    }
  });

  test(`conformance [${name}]: relu forward and backward, bit for bit, with signed zeros, infinities and NaN`, () => {
    const next = seeded(7);
    for (const size of [1, 7, 64, 1003]) {
      const x = randomArray(size, next).map((v) => v - 0.5);
      [-0, 0, Infinity, -Infinity, NaN, 3.4e38, -1e-45].forEach((v, i) => { if (i * 3 < size) x[i * 3] = v; });
      const y = new Float32Array(size).fill(7), want = Float32Array.from(x, (v) => (v > 0 || Number.isNaN(v) ? v : 0));
      backend.relu(x, y);
      assert.deepEqual(y, want, `relu size ${size}`);
      const dy = randomArray(size, next).map((v, i) => (i % 5 === 0 ? Infinity : v));
      const dx = new Float32Array(size).fill(7), wantDx = Float32Array.from(dy, (g, i) => (x[i]! > 0 ? g : 0));
      backend.reluBackward(dy, x, dx);
      assert.deepEqual(dx, wantDx, `reluBackward size ${size}`);
    }
  });

  test(`conformance [${name}]: batch norm's fused ReLU gradient is masked where its output is, at exact zeros and underflow`, () => {
    // Channel 0: x·1 − 0.5 is exactly 0 at x = 0.5 (masked) and tiny but positive next to it.
    // Channel 1: x·1e-30 is positive in float64 but rounds to 0 in float32 (masked, as the output is 0).
    // Channel 2: x·(−2) + 0.25 is exactly 0 at x = 0.125, and large inputs. Every other value is random.
    const g: ChannelGeometry = { batch: 2, channels: 3, spatial: 9 };
    const next = seeded(11);
    const x = randomArray(54, next).map((v) => v * 2 - 1);
    const special: [number, number[]][] = [[0, [0.5, 0.5000001, 0.4999999]], [1, [1e-20, -1e-20, 3e-16, 1e30]], [2, [0.125, 1e6, -1e6, 0]]];
    for (const [ch, values] of special) values.forEach((v, i) => { x[ch * 9 + i] = v; x[(3 + ch) * 9 + i + 4] = v; });
    const relu = { scale: Float64Array.from([1, 1e-30, -2]), shift: Float64Array.from([-0.5, 0, 0.25]) };
    const y = new Float32Array(54);
    backend.channelAffine(g, x, relu.scale, relu.shift, null, y, 'relu');
    const dy = randomArray(54, next).map((v) => v - 0.5);
    const center = Float64Array.from([0.1, -0.2, 0.3]);
    const params = (sums: Float64Array, dots: Float64Array) => ({ scale: dots.map((v) => v + 1), shift: sums, term: { center, coef: Float64Array.from([0.5, -1, 2]) } });
    const s1 = new Float64Array(3), d1 = new Float64Array(3), dx1 = new Float32Array(54).fill(NaN);
    backend.normalizeChannelsBackward(g, dy, x, relu, center, s1, d1, params, dx1);
    const masked = Float32Array.from(dy, (v, i) => (y[i]! > 0 ? v : 0));
    assert.ok(masked.some((v, i) => v === 0 && dy[i] !== 0 && Math.fround(x[i]! * 1e-30) === 0 && i % 27 >= 9 && i % 27 < 18), 'an underflowing channel-1 value is masked');
    const s2 = new Float64Array(3), d2 = new Float64Array(3), dx2 = new Float32Array(54);
    // The backend's own single kernels in sequence, masked by the forward output: the same bits.
    backend.channelDots(g, masked, x, center, s2, d2);
    const p = params(s2, d2);
    backend.channelAffine(g, masked, p.scale, p.shift, { x, center, coef: p.term.coef }, dx2);
    assert.deepEqual([s1, d1, dx1], [s2, d2, dx2]);
  });
}

for (const [name, backend] of backends) {
  test(`conformance [${name}]: a convolution and the batch norm after it in one call, the same bits as the calls in sequence`, () => {
    const next = seeded(8);
    // Batched geometries: LeNet-like, grouped and strided, pointwise, Winograd-sized, depthwise.
    const specs: ConvSpec[] = [
      { n: 2, c: 6, co: 16, h: 14, w: 14, kh: 5, kw: 5 }, { n: 2, c: 9, co: 6, g: 3, h: 7, w: 7, kh: 2, kw: 3, sh: 2, sw: 1, pt: 1, pl: 0, pr: 2 },
      { n: 2, c: 13, co: 7, h: 5, w: 6, kh: 1, kw: 1 }, { n: 2, c: 24, co: 26, h: 9, w: 11, kh: 3, kw: 3, pt: 1, pl: 1 },
      { n: 2, c: 5, co: 5, g: 5, h: 9, w: 10, kh: 3, kw: 3, pt: 1, pl: 1 },
    ];
    for (const spec of specs) {
      const g = convGeometry(spec);
      const what = JSON.stringify(spec);
      const x = randomArray(g.batch * g.inChannels * g.inHeight * g.inWidth, next);
      const w = randomArray(g.outChannels * (g.inChannels / g.groups) * g.kernelHeight * g.kernelWidth, next);
      const bias = randomArray(g.outChannels, next);
      const size = g.batch * g.outChannels * g.outHeight * g.outWidth, c = g.outChannels;
      const ng = { batch: g.batch, channels: c, spatial: g.outHeight * g.outWidth };
      const dy = randomArray(size, next);
      const statistics = (m: Float64Array, sq: Float64Array) => ({ scale: sq.map((v) => 1 / Math.sqrt(v / 10 + 1)), shift: m.map((v) => 0.1 - v) });
      const coefficients = (su: Float64Array, d: Float64Array) => ({ scale: d.map((v) => v / 100 + 1), shift: su.map((v) => v / 100), term: { center: su.map((v) => v / size), coef: d.map((v) => v / 1000) } });
      for (const [b, epilogue] of [[bias, 'relu'], [null, null]] as const) {
        const y1 = new Float32Array(size).fill(NaN), out1 = new Float32Array(size).fill(NaN), m1 = new Float64Array(c), q1 = new Float64Array(c);
        backend.conv2dNormalize({ g, x, w, bias: b, out: y1 }, { g: ng, mean: m1, squares: q1, params: statistics, out: out1, epilogue });
        const y2 = new Float32Array(size), out2 = new Float32Array(size), m2 = new Float64Array(c), q2 = new Float64Array(c);
        backend.conv2dForward(g, x, w, b, y2);
        backend.normalizeChannels(ng, y2, m2, q2, statistics, out2, epilogue);
        assert.deepEqual([y1, out1, m1, q1], [y2, out2, m2, q2], `conv2dNormalize ${what} (${epilogue ?? 'no'} epilogue)`);
        const relu = epilogue === null ? null : statistics(m2, q2);
        for (const wanted of [[true, true, true], [false, true, false]]) {
          const dx1 = wanted[0] ? new Float32Array(x.length).fill(NaN) : null, dw1 = wanted[1] ? new Float32Array(w.length).fill(NaN) : null;
          const db1 = wanted[2] ? new Float64Array(c).fill(NaN) : null, s1 = new Float64Array(c), d1 = new Float64Array(c);
          backend.normalizeConv2dBackward({ g: ng, dy, x: y2, relu, center: m2, sums: s1, dots: d1, params: coefficients }, { g, x, w, dx: dx1, dw: dw1, db: db1 });
          const between = new Float32Array(size), s2 = new Float64Array(c), d2 = new Float64Array(c);
          backend.normalizeChannelsBackward(ng, dy, y2, relu, m2, s2, d2, coefficients, between);
          const dx2 = new Float32Array(x.length), dw2 = new Float32Array(w.length), db2 = new Float64Array(c);
          backend.conv2dBackward(g, x, w, between, null, dx2, dw2, db2);
          const label = `normalizeConv2dBackward ${what} (${relu === null ? 'no' : 'relu'} mask, ${wanted.join('/')})`;
          assert.deepEqual([s1, d1], [s2, d2], label);
          if (dx1 !== null) assert.deepEqual(dx1, dx2, label);
          if (dw1 !== null) assert.deepEqual(dw1, dw2, label);
          if (db1 !== null) assert.deepEqual(db1, db2, label);
        }
      }
    }
  });
}

test('conformance [wasm]: a batch norm that does not match the convolution\'s output is refused, naming both', () => {
  const g = convGeometry(convSpecs[0]!);
  const size = g.batch * g.outChannels * g.outHeight * g.outWidth;
  const x = new Float32Array(g.batch * g.inChannels * g.inHeight * g.inWidth), w = new Float32Array(g.outChannels * g.inChannels * 9);
  const ng = { batch: g.batch, channels: g.outChannels + 1, spatial: g.outHeight * g.outWidth };
  const params = (m: Float64Array) => ({ scale: m, shift: m });
  assert.throws(() => wasm1.conv2dNormalize({ g, x, w, bias: null, out: new Float32Array(size) },
    { g: ng, mean: new Float64Array(ng.channels), squares: new Float64Array(ng.channels), params, out: new Float32Array(size) }),
  /conv2dNormalize: batch norm over \[2, 6, 63\] does not match the convolution's output \[2, 5, 63\]/);
});

test('conformance [wasm]: the kernels give the same bits on 1 and 2 threads', () => {
  const next = seeded(3);
  const g: MatmulGeometry = { batch: 2, m: 37, k: 301, n: 45, transA: false, transB: true, batchA: 1, batchB: 0 };
  const a = randomArray(2 * 37 * 301, next), b = randomArray(301 * 45, next);
  const out1 = new Float32Array(2 * 37 * 45), out2 = new Float32Array(2 * 37 * 45);
  wasm1.matmul(g, a, b, out1);
  wasm2.matmul(g, a, b, out2);
  assert.equal(wasm2.lastThreads(), 2);
  assert.deepEqual(out2, out1);
  const cg = convGeometry({ n: 3, c: 6, co: 10, h: 13, w: 11, kh: 3, kw: 3, pt: 1, pl: 1, sh: 2 });
  const x = randomArray(3 * 6 * 13 * 11, next), w = randomArray(10 * 6 * 9, next);
  const y1 = new Float32Array(3 * 10 * cg.outHeight * cg.outWidth), y2 = new Float32Array(y1.length);
  wasm1.conv2dForward(cg, x, w, null, y1);
  wasm2.conv2dForward(cg, x, w, null, y2);
  assert.equal(wasm2.lastThreads(), 2);
  assert.deepEqual(y2, y1);
  // Both gradients, on a stride-1 layer (the direct data gradient) and the strided one.
  for (const geometry of [cg, convGeometry({ n: 3, c: 5, co: 7, h: 12, w: 13, kh: 3, kw: 3, pt: 1, pl: 1 })]) {
    const xs = randomArray(geometry.batch * geometry.inChannels * geometry.inHeight * geometry.inWidth, next);
    const ws = randomArray(geometry.outChannels * geometry.inChannels * 9, next);
    const dy = randomArray(geometry.batch * geometry.outChannels * geometry.outHeight * geometry.outWidth, next);
    const dx1 = new Float32Array(xs.length), dx2 = new Float32Array(xs.length);
    wasm1.conv2dBackwardData(geometry, dy, ws, dx1);
    wasm2.conv2dBackwardData(geometry, dy, ws, dx2);
    assert.deepEqual(dx2, dx1);
    const dw1 = new Float32Array(ws.length), dw2 = new Float32Array(ws.length);
    wasm1.conv2dBackwardWeight(geometry, xs, dy, dw1);
    wasm2.conv2dBackwardWeight(geometry, xs, dy, dw2);
    assert.equal(wasm2.lastThreads(), 2);
    assert.deepEqual(dw2, dw1);
  }
});

// ---------------------------------------------------------------------------------------------
// PyTorch fixtures through the public ops (float32), under each backend selection.

type Run = (inputs: Tensor[], options: any) => Tensor;

const runners: Record<string, Run> = {
  conv1d: ([x, w, b], o: ConvOptions) => F.conv1d(x!, w!, b ?? null, o),
  conv2d: ([x, w, b], o: ConvOptions) => F.conv2d(x!, w!, b ?? null, o),
  convTranspose2d: ([x, w, b], o: ConvTransposeOptions) => F.convTranspose2d(x!, w!, b ?? null, o),
  maxPool1d: ([x], o: MaxPoolOptions) => F.maxPool1d(x!, o),
  maxPool2d: ([x], o: MaxPoolOptions) => F.maxPool2d(x!, o),
  avgPool1d: ([x], o: AvgPoolOptions) => F.avgPool1d(x!, o),
  avgPool2d: ([x], o: AvgPoolOptions) => F.avgPool2d(x!, o),
  linear: ([x, w, b]) => F.linear(x!, w!, b ?? null),
  matmul: ([a, b]) => a!.matmul(b!),
};

for (const backendName of ['reference', 'wasm']) {
  describe(`conformance [${backendName}]: PyTorch fixtures through the ops`, () => {
    const restoreName = `previous (conformance.test, ${backendName})`;
    before(() => {
      const previous = getBackend();
      registerBackend(restoreName, () => previous);
      setBackend(backendName);
      assert.equal(getBackend().name, backendName);
    });
    after(() => {
      setBackend(restoreName);
    });

    for (const [op, run] of Object.entries(runners)) {
      const cases = loadFixtureCases('functional.json', op);
      test(`conformance [${backendName}]: ${op} matches PyTorch on ${cases.length} fixture cases`, () => {
        assert.equal(getBackend().name, backendName);
        for (const c of cases) checkAgainstTorch(c, run);
      });
    }
  });
}
