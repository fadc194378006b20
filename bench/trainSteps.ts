// Training-step time of the built-in models through the public API: forward, cross-entropy,
// backward and an Adam step on one fixed batch of 64, after 10 warm-up steps. Prints the median ms
// per step and the mean (steps the garbage collector slows count there), with the process's page
// faults and CPU time per step: for comparing builds, or Node options such as
// `node --single-threaded-gc dist/bench/trainSteps.js` (see src/cli/collectorFlag.ts).
//
//   npm run build && node dist/bench/trainSteps.js [small-cnn|lenet5] [THREADS] [STEPS]
import { functional as F, Generator, models, optim, randn, setNumThreads, tensor } from '../src/index.js';
import { median } from './timing.js';

const model = process.argv[2] ?? 'small-cnn';
const threads = Number(process.argv[3] ?? 2);
const steps = Number(process.argv[4] ?? 100);
const BATCH = 64;

const builders: Record<string, () => ReturnType<typeof models.lenet5>> = {
  'small-cnn': () => models.smallCnn({ generator: new Generator(1) }),
  lenet5: () => models.lenet5({ generator: new Generator(1) }),
};
const build = builders[model];
if (build === undefined) throw new Error(`unknown model '${model}'; one of ${Object.keys(builders).join(', ')}`);

setNumThreads(threads);
const net = build();
net.train();
const x = randn([BATCH, 1, 28, 28], { generator: new Generator(3) });
const y = tensor(Int32Array.from({ length: BATCH }, (_, i) => i % 10), [BATCH]);
const opt = new optim.Adam(net.parameters(), { lr: 0.001 });
const step = () => {
  opt.zeroGrad();
  F.crossEntropy(net.call(x), y).backward();
  opt.step();
};

for (let i = 0; i < 10; i++) step();
const before = process.resourceUsage(), cpu = process.cpuUsage();
const times: number[] = [];
for (let i = 0; i < steps; i++) {
  const t0 = performance.now();
  step();
  times.push(performance.now() - t0);
}
const used = process.cpuUsage(cpu), after = process.resourceUsage();
const flags = process.execArgv.length > 0 ? process.execArgv.join(' ') : 'V8 defaults';
console.log(`${model}, batch ${BATCH}, ${threads} thread(s), ${flags}: ${median(times).toFixed(1)} ms per step (median of ${steps}), mean ${(times.reduce((a, b) => a + b, 0) / steps).toFixed(1)}; ` +
  `per step ${((after.minorPageFault - before.minorPageFault) / steps).toFixed(0)} page faults, ` +
  `user ${(used.user / 1e3 / steps).toFixed(1)} ms, system ${(used.system / 1e3 / steps).toFixed(1)} ms`);
process.exit(0);
