// waldo's conv2d forward against TensorFlow.js's wasm backend (XNNPACK, single-threaded in Node) on
// the benchmark shapes S1–S6, interleaved in one process (waldo, tfjs, waldo, tfjs, …) so that load
// from other jobs hits both alike; prints the median of each and the ratio tfjs ÷ waldo (> 1: waldo
// is faster). Then waldo's forward + both backward kernels on the shapes with a backward pass.
//
//   npm run build && node dist/bench/convVsTfjs.js [rounds] [threads] [S1,S2,…]
//
// With WALDO_BENCH_ALT=gemm (direct, direct-by-channel, direct-by-channel-16, channel-lanes) a third contender, waldo forced onto im2col + GEMM (or the
// direct kernels wherever they apply), runs in the same rounds.
//
// waldo calls go straight to the backend (createWasmBackend, copies in and out included); tfjs gets
// NHWC tensors made once outside the timing and is timed through dataSync(), as in peers/tfjs.ts.
import type { Conv2dGeometry } from '../src/backend/backend.js';
import { createWasmBackend } from '../src/backend/wasm/create.js';
import type { WasmBackend } from '../src/backend/wasm/wasmBackend.js';
import { type ConvShape, convData, convShapes, nchwToNhwc, nhwcToNchw, oihwToHwio, outSize } from './shapes.js';
import { maxAbsDiff, median } from './timing.js';

type Tf = typeof import('@tensorflow/tfjs');

const rounds = Number(process.argv[2] ?? 31);
const threads = Number(process.argv[3] ?? 1);
const only = process.argv[4]?.split(',');

function geometry(s: ConvShape): Conv2dGeometry {
  const { oh, ow } = outSize(s);
  return {
    batch: s.n, inChannels: s.c, outChannels: s.co, groups: s.groups, inHeight: s.h, inWidth: s.w,
    outHeight: oh, outWidth: ow, kernelHeight: s.k, kernelWidth: s.k, strideH: s.stride, strideW: s.stride,
    padTop: s.pad, padLeft: s.pad, dilationH: 1, dilationW: 1,
  };
}

function timeOnce(run: () => void): number {
  const t0 = performance.now();
  run();
  return performance.now() - t0;
}

/** Interleaves the contenders for `rounds` rounds (after two warm-up rounds); medians in ms. */
function interleave(runs: (() => void)[], n: number): number[] {
  for (let w = 0; w < 2; w++) for (const r of runs) r();
  const samples = runs.map(() => [] as number[]);
  for (let i = 0; i < n; i++) runs.forEach((r, j) => samples[j]!.push(timeOnce(r)));
  lastMins = samples.map((a) => Math.min(...a));
  return samples.map(median);
}

/** The fastest sample of each contender in the last interleave() (less sensitive to load from other jobs). */
let lastMins: number[] = [];

async function loadTfjs(): Promise<Tf> {
  const info = console.log, warn = console.warn;
  console.log = () => {};
  console.warn = () => {};
  try {
    const tf: Tf = await import('@tensorflow/tfjs');
    await import('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") failed');
    tf.enableProdMode();
    return tf;
  } finally {
    console.log = info;
    console.warn = warn;
  }
}

function backend(options: Parameters<typeof createWasmBackend>[0]): WasmBackend {
  const b = createWasmBackend(options);
  if (b === null) throw new Error('WebAssembly SIMD is unavailable');
  return b;
}

