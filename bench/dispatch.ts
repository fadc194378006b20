// The cost of handing a job to the worker threads: a tiny matrix product (8 × 8 × 8), forced onto
// two threads, after the calling thread has been busy for a while (the gap), against the same call
// on one thread. The difference is what waking and joining a worker costs: small while workers
// still poll for jobs (WORKER_SPIN_MS), a futex wake-up once they have gone to sleep.
//
//   npm run build && node dist/bench/dispatch.js
import { createWasmBackend } from '../src/backend/wasm/create.js';
import type { MatmulGeometry } from '../src/backend/backend.js';

const CALLS = 200;
const gapsMs = [0, 0.2, 1, 5];

const one = createWasmBackend({ threads: 1 });
const two = createWasmBackend({ threads: 2, parallelThreshold: 0 });
if (one === null || two === null) throw new Error('WebAssembly SIMD with shared memory is unavailable here');

const g: MatmulGeometry = { batch: 1, m: 8, k: 8, n: 8, transA: false, transB: false, batchA: 1, batchB: 1 };
const a = new Float32Array(64).fill(1), out = new Float32Array(64);

function busy(ms: number): void {
  const start = performance.now();
  while (performance.now() - start < ms) { /* the caller's own work between kernel calls */ }
}

function percentiles(samples: number[]): { median: number; p90: number } {
  const s = [...samples].sort((x, y) => x - y);
  return { median: s[s.length >> 1]!, p90: s[Math.floor(s.length * 0.9)]! };
}

console.log(`job dispatch, ${CALLS} calls per row, µs per call (8 × 8 × 8 matmul)`);
console.log(`${'gap before call'.padEnd(16)} ${'1 thread'.padStart(10)} ${'2 threads'.padStart(10)} ${'2 thr p90'.padStart(10)}`);
for (const gap of gapsMs) {
  const results = [one, two].map((backend) => {
    const times: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      busy(gap);
      const start = performance.now();
      backend.matmul(g, a, a, out);
      times.push((performance.now() - start) * 1000);
    }
    return percentiles(times);
  });
  if (two.lastThreads() !== 2) throw new Error('the two-thread backend did not split the job');
  const [r1, r2] = results as [ReturnType<typeof percentiles>, ReturnType<typeof percentiles>];
  console.log(`${`${gap} ms`.padEnd(16)} ${r1.median.toFixed(1).padStart(10)} ${r2.median.toFixed(1).padStart(10)} ${r2.p90.toFixed(1).padStart(10)}`);
}
