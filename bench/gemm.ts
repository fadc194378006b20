// GEMM micro-benchmark for tuning the wasm kernels: the multiply-add ceiling of 128-bit wasm SIMD
// (a register-only loop in the same module) and the GFLOP/s of a 1024³ product on 1 and 2 threads,
// copies in and out of wasm memory included.
//
//   npm run build && node dist/bench/gemm.js [size]
import { createWasmBackend } from '../src/backend/wasm/create.js';
import type { WasmBackend } from '../src/backend/wasm/wasmBackend.js';

function bestSeconds(run: () => void, repeats: number): number {
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    run();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return best;
}

function peakGflops(backend: WasmBackend): number {
  const iters = 20_000_000;
  backend.peakFma(1_000_000);
  return (iters * 96) / bestSeconds(() => backend.peakFma(iters), 3) / 1e9;
}

function gemmGflops(backend: WasmBackend, size: number): number {
  let seed = 1;
  const random = (n: number): Float32Array => Float32Array.from({ length: n }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5);
  const a = random(size * size), b = random(size * size), out = new Float32Array(size * size);
  const g = { batch: 1, m: size, k: size, n: size, transA: false, transB: false, batchA: 1 as const, batchB: 1 as const };
  for (let i = 0; i < 3; i++) backend.matmul(g, a, b, out); // tier up to optimised code, start workers
  return (2 * size ** 3) / bestSeconds(() => backend.matmul(g, a, b, out), 5) / 1e9;
}

const size = Number(process.argv[2] ?? 1024);
for (const relaxedSimd of [true, false]) {
  const one = createWasmBackend({ threads: 1, relaxedSimd });
  const two = createWasmBackend({ threads: 2, relaxedSimd });
  if (one === null || two === null) throw new Error('WebAssembly SIMD is unavailable');
  if (relaxedSimd && !one.relaxedSimd) console.log('relaxed SIMD unavailable here; base SIMD only');
  const label = one.relaxedSimd ? 'relaxed SIMD' : 'base SIMD   ';
  const peak = peakGflops(one);
  const g1 = gemmGflops(one, size);
  const g2 = gemmGflops(two, size);
  console.log(`${label}  ceiling ${peak.toFixed(1)} GFLOP/s/core | GEMM ${size}³: 1 thread ${g1.toFixed(1)} GFLOP/s (${((100 * g1) / peak).toFixed(0)}% of ceiling), 2 threads ${g2.toFixed(1)} GFLOP/s (${two.lastThreads()} used)`);
  if (!one.relaxedSimd) break;
}
