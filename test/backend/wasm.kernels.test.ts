// The wasm kernels against naive float64 loops on random shapes, including sizes that do not divide
// the GEMM blocks (MR 4, NR 8, KC 256, MC 128, NC 1024), with groups, stride, dilation and padding;
// on 1 thread and on 2 threads with splitting forced even for small shapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Conv2dGeometry, MatmulGeometry, Pool2dGeometry } from '../../src/backend/backend.js';
import { createWasmBackend } from '../../src/backend/wasm/create.js';
import type { WasmBackend } from '../../src/backend/wasm/wasmBackend.js';


interface Expected {
  value: Float64Array;
  scale: Float64Array;
}

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

function naiveMatmul(g: MatmulGeometry, a: Float32Array, b: Float32Array): Expected {
  const { batch, m, k, n } = g;
  const value = new Float64Array(batch * m * n), scale = new Float64Array(batch * m * n);
  for (let e = 0; e < batch; e++) {
    const ao = g.batchA ? e * m * k : 0, bo = g.batchB ? e * k * n : 0;
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      let s = 0, t = 0;
      for (let p = 0; p < k; p++) {
        const av = a[ao + (g.transA ? p * m + i : i * k + p)]!;
        const bv = b[bo + (g.transB ? j * k + p : p * n + j)]!;
        s += av * bv; t += Math.abs(av * bv);
      }
      value[(e * m + i) * n + j] = s; scale[(e * m + i) * n + j] = t;
    }
  }
  return { value, scale };
}

/** Calls f(n, o, c, i, j, a, b, iy, ix) for every in-bounds tap of the convolution. */
function forEachTap(g: Conv2dGeometry, f: (n: number, o: number, c: number, i: number, j: number, a: number, b: number, iy: number, ix: number) => void): void {
  const cig = g.inChannels / g.groups, cog = g.outChannels / g.groups;
  for (let n = 0; n < g.batch; n++) for (let o = 0; o < g.outChannels; o++) {
    const grp = Math.floor(o / cog);
    for (let i = 0; i < g.outHeight; i++) for (let j = 0; j < g.outWidth; j++) {
      for (let cc = 0; cc < cig; cc++) for (let a = 0; a < g.kernelHeight; a++) for (let b = 0; b < g.kernelWidth; b++) {
        const iy = i * g.strideH - g.padTop + a * g.dilationH, ix = j * g.strideW - g.padLeft + b * g.dilationW;
        if (iy < 0 || iy >= g.inHeight || ix < 0 || ix >= g.inWidth) continue;
        f(n, o, grp * cig + cc, i, j, a, b, iy, ix);
      }
    }
  }
}

function naiveConvForward(g: Conv2dGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null): Expected {
  const cig = g.inChannels / g.groups, kh = g.kernelHeight, kw = g.kernelWidth;
  const size = g.batch * g.outChannels * g.outHeight * g.outWidth;
  const value = new Float64Array(size), scale = new Float64Array(size);
  for (let idx = 0; idx < size; idx++) {
    const o = Math.floor(idx / (g.outHeight * g.outWidth)) % g.outChannels;
    value[idx] = bias === null ? 0 : bias[o]!;
    scale[idx] = Math.abs(value[idx]!);
  }
  forEachTap(g, (n, o, c, i, j, a, b, iy, ix) => {
    const out = ((n * g.outChannels + o) * g.outHeight + i) * g.outWidth + j;
    const t = w[((o * cig + (c % cig)) * kh + a) * kw + b]! * x[((n * g.inChannels + c) * g.inHeight + iy) * g.inWidth + ix]!;
    value[out]! += t; scale[out]! += Math.abs(t);
  });
  return { value, scale };
}

function naiveConvBackwardData(g: Conv2dGeometry, dy: Float32Array, w: Float32Array): Expected {
  const cig = g.inChannels / g.groups, kh = g.kernelHeight, kw = g.kernelWidth;
  const size = g.batch * g.inChannels * g.inHeight * g.inWidth;
  const value = new Float64Array(size), scale = new Float64Array(size);
  forEachTap(g, (n, o, c, i, j, a, b, iy, ix) => {
    const at = ((n * g.inChannels + c) * g.inHeight + iy) * g.inWidth + ix;
    const t = w[((o * cig + (c % cig)) * kh + a) * kw + b]! * dy[((n * g.outChannels + o) * g.outHeight + i) * g.outWidth + j]!;
    value[at]! += t; scale[at]! += Math.abs(t);
  });
  return { value, scale };
}

