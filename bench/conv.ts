// Convolution micro-benchmark for tuning the wasm kernels: forward, data gradient and weight gradient
// of typical CNN layers, on 1 and 2 threads, in ms and GFLOP/s (copies in and out included).
//
//   npm run build && node dist/bench/conv.js [threads…]
import type { Conv2dGeometry } from '../src/backend/backend.js';
import { createWasmBackend } from '../src/backend/wasm/create.js';

interface Layer { name: string; n: number; c: number; co: number; h: number; k: number; p: number; s?: number; depthwise?: boolean }

export const layers: Layer[] = [
  { name: 'lenet c1 5x5 1->6 28', n: 64, c: 1, co: 6, h: 28, k: 5, p: 2 },
  { name: '3x3 16->32 32', n: 32, c: 16, co: 32, h: 32, k: 3, p: 1 },
  { name: '3x3 64->64 16', n: 32, c: 64, co: 64, h: 16, k: 3, p: 1 },
  { name: '3x3 128->128 8', n: 32, c: 128, co: 128, h: 8, k: 3, p: 1 },
  { name: '1x1 64->128 16', n: 32, c: 64, co: 128, h: 16, k: 1, p: 0 },
  { name: '3x3 s2 32->64 32', n: 32, c: 32, co: 64, h: 32, k: 3, p: 1, s: 2 },
  { name: 'dw 3x3 64 32', n: 32, c: 64, co: 64, h: 32, k: 3, p: 1, depthwise: true },
];

function geometry(l: Layer): Conv2dGeometry {
  const s = l.s ?? 1;
  const out = Math.floor((l.h + 2 * l.p - l.k) / s) + 1;
  return {
    batch: l.n, inChannels: l.c, outChannels: l.co, groups: l.depthwise ? l.c : 1, inHeight: l.h, inWidth: l.h,
    outHeight: out, outWidth: out, kernelHeight: l.k, kernelWidth: l.k, strideH: s, strideW: s,
    padTop: l.p, padLeft: l.p, dilationH: 1, dilationW: 1,
  };
}

function bestMs(run: () => void): number {
  for (let i = 0; i < 3; i++) run();
  let best = Infinity;
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    run();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

const threadCounts = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [1, 2];
for (const threads of threadCounts) {
  const backend = createWasmBackend({ threads });
  if (backend === null) throw new Error('WebAssembly SIMD is unavailable');
  console.log(`wasm backend, ${threads} thread(s), ${backend.relaxedSimd ? 'relaxed' : 'base'} SIMD: ms (GFLOP/s) for forward | data grad | weight grad`);
  for (const l of layers) {
    const g = geometry(l);
    const cig = g.inChannels / g.groups;
    const x = new Float32Array(g.batch * g.inChannels * g.inHeight * g.inWidth).map((_, i) => Math.sin(i));
    const w = new Float32Array(g.outChannels * cig * g.kernelHeight * g.kernelWidth).map((_, i) => Math.cos(i));
    const y = new Float32Array(g.batch * g.outChannels * g.outHeight * g.outWidth);
    const dx = new Float32Array(x.length), dw = new Float32Array(w.length);
    const flops = 2 * y.length * cig * g.kernelHeight * g.kernelWidth;
    const times = [
      bestMs(() => backend.conv2dForward(g, x, w, null, y)),
      bestMs(() => backend.conv2dBackwardData(g, y, w, dx)),
      bestMs(() => backend.conv2dBackwardWeight(g, x, y, dw)),
    ];
    console.log(`  ${l.name.padEnd(22)} ${times.map((t) => `${t.toFixed(2).padStart(7)} (${(flops / t / 1e6).toFixed(1).padStart(5)})`).join(' | ')}`);
  }
}
