// How V8's garbage-collector threads hold up waldo's second thread. The benchmark's forward cases
// (waldo ×1, waldo ×2 and tfjs-wasm taking turns in 20 ms blocks, TensorFlow.js loaded in the same
// process, a fresh output array per call) are run twice, each in its own Node process: once with
// V8's defaults, once with --single-threaded-gc, which keeps the collector on the main thread.
// The two kinds of process take turns, twice each; prints median ms per call for both. On a 2-core machine the collector's helper threads take the
// worker's core in the middle of a kernel and the call waits for the half that thread holds; this is
// why `waldo train` runs with the flag (src/cli/collectorFlag.ts).
//
//   npm run build && node dist/bench/collectorThreads.js [S4,S6,…]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as waldo from './peers/waldo.js';
import { convData, convShapes } from './shapes.js';
import { median, type Runner } from './timing.js';

const FLAG = '--single-threaded-gc';
const BLOCK_MS = 20, ROUNDS = 3, ROUND_MS = 1500, TURNS = 2;
const contenders = ['waldo ×1', 'waldo ×2', 'tfjs wasm'];

/** In a child process: the given shapes' medians, [shape][contender] in ms, as JSON on stdout. */
async function measure(ids: string[]): Promise<void> {
  const { createTfjsPeer } = await import('./peers/tfjs.js');
  const tfjs = await createTfjsPeer();
  const results: Record<string, number[]> = {};
  for (const id of ids) {
    const s = convShapes.find((c) => c.id === id);
    if (s === undefined) throw new Error(`unknown shape ${id}; one of ${convShapes.map((c) => c.id).join(', ')}`);
    const d = convData(s);
    const runners: Runner<Float32Array>[] = [waldo.convForward(s, d, 1), waldo.convForward(s, d, 2), tfjs.convForward('wasm', s, d)];
    const calls = runners.map((r) => {
      r.run();
      const t0 = performance.now();
      r.run();
      return Math.max(1, Math.ceil(BLOCK_MS / (performance.now() - t0)));
    });
    const samples: number[][] = runners.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      const start = performance.now();
      while (performance.now() - start < ROUND_MS) {
        runners.forEach((r, j) => {
          const t0 = performance.now();
          for (let i = 0; i < calls[j]!; i++) r.run();
          samples[j]!.push((performance.now() - t0) / calls[j]!);
        });
      }
    }
    runners.forEach((r) => r.dispose?.());
    results[id] = samples.map(median);
  }
  process.stdout.write(JSON.stringify(results));
}

function runChild(flags: string[], ids: string[]): Record<string, number[]> {
  const r = spawnSync(process.execPath, [...flags, fileURLToPath(import.meta.url), '--child', ids.join(',')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child ${flags.join(' ') || '(defaults)'} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, number[]>;
}

if (process.argv[2] === '--child') {
  await measure(process.argv[3]!.split(','));
  process.exit(0);
} else {
  const ids = process.argv[2]?.split(',') ?? ['S1', 'S2', 'S4', 'S5', 'S6'];
  // The two kinds of process take turns (twice each), so that drifting load hits both alike.
  const modes = [['V8 defaults', []], [FLAG, [FLAG]]] as const;
  const results = modes.map(() => [] as Record<string, number[]>[]);
  for (let turn = 0; turn < TURNS; turn++) modes.forEach(([, flags], m) => results[m]!.push(runChild([...flags], ids)));
  /** Per shape, each contender's median over the turns. */
  const combine = (turns: Record<string, number[]>[]) => Object.fromEntries(ids.map((id) => [id, contenders.map((_, j) => median(turns.map((t) => t[id]![j]!)))]));
  const runs = modes.map(([name], m) => [name, combine(results[m]!)] as const);
  console.log('conv2d forward, tfjs loaded in the same process, 20 ms turns: median ms per call');
  console.log(`${'shape'.padEnd(7)}${'process'.padEnd(22)}${contenders.map((c) => c.padStart(11)).join('')}  tfjs ÷ waldo ×2`);
  for (const id of ids) {
    for (const [name, r] of runs) {
      const [one, two, tf] = r[id]!;
      console.log(`${id.padEnd(7)}${name.padEnd(22)}${[one!, two!, tf!].map((v) => v.toFixed(3).padStart(11)).join('')}  ${(tf! / two!).toFixed(2)}x`);
    }
  }
  process.exit(0);
}
