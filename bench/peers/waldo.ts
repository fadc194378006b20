// waldo itself, through the public API (F.conv2d, autograd, models.lenet5, optim) on the default
// wasm backend with setNumThreads(n), and the backend's GEMM kernel next to its FMA ceiling.
import { functional as F, Generator, getBackend, models, noGrad, optim, setNumThreads, tensor, type Tensor } from '../../src/index.js';
import { createWasmBackend } from '../../src/backend/wasm/create.js';
import type { WasmBackend } from '../../src/backend/wasm/wasmBackend.js';
import { type ConvData, type ConvShape, outSize } from '../shapes.js';
import { randomFloats, type Runner, type Timing, timeInterleaved, timeSync } from '../timing.js';

export function relaxedSimd(): boolean {
  return (getBackend() as Partial<WasmBackend>).relaxedSimd === true;
}

export function convForward(s: ConvShape, d: ConvData, threads: number): Runner<Float32Array> {
  const x = tensor(d.x, [s.n, s.c, s.h, s.w]);
  const w = tensor(d.w, [s.co, s.c / s.groups, s.k, s.k]);
  const b = tensor(d.b, [s.co]);
  const opts = { stride: s.stride, padding: s.pad, groups: s.groups };
  let y: Tensor | null = null;
  return {
    run: () => { setNumThreads(threads); y = F.conv2d(x, w, b, opts); },
    result: () => y!.data as Float32Array,
  };
}

export function convBackward(s: ConvShape, d: ConvData, threads: number): Runner<{ dx: Float32Array; dw: Float32Array }> {
  const { oh, ow } = outSize(s);
  const x = tensor(d.x, [s.n, s.c, s.h, s.w], { requiresGrad: true });
  const w = tensor(d.w, [s.co, s.c / s.groups, s.k, s.k], { requiresGrad: true });
  const b = tensor(d.b, [s.co]);
  const dy = tensor(d.dy, [s.n, s.co, oh, ow]);
  const opts = { stride: s.stride, padding: s.pad, groups: s.groups };
  return {
    run: () => {
      setNumThreads(threads);
      x.grad = null;
      w.grad = null;
      F.conv2d(x, w, b, opts).backward(dy);
    },
    result: () => ({ dx: x.grad!.data as Float32Array, dw: w.grad!.data as Float32Array }),
  };
}

export function lenetBatch(batch: number, seed: number): { x: Float32Array; y: Int32Array } {
  const x = randomFloats(batch * 784, seed);
  const y = Int32Array.from({ length: batch }, (_, i) => (i * 7 + seed) % 10);
  return { x, y };
}

/**
 * Median times of one SGD step (forward, cross-entropy, backward, update) at batch 64, for each
 * thread count: one model per count, their steps taken in turn so both see the same machine load.
 */
export function lenetTrain(threadCounts: number[], batch = 64): Timing[] {
  const data = lenetBatch(batch, 3);
  const x = tensor(data.x, [batch, 1, 28, 28]);
  const y = tensor(data.y, [batch]);
  const steps = threadCounts.map((threads) => {
    const model = models.lenet5({ generator: new Generator(1) });
    model.train();
    const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
    return () => {
      setNumThreads(threads);
      opt.zeroGrad();
      const loss = F.crossEntropy(model.call(x), y);
      loss.backward();
      opt.step();
    };
  });
  // 50 warm-up steps each: the first 2-thread steps of a process were often no faster than 1-thread ones.
  return timeInterleaved(steps, { minRuns: 10, minMs: 1000, warmup: 50 });
}

export function lenetModel(): ReturnType<typeof models.lenet5> {
  return models.lenet5({ generator: new Generator(7) }).eval();
}

export function lenetInfer(model: ReturnType<typeof models.lenet5>, threads: number, input: Float32Array, batch: number): Runner<Float32Array> {
  const x = tensor(input, [batch, 1, 28, 28]);
  let out: Tensor | null = null;
  return {
    run: () => { setNumThreads(threads); out = noGrad(() => model.call(x)); },
    result: () => out!.data as Float32Array,
  };
}

export function gemmGflops(threads: number, size: number): number {
  const backend = createWasmBackend({ threads });
  if (backend === null) throw new Error('WebAssembly SIMD is unavailable');
  const a = randomFloats(size * size, 11), b = randomFloats(size * size, 12), out = new Float32Array(size * size);
  const g = { batch: 1, m: size, k: size, n: size, transA: false, transB: false, batchA: 1 as const, batchB: 1 as const };
  const t = timeSync(() => backend.matmul(g, a, b, out), { warmup: 2 });
  return (2 * size ** 3) / t.medianMs / 1e6;
}

/** The multiply-add ceiling of 128-bit wasm SIMD on one core (a register-only loop, 96 flops per iteration). */
export function peakGflops(): number {
  const backend = createWasmBackend({ threads: 1 });
  if (backend === null) throw new Error('WebAssembly SIMD is unavailable');
  const iters = 20_000_000;
  const t = timeSync(() => backend.peakFma(iters), { minRuns: 3, minMs: 0 });
  return (iters * 96) / t.medianMs / 1e6;
}