function naiveConvBackwardWeight(g: Conv2dGeometry, x: Float32Array, dy: Float32Array): Expected {
  const cig = g.inChannels / g.groups, kh = g.kernelHeight, kw = g.kernelWidth;
  const size = g.outChannels * cig * kh * kw;
  const value = new Float64Array(size), scale = new Float64Array(size);
  forEachTap(g, (n, o, c, i, j, a, b, iy, ix) => {
    const at = ((o * cig + (c % cig)) * kh + a) * kw + b;
    const t = x[((n * g.inChannels + c) * g.inHeight + iy) * g.inWidth + ix]! * dy[((n * g.outChannels + o) * g.outHeight + i) * g.outWidth + j]!;
    value[at]! += t; scale[at]! += Math.abs(t);
  });
  return { value, scale };
}

/** Max pooling as PyTorch's CPU kernel: padding is −∞, the first maximum wins, then any later NaN; argmax indexes the H·W plane. */
function naiveMaxPool(g: Pool2dGeometry, x: Float32Array): { out: Float32Array; argmax: Int32Array } {
  const planes = g.batch * g.channels, hw = g.inHeight * g.inWidth, ohw = g.outHeight * g.outWidth;
  const out = new Float32Array(planes * ohw), argmax = new Int32Array(planes * ohw);
  for (let p = 0; p < planes; p++) for (let i = 0; i < g.outHeight; i++) for (let j = 0; j < g.outWidth; j++) {
    let best = -Infinity, at = -1;
    for (let a = 0; a < g.kernelHeight; a++) for (let b = 0; b < g.kernelWidth; b++) {
      const iy = i * g.strideH - g.padTop + a * g.dilationH, ix = j * g.strideW - g.padLeft + b * g.dilationW;
      if (iy < 0 || iy >= g.inHeight || ix < 0 || ix >= g.inWidth) continue;
      const v = x[p * hw + iy * g.inWidth + ix]!;
      if (at < 0) at = iy * g.inWidth + ix;
      if (v > best || Number.isNaN(v)) { best = v; at = iy * g.inWidth + ix; }
    }
    out[p * ohw + i * g.outWidth + j] = best;
    argmax[p * ohw + i * g.outWidth + j] = at;
  }
  return { out, argmax };
}

/** Average pooling as PyTorch's avg_pool2d (symmetric padding: the bottom/right padding equals the top/left). */
function avgDivisor(g: Pool2dGeometry, countIncludePad: boolean, i: number, j: number): number {
  let h0 = i * g.strideH - g.padTop, w0 = j * g.strideW - g.padLeft;
  let h1 = Math.min(h0 + g.kernelHeight, g.inHeight + g.padTop), w1 = Math.min(w0 + g.kernelWidth, g.inWidth + g.padLeft);
  const poolSize = (h1 - h0) * (w1 - w0);
  h0 = Math.max(h0, 0); w0 = Math.max(w0, 0); h1 = Math.min(h1, g.inHeight); w1 = Math.min(w1, g.inWidth);
  return countIncludePad ? poolSize : (h1 - h0) * (w1 - w0);
}

function naiveAvgPool(g: Pool2dGeometry, countIncludePad: boolean, x: Float32Array): Float32Array {
  const planes = g.batch * g.channels, hw = g.inHeight * g.inWidth, ohw = g.outHeight * g.outWidth;
  const out = new Float32Array(planes * ohw);
  for (let p = 0; p < planes; p++) for (let i = 0; i < g.outHeight; i++) for (let j = 0; j < g.outWidth; j++) {
    const h0 = i * g.strideH - g.padTop, w0 = j * g.strideW - g.padLeft;
    let s = 0;
    for (let iy = Math.max(h0, 0); iy < Math.min(h0 + g.kernelHeight, g.inHeight); iy++) {
      for (let ix = Math.max(w0, 0); ix < Math.min(w0 + g.kernelWidth, g.inWidth); ix++) s += x[p * hw + iy * g.inWidth + ix]!;
    }
    out[p * ohw + i * g.outWidth + j] = s / avgDivisor(g, countIncludePad, i, j);
  }
  return out;
}

