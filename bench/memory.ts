// Memory over a long training run: LeNet-5 on the bundled digits for 10,000 steps (batch 32), sampling
// the process's resident set, the V8 heap and the wasm backend's working memory every 500 steps.
// Tensors are garbage-collected typed arrays and the wasm memory is the backend's scratch area, so
// after warm-up none of the three should grow. Prints a table and the growth from step 1,000 on.
//
//   npm run build && node --expose-gc dist/bench/memory.js [steps] [batch]
import { Generator, getBackend, models, optim } from '../src/index.js';
import { loadBundledMnist } from '../src/data/bundledMnist.js';
import { DataLoader } from '../src/data/dataLoader.js';
import { normalize } from '../src/data/transforms.js';
import { crossEntropy } from '../src/ops/loss.js';

const steps = Number(process.argv[2] ?? 10_000);
const batchSize = Number(process.argv[3] ?? 32);
const WARM_UP = 1_000;
const EVERY = 500;

const { train } = loadBundledMnist();
const model = models.lenet5({ generator: new Generator(0) });
const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
const loader = new DataLoader(train, { batchSize, shuffle: true, dropLast: true, generator: new Generator(1), transform: normalize([0.1307], [0.3081]) });
const backend = getBackend() as { name: string; memoryBytes?: () => number };
const gc = (globalThis as { gc?: () => void }).gc;

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const samples: { step: number; rss: number; heap: number; wasm: number }[] = [];
console.log(`LeNet-5, batch ${batchSize}, ${steps} steps, backend ${backend.name}${gc ? '' : ' (run with --expose-gc for steadier heap figures)'}`);
console.log('step    rss MiB  heap MiB  wasm MiB  loss');
let step = 0;
const started = performance.now();
outer: for (;;) {
  for (const { x, y } of loader) {
    optimizer.zeroGrad();
    const loss = crossEntropy(model.call(x), y);
    loss.backward();
    optimizer.step();
    step++;
    if (step % EVERY === 0) {
      gc?.();
      const m = process.memoryUsage();
      const sample = { step, rss: m.rss, heap: m.heapUsed, wasm: backend.memoryBytes?.() ?? 0 };
      samples.push(sample);
      console.log(`${String(step).padStart(5)}  ${mb(sample.rss).padStart(8)}  ${mb(sample.heap).padStart(8)}  ${mb(sample.wasm).padStart(8)}  ${loss.item().toFixed(4)}`);
    }
    if (step >= steps) break outer;
  }
}
const seconds = (performance.now() - started) / 1000;
const base = samples.find((s) => s.step >= WARM_UP) ?? samples[0];
const last = samples[samples.length - 1];
const peakRss = Math.max(...samples.filter((s) => s.step >= WARM_UP).map((s) => s.rss));
console.log(`\n${steps} steps in ${seconds.toFixed(0)} s; from step ${base.step} to ${last.step}: rss ${mb(base.rss)} → ${mb(last.rss)} MiB (peak ${mb(peakRss)}), heap ${mb(base.heap)} → ${mb(last.heap)} MiB, wasm ${mb(base.wasm)} → ${mb(last.wasm)} MiB`);
