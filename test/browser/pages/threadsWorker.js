// Served from the repository root: imports the compiled library straight from dist/.
import { createWasmBackend } from '../../../dist/src/backend/wasm/create.js';
import { referenceBackend } from '../../../dist/src/backend/reference/index.js';

const g = { batch: 1, m: 67, k: 129, n: 71, transA: false, transB: true, batchA: 1, batchB: 1 };
const a = Float32Array.from({ length: g.m * g.k }, (_, i) => Math.sin(i));
const b = Float32Array.from({ length: g.n * g.k }, (_, i) => Math.cos(i));
const expected = new Float64Array(g.m * g.n);
referenceBackend.matmul(g, Float64Array.from(a), Float64Array.from(b), expected);

const backend = createWasmBackend({ threads: 2, parallelThreshold: 0, adaptiveThreads: false });
const threads = [];
let worst = 0;
// Workers start while this worker's event loop runs: the first calls may run single-threaded.
for (let attempt = 0; attempt < 50; attempt++) {
  const out = new Float32Array(g.m * g.n);
  backend.matmul(g, a, b, out);
  for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i] - expected[i]));
  threads.push(backend.lastThreads());
  if (backend.lastThreads() === 2) break;
  await new Promise((resolve) => setTimeout(resolve, 20));
}
postMessage({ crossOriginIsolated: self.crossOriginIsolated, threads, worst, relaxedSimd: backend.relaxedSimd });