function naiveAvgPoolBackward(g: Pool2dGeometry, countIncludePad: boolean, dy: Float32Array): Float64Array {
  const planes = g.batch * g.channels, hw = g.inHeight * g.inWidth, ohw = g.outHeight * g.outWidth;
  const dx = new Float64Array(planes * hw);
  for (let p = 0; p < planes; p++) for (let i = 0; i < g.outHeight; i++) for (let j = 0; j < g.outWidth; j++) {
    const h0 = i * g.strideH - g.padTop, w0 = j * g.strideW - g.padLeft;
    const share = dy[p * ohw + i * g.outWidth + j]! / avgDivisor(g, countIncludePad, i, j);
    for (let iy = Math.max(h0, 0); iy < Math.min(h0 + g.kernelHeight, g.inHeight); iy++) {
      for (let ix = Math.max(w0, 0); ix < Math.min(w0 + g.kernelWidth, g.inWidth); ix++) dx[p * hw + iy * g.inWidth + ix]! += share;
    }
  }
  return dx;
}

// ---------------------------------------------------------------------------------------------

function assertClose(actual: Float32Array, expected: Expected, what: string): void {
  assert.equal(actual.length, expected.value.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const tol = 1e-6 + 2e-5 * expected.scale[i]!;
    const err = Math.abs(actual[i]! - expected.value[i]!);
    if (!(err <= tol)) assert.fail(`${what}: element ${i} is ${actual[i]} but should be ${expected.value[i]} (±${tol.toExponential(1)})`);
  }
}

function exact(value: Float64Array | Float32Array): Expected {
  const v = Float64Array.from(value);
  return { value: v, scale: v.map(Math.abs) };
}

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
const maxPoolSpecs: PoolSpec[] = [...poolSpecs, { n: 1, c: 3, h: 12, w: 11, k: 3, s: 2, p: 1, d: 2 }, { n: 1, c: 2, h: 9, w: 9, k: 2, s: 1, p: 1, d: 3, ceil: true }];

const matmulShapes: [number, number, number, number][] = [
  [1, 1, 1, 1], [1, 3, 5, 7], [1, 13, 17, 19], [1, 7, 300, 9], [1, 130, 20, 37], [1, 5, 3, 1030], [3, 33, 260, 65], [2, 4, 0, 5],
];

function backends(): [string, WasmBackend][] {
  const list: [string, WasmBackend | null][] = [
    ['1 thread', createWasmBackend({ threads: 1 })],
    ['2 threads', createWasmBackend({ threads: 2, parallelThreshold: 0 })],
    ['2 threads, base SIMD', createWasmBackend({ threads: 2, parallelThreshold: 0, relaxedSimd: false })],
  ];
  return list.map(([name, b]) => {
    assert.ok(b !== null, 'WebAssembly SIMD is available in Node 20');
    return [name, b];
  });
}

const all = backends();

for (const [name, backend] of all) {
  test(`wasm matmul matches naive loops (${name})`, () => {
    const next = seeded(1);
    for (const [batch, m, k, n] of matmulShapes) {
      for (const transA of [false, true]) for (const transB of [false, true]) {
        for (const [batchA, batchB] of [[1, 1], [0, 1], [1, 0]] as const) {
          const g: MatmulGeometry = { batch, m, k, n, transA, transB, batchA, batchB };
          const a = randomArray((batchA ? batch : 1) * m * k, next), b = randomArray((batchB ? batch : 1) * k * n, next);
          const out = new Float32Array(batch * m * n).fill(NaN);
          backend.matmul(g, a, b, out);
          assertClose(out, naiveMatmul(g, a, b), `matmul ${JSON.stringify(g)}`);
        }
      }
    }
  });

  test(`wasm conv2d forward and backward match naive loops (${name})`, () => {
    const next = seeded(2);
    for (const spec of convSpecs) {
      const g = convGeometry(spec);
      const cig = g.inChannels / g.groups;
      const x = randomArray(g.batch * g.inChannels * g.inHeight * g.inWidth, next);
      const w = randomArray(g.outChannels * cig * g.kernelHeight * g.kernelWidth, next);
      const bias = randomArray(g.outChannels, next);
      const dy = randomArray(g.batch * g.outChannels * g.outHeight * g.outWidth, next);
      const what = JSON.stringify(spec);
      for (const withBias of [true, false]) {
        const out = new Float32Array(dy.length).fill(NaN);
        backend.conv2dForward(g, x, w, withBias ? bias : null, out);
        assertClose(out, naiveConvForward(g, x, w, withBias ? bias : null), `conv2dForward ${what} bias ${withBias}`);
      }
      const dx = new Float32Array(x.length).fill(NaN);
      backend.conv2dBackwardData(g, dy, w, dx);
      assertClose(dx, naiveConvBackwardData(g, dy, w), `conv2dBackwardData ${what}`);
      const dw = new Float32Array(w.length).fill(NaN);
      backend.conv2dBackwardWeight(g, x, dy, dw);
      assertClose(dw, naiveConvBackwardWeight(g, x, dy), `conv2dBackwardWeight ${what}`);
    }
  });
}