const tf = await loadTfjs();
const waldo = backend({ threads, parallelThreshold: threads > 1 ? 0 : undefined });
const alt = process.env.WALDO_BENCH_ALT;
const alts = ['gemm', 'direct', 'direct-by-channel', 'direct-by-channel-16', 'channel-lanes'] as const;
if (alt !== undefined && !(alts as readonly string[]).includes(alt)) throw new Error(`WALDO_BENCH_ALT must be one of ${alts.join(', ')}, got '${alt}'`);
const gemm = alt === undefined ? null : backend({ threads, parallelThreshold: threads > 1 ? 0 : undefined, convAlgorithm: alt as (typeof alts)[number] });
console.log(`conv2d forward, waldo (${threads} thread${threads > 1 ? 's' : ''}, ${waldo.relaxedSimd ? 'relaxed' : 'base'} SIMD) vs tfjs ${tf.version.tfjs} wasm, ${rounds} interleaved rounds, median ms`);
console.log(`${'shape'.padEnd(28)} ${'waldo'.padStart(8)} ${'tfjs'.padStart(8)} ${'tfjs/waldo'.padStart(10)} ${'(of mins)'.padStart(9)}  max|diff|${gemm ? `   ${`waldo-${alt}`.padStart(12)} ${`${alt}/waldo`.padStart(11)}` : ''}`);
for (const s of convShapes) {
  if (only !== undefined && !only.includes(s.id)) continue;
  const g = geometry(s);
  const d = convData(s);
  const { oh, ow } = outSize(s);
  const y = new Float32Array(s.n * s.co * oh * ow);
  const runWaldo = () => waldo.conv2dForward(g, d.x, d.w, d.b, y);
  const dw = s.groups > 1;
  const x = tf.tensor4d(nchwToNhwc(d.x, s.n, s.c, s.h, s.w), [s.n, s.h, s.w, s.c]);
  const w = tf.tensor4d(oihwToHwio(d.w, s.co, s.c / s.groups, s.k, s.k), dw ? [s.k, s.k, s.c, 1] : [s.k, s.k, s.c, s.co]);
  const b = tf.tensor1d(d.b);
  let ty!: Float32Array;
  const runTf = () => {
    const t = dw
      ? tf.fused.depthwiseConv2d({ x, filter: w, bias: b, strides: s.stride, pad: s.pad })
      : tf.fused.conv2d({ x, filter: w, bias: b, strides: s.stride, pad: s.pad });
    ty = t.dataSync() as Float32Array;
    t.dispose();
  };
  const yg = new Float32Array(y.length);
  const runs = [runWaldo, runTf];
  if (gemm !== null) runs.push(() => gemm.conv2dForward(g, d.x, d.w, d.b, yg));
  const [mw, mt, mg] = interleave(runs, rounds);
  const diff = maxAbsDiff(nhwcToNchw(ty, s.n, s.co, oh, ow), y);
  const extra = mg === undefined ? '' : ` ${mg.toFixed(3).padStart(12)} ${(mg / mw!).toFixed(2).padStart(11)}`;
  console.log(`${`${s.id} ${s.label}`.padEnd(28)} ${mw!.toFixed(3).padStart(8)} ${mt!.toFixed(3).padStart(8)} ${(mt! / mw!).toFixed(2).padStart(10)} ${(lastMins[1]! / lastMins[0]!).toFixed(2).padStart(9)}  ${diff.toExponential(1)}${extra}`);
  tf.dispose([x, w, b]);
}

console.log(`\nwaldo forward + data gradient + weight gradient (${threads} thread${threads > 1 ? 's' : ''}), median ms of each kernel`);
console.log(`${'shape'.padEnd(28)} ${'fwd'.padStart(8)} ${'bwdData'.padStart(8)} ${'bwdWeight'.padStart(9)} ${'total'.padStart(8)}`);
for (const s of convShapes) {
  if (!s.backward || (only !== undefined && !only.includes(s.id))) continue;
  const g = geometry(s);
  const d = convData(s);
  const y = new Float32Array(d.dy.length), dx = new Float32Array(d.x.length), dwt = new Float32Array(d.w.length);
  const n = s.id === 'S3' ? Math.min(rounds, 9) : rounds;
  const kernels = (b: WasmBackend) => [
    () => b.conv2dForward(g, d.x, d.w, d.b, y),
    () => b.conv2dBackwardData(g, d.dy, d.w, dx),
    () => b.conv2dBackwardWeight(g, d.x, d.dy, dwt),
  ];
  const m = interleave(gemm === null ? kernels(waldo) : [...kernels(waldo), ...kernels(gemm)], n);
  const line = (label: string, [f, bd, bw]: number[]) =>
    console.log(`${label.padEnd(28)} ${f!.toFixed(3).padStart(8)} ${bd!.toFixed(3).padStart(8)} ${bw!.toFixed(3).padStart(9)} ${(f! + bd! + bw!).toFixed(3).padStart(8)}`);
  line(`${s.id} ${s.label}`, m.slice(0, 3));
  if (gemm !== null) line(`   (forced ${alt})`, m.slice(3));
}
