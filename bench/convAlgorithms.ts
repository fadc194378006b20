// The wasm backend's convolution algorithms against each other on 3 × 3, stride-1 layers: each pass
// (forward, data gradient, weight gradient) with every algorithm forced, backend calls on reused
// arrays, the algorithms taking turns in blocks of 40 ms. Prints median ms and, for Winograd, its
// speed-up over the fastest of the others: the figures behind the automatic choice in
// assembly/conv.ts (winogradChosen).
//
//   npm run build && node dist/bench/convAlgorithms.js [THREADS] [LAYER,...]
import { createWasmBackend } from '../src/backend/wasm/create.js';
import type { Conv2dGeometry } from '../src/backend/backend.js';
import { randomFloats } from './timing.js';

type Algorithm = 'gemm' | 'direct' | 'channel-lanes' | 'winograd';
type Pass = 'forward' | 'data gradient' | 'weight gradient';

/** [batch, channels in, channels out, size]: S3, small-cnn's layers, 16 channels, a wide late layer. */
const layers: Record<string, [number, number, number, number]> = {
  S3: [32, 64, 64, 32],
  '32→32 28²': [64, 32, 32, 28],
  '32→64 14²': [64, 32, 64, 14],
  '64→64 14²': [64, 64, 64, 14],
  '16→16 28²': [64, 16, 16, 28],
  '8→8 28²': [64, 8, 8, 28],
  '256→256 14²': [8, 256, 256, 14],
};

const threads = Number(process.argv[2] ?? 1);
const picked = process.argv[3]?.split(',') ?? Object.keys(layers);
const BLOCK_MS = 40, ROUNDS = 12;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

const algorithms: Algorithm[] = ['gemm', 'direct', 'channel-lanes', 'winograd'];
const backends = algorithms.map((convAlgorithm) => {
  const b = createWasmBackend({ threads, convAlgorithm });
  if (b === null) throw new Error('WebAssembly SIMD with shared memory is unavailable here');
  return b;
});

console.log(`3 × 3 stride-1 convolutions, ${threads} thread(s): median ms per call (Winograd ÷ best other = speed-up)`);
console.log(`${'layer'.padEnd(14)}${'pass'.padEnd(17)}${algorithms.map((a) => a.padStart(15)).join('')}   winograd speed-up`);
for (const name of picked) {
  const [n, c, co, size] = layers[name] ?? (() => { throw new Error(`unknown layer '${name}'; one of ${Object.keys(layers).join(', ')}`); })();
  const g: Conv2dGeometry = {
    batch: n, inChannels: c, outChannels: co, groups: 1, inHeight: size, inWidth: size, outHeight: size, outWidth: size,
    kernelHeight: 3, kernelWidth: 3, strideH: 1, strideW: 1, padTop: 1, padLeft: 1, dilationH: 1, dilationW: 1,
  };
  const x = randomFloats(n * c * size * size, 1), w = randomFloats(co * c * 9, 2), dy = randomFloats(n * co * size * size, 3);
  const y = new Float32Array(dy.length), dx = new Float32Array(x.length), dw = new Float32Array(w.length);
  for (const pass of ['forward', 'data gradient', 'weight gradient'] as Pass[]) {
    // channel-lanes covers only the gradients; for the forward pass it is the automatic choice.
    const runs = backends.map((b) => () => {
      if (pass === 'forward') b.conv2dForward(g, x, w, null, y);
      else if (pass === 'data gradient') b.conv2dBackwardData(g, dy, w, dx);
      else b.conv2dBackwardWeight(g, x, dy, dw);
    });
    const samples: number[][] = runs.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      runs.forEach((run, i) => {
        const start = performance.now();
        let calls = 0;
        do { run(); calls++; } while (performance.now() - start < BLOCK_MS);
        if (round > 1) samples[i]!.push((performance.now() - start) / calls);
      });
    }
    const ms = samples.map(median);
    const bestOther = Math.min(...ms.slice(0, 3));
    console.log(`${name.padEnd(14)}${pass.padEnd(17)}${ms.map((v) => v.toFixed(3).padStart(15)).join('')}   ${(bestOther / ms[3]!).toFixed(2)}x`);
  }
}
process.exit(0);