for (const [name, backend] of all) {
  test(`wasm max pooling matches naive loops, ties, NaN and argmax included (${name})`, () => {
    const next = seeded(4);
    for (const spec of maxPoolSpecs) {
      const g = poolGeometry(spec);
      // Coarse values make ties common: the first maximum must win.
      const x = randomArray(g.batch * g.channels * g.inHeight * g.inWidth, next).map((v) => Math.round(v * 3));
      if (x.length > 7) x[7] = NaN;
      const expected = naiveMaxPool(g, x);
      const out = new Float32Array(expected.out.length).fill(-7), argmax = new Int32Array(expected.out.length).fill(-7);
      backend.maxPool2dForward(g, x, out, argmax);
      assert.deepEqual(out, expected.out, `maxPool2dForward ${JSON.stringify(spec)}`);
      assert.deepEqual(argmax, expected.argmax, `maxPool2dForward argmax ${JSON.stringify(spec)}`);
      const dy = randomArray(out.length, next);
      const dx = new Float32Array(x.length).fill(NaN);
      backend.maxPool2dBackward(g, dy, argmax, dx);
      const want = new Float64Array(x.length);
      const hw = g.inHeight * g.inWidth, ohw = g.outHeight * g.outWidth;
      for (let q = 0; q < dy.length; q++) want[Math.floor(q / ohw) * hw + argmax[q]!]! += dy[q]!;
      assertClose(dx, exact(want), `maxPool2dBackward ${JSON.stringify(spec)}`);
    }
  });

  test(`wasm average pooling matches PyTorch's divisor rules (${name})`, () => {
    const next = seeded(5);
    for (const spec of poolSpecs) for (const countIncludePad of [true, false]) {
      const g = poolGeometry(spec);
      const what = `${JSON.stringify(spec)} countIncludePad ${countIncludePad}`;
      const x = randomArray(g.batch * g.channels * g.inHeight * g.inWidth, next);
      const out = new Float32Array(g.batch * g.channels * g.outHeight * g.outWidth).fill(NaN);
      backend.avgPool2dForward(g, countIncludePad, x, out);
      assertClose(out, exact(naiveAvgPool(g, countIncludePad, x)), `avgPool2dForward ${what}`);
      const dy = randomArray(out.length, next);
      const dx = new Float32Array(x.length).fill(NaN);
      backend.avgPool2dBackward(g, countIncludePad, dy, dx);
      assertClose(dx, exact(naiveAvgPoolBackward(g, countIncludePad, dy)), `avgPool2dBackward ${what}`);
    }
  });
}

test('wasm kernels give the same bits on 1 and 2 threads', () => {
  const [[, one], [, two]] = all as [[string, WasmBackend], [string, WasmBackend]];
  const next = seeded(3);
  const g: MatmulGeometry = { batch: 2, m: 37, k: 301, n: 45, transA: false, transB: true, batchA: 1, batchB: 0 };
  const a = randomArray(2 * 37 * 301, next), b = randomArray(301 * 45, next);
  const out1 = new Float32Array(2 * 37 * 45), out2 = new Float32Array(2 * 37 * 45);
  one.matmul(g, a, b, out1);
  two.matmul(g, a, b, out2);
  assert.equal(two.lastThreads(), 2);
  assert.deepEqual(out2, out1);
  const cg = convGeometry({ n: 3, c: 6, co: 10, h: 13, w: 11, kh: 3, kw: 3, pt: 1, pl: 1, sh: 2 });
  const x = randomArray(3 * 6 * 13 * 11, next), w = randomArray(10 * 6 * 9, next);
  const y1 = new Float32Array(3 * 10 * cg.outHeight * cg.outWidth), y2 = new Float32Array(y1.length);
  one.conv2dForward(cg, x, w, null, y1);
  two.conv2dForward(cg, x, w, null, y2);
  assert.equal(two.lastThreads(), 2);
  assert.deepEqual(y2, y1);
});
