// `npm run bench`: waldo against tfjs (wasm, cpu), ONNX Runtime Web, convnetjs and PyTorch in one run,
// printed as one table and written to bench/results.json. Peers that cannot load show "n/a".
// Everything runs in WALDO_BENCH_ROUNDS rounds (default 3) and each cell is the median of the rounds.
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import * as waldo from './peers/waldo.js';
import { type ColumnId, type Row, footnote, guard, mark, note, printTable, row, set, writeJson } from './report.js';
import { measurePageCost } from './pageCost.js';
import { convData, convShapes } from './shapes.js';
import { maxAbsDiff, type Runner, timeInterleaved, timeSync } from './timing.js';
import { tfjsCpuTiming } from './peers/tfjs.js';
import type { TorchResults } from './peers/pytorch.js';

const started = performance.now();
const loadAtStart = os.loadavg()[0]!;
const pages = measurePageCost();
const GEMM = 1024;
const log = (s: string) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(3)}s] ${s}\n`);

async function load<T>(name: string, fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (e) {
    footnote(`${name} unavailable: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`);
    return null;
  }
}

/** Relative agreement check: max |a − b| against the reference's scale. */
function check(r: Row, who: string, got: Float32Array, want: Float32Array): void {
  const diff = maxAbsDiff(got, want);
  let scale = 1e-6;
  for (const v of want) scale = Math.max(scale, Math.abs(v));
  const ok = diff <= 1e-4 * scale + 1e-5;
  note(r, `${who} ${ok ? 'ok' : 'MISMATCH'} ${diff.toExponential(0)}`);
}

/** One column's contender in an interleaved case; `check` names it in the agreement note (waldo ×1 is the reference). */
interface Contender<T> { col: ColumnId; prepare: () => Runner<T>; check?: string }

/** Calls shorter than this are timed in blocks of back-to-back calls (see interleaved). */
const BLOCK_MS = 20;

/**
 * Times a case's synchronous contenders in turn (a, b, c, a, b, c, …), so that the machine's load and
 * the allocator's state (fresh pages cost ~12 µs each to fault in on this VM) hit each alike. Calls
 * shorter than BLOCK_MS run in blocks of back-to-back calls: alternating single sub-millisecond calls
 * would measure each contender with caches the other one just evicted. A contender that fails to
 * prepare or run becomes an "error" cell and is left out. Returns the first contender's (waldo ×1's)
 * result, or null if it failed. With `perCall` (images per call), cells are images/s.
 */
function interleaved<T>(r: Row, contenders: Contender<T>[], perCall?: number): T | null {
  const ready: { c: Contender<T>; runner: Runner<T>; calls: number }[] = [];
  for (const c of contenders) {
    try {
      const runner = c.prepare();
      runner.run();
      const t0 = performance.now();
      runner.run();
      const ms = performance.now() - t0;
      ready.push({ c, runner, calls: Math.min(1000, Math.max(1, Math.ceil(BLOCK_MS / Math.max(ms, 1e-3)))) });
    } catch (e) {
      mark(r, c.col, 'error', (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 160));
    }
  }
  try {
    if (ready[0]?.c.col !== 'waldo1') return null;
    const blocks = ready.map(({ runner, calls }) => () => { for (let i = 0; i < calls; i++) runner.run(); });
    const timings = timeInterleaved(blocks);
    ready.forEach(({ c, calls }, i) => {
      const t = timings[i]!, ms = t.medianMs / calls;
      set(r, c.col, perCall === undefined ? ms : (perCall * 1000) / ms, t.runs * calls);
    });
    const reference = ready[0].runner.result();
    for (const { c, runner } of ready.slice(1)) {
      if (c.check !== undefined) check(r, c.check, runner.result() as Float32Array, reference as Float32Array);
    }
    return reference;
  } finally {
    for (const { runner } of ready) runner.dispose?.();
  }
}

const tfjs = await load('tfjs', async () => (await import('./peers/tfjs.js')).createTfjsPeer());
const ort = await load('onnxruntime-web', async () => (await import('./peers/onnxruntime.js')).createOrtPeer());
const torchMod = await import('./peers/pytorch.js');

let torch = null as TorchResults | null;

/**
 * One round: every case on every contender. The table shows, per cell, the median over the rounds,
 * so a burst of load from another job on this shared machine skews one round, not the result.
 */
async function measureRound(): Promise<void> {
  // PyTorch runs first, alone, in its own process (nothing else competes for the two cores).
  log('pytorch');
  torch = await load('PyTorch', async () => torchMod.runPytorch(convShapes, GEMM));
  if (torch?.blas !== undefined) footnote(`torch ${torch.version} linear algebra: ${torch.blas} (convolutions use its oneDNN/MKL-DNN)`);


  // ---- conv2d forward ----
  for (const s of convShapes) {
    log(`conv forward ${s.id}`);
    const r = row(`fwd ${s.id}`, s.label, 'ms');
    const d = convData(s);
    const contenders: Contender<Float32Array>[] = [
      { col: 'waldo1', prepare: () => waldo.convForward(s, d, 1) },
      { col: 'waldo2', prepare: () => waldo.convForward(s, d, 2) },
    ];
    if (tfjs !== null) contenders.push({ col: 'tfjsWasm', prepare: () => tfjs.convForward('wasm', s, d), check: 'tfjs-wasm' });
    const y = interleaved(r, contenders);
    if (y === null) continue;
    if (tfjs !== null) {
      await guard(r, 'tfjsCpu', () => {
        const t = tfjs.convForward('cpu', s, d);
        try {
          const timing = timeSync(t.run, tfjsCpuTiming);
          set(r, 'tfjsCpu', timing.medianMs, timing.runs);
          check(r, 'tfjs-cpu', t.result(), y);
        } finally {
          t.dispose?.();
        }
      });
    }
    if (ort !== null) {
      await guard(r, 'ort', async () => {
        const t = await ort.convForward(s, d);
        set(r, 'ort', t.timing.medianMs, t.timing.runs);
        check(r, 'ort', t.y, y);
      });
    }
    torchMod.fill(r, torch, `fwd ${s.id}`);
  }

  // ---- conv2d forward + backward (input and weight gradients) ----
  for (const s of convShapes.filter((c) => c.backward)) {
    log(`conv forward+backward ${s.id}`);
    const r = row(`f+b ${s.id}`, s.label, 'ms');
    const d = convData(s);
    const grads = interleaved(r, [
      { col: 'waldo1', prepare: () => waldo.convBackward(s, d, 1) },
      { col: 'waldo2', prepare: () => waldo.convBackward(s, d, 2) },
    ]);
    if (grads === null) continue;
    if (tfjs !== null) {
      for (const [col, be] of [['tfjsWasm', 'wasm'], ['tfjsCpu', 'cpu']] as const) {
        const fwd = row(`fwd ${s.id}`, s.label, 'ms').cells[col]?.value;
        if (be === 'cpu' && fwd !== undefined && fwd > 1000) {
          mark(r, col, 'skipped', `its forward alone takes ${(fwd / 1000).toFixed(1)} s (the backward about twice that, per run)`);
          continue;
        }
        await guard(r, col, () => {
          const t = tfjs.convBackward(be, s, d);
          try {
            const timing = timeSync(t.run, be === 'cpu' ? tfjsCpuTiming : {});
            set(r, col, timing.medianMs, timing.runs);
            const got = t.result();
            check(r, `tfjs-${be} dx`, got.dx, grads.dx);
            check(r, `dw`, got.dw, grads.dw);
          } finally {
            t.dispose?.();
          }
        }, be === 'wasm' ? 'cannot' : 'error');
      }
    }
    torchMod.fill(r, torch, `f+b ${s.id}`);
  }

  // ---- LeNet-5 training ----
  {
    log('lenet training');
    const r = row('train LeNet-5', 'SGD step, batch 64', 'img/s');
    const [one, two] = waldo.lenetTrain([1, 2]);
    set(r, 'waldo1', (64 * 1000) / one!.medianMs, one!.runs);
    set(r, 'waldo2', (64 * 1000) / two!.medianMs, two!.runs);
    if (tfjs !== null) {
      await guard(r, 'tfjsCpu', async () => {
        const t = await tfjs.lenetTrainAsync('cpu', 64);
        set(r, 'tfjsCpu', (64 * 1000) / t.medianMs, t.runs);
      });
    }
    await guard(r, 'convnet', async () => {
      const t = (await import('./peers/convnet.js')).lenetTrain(64);
      set(r, 'convnet', (64 * 1000) / t.medianMs, t.runs);
    });
    torchMod.fill(r, torch, 'train');
  }

  // ---- LeNet-5 inference ----
  {
    const model = waldo.lenetModel();
    const ortModel = ort === null ? null : await load('ORT LeNet', async () => ort.lenet(model));
    const tfModel = tfjs === null ? null : await load('tfjs LeNet', async () => tfjs.lenetFrom(model));
    for (const batch of [1, 64]) {
      log(`lenet inference batch ${batch}`);
      const r = row(`infer b${batch}`, `LeNet-5 forward, batch ${batch}`, 'img/s');
      const input = waldo.lenetBatch(batch, 5).x;
      const contenders: Contender<Float32Array>[] = [
        { col: 'waldo1', prepare: () => waldo.lenetInfer(model, 1, input, batch) },
        { col: 'waldo2', prepare: () => waldo.lenetInfer(model, 2, input, batch) },
      ];
      if (tfModel !== null) contenders.push({ col: 'tfjsWasm', prepare: () => tfModel.infer(input, batch), check: 'tfjs-wasm' });
      const out = interleaved(r, contenders, batch);
      if (out === null) continue;
      if (ortModel !== null) {
        await guard(r, 'ort', async () => {
          const t = await ortModel.infer(input, batch);
          set(r, 'ort', (batch * 1000) / t.timing.medianMs, t.timing.runs);
          check(r, 'ort', t.out, out);
        });
      }
      torchMod.fill(r, torch, `infer b${batch}`);
    }
  }

  // ---- GEMM ----
  {
    log('gemm');
    const r = row(`GEMM ${GEMM}³`, 'float32 matmul', 'GFLOP/s');
    set(r, 'waldo1', waldo.gemmGflops(1, GEMM));
    set(r, 'waldo2', waldo.gemmGflops(2, GEMM));
    if (tfjs !== null) await guard(r, 'tfjsWasm', () => set(r, 'tfjsWasm', tfjs.matmulGflops('wasm', GEMM)));
    torchMod.fill(r, torch, 'gemm');
    const peak = row('FMA ceiling', '128-bit wasm SIMD, 1 core', 'GFLOP/s');
    set(peak, 'waldo1', waldo.peakGflops());
  }
}

const rounds = Number(process.env.WALDO_BENCH_ROUNDS ?? 3);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`WALDO_BENCH_ROUNDS must be a positive integer, got '${process.env.WALDO_BENCH_ROUNDS}'`);
for (let i = 1; i <= rounds; i++) {
  log(`round ${i} of ${rounds}`);
  await measureRound();
}

{
  // GEMM against the ceiling, from the medians over the rounds.
  const gemm = row(`GEMM ${GEMM}³`, 'float32 matmul', 'GFLOP/s'), peak = row('FMA ceiling', '128-bit wasm SIMD, 1 core', 'GFLOP/s');
  note(gemm, `waldo ×1 = ${((gemm.cells.waldo1!.value! / peak.cells.waldo1!.value!) * 100).toFixed(0)}% of ceiling`);
}

// The two-thread target compares waldo ×2 with TensorFlow.js's wasm backend (one thread in
// Node); the table's ×2 ratio is against waldo ×1, so this ratio goes in the notes.
for (const s of convShapes) {
  const r = row(`fwd ${s.id}`, s.label, 'ms');
  const two = r.cells.waldo2?.value, tf = r.cells.tfjsWasm?.value;
  if (two !== undefined && tf !== undefined) note(r, `tfjs-wasm ÷ waldo ×2 ${(tf / two).toFixed(2)}x`);
}

footnote(`fresh memory: filling a new 8 MiB array took ${pages.freshMs.toFixed(1)} ms, one already in use ${pages.reusedMs.toFixed(2)} ms, ` +
  `so each 4 KiB page faulted in cost ~${pages.usPerPage.toFixed(1)} µs (a 1.2 MB output: ~${((pages.usPerPage * 300) / 1000).toFixed(1)} ms); ` +
  'waldo primes glibc once (src/tensor/nativeHeap.ts) so freed buffers keep their pages, and every contender here allocates from that same heap');

const seconds = (performance.now() - started) / 1000;
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const meta = {
  cpu, cores: os.cpus().length, node: process.version, relaxedSimd: waldo.relaxedSimd(),
  torch: torch?.version ?? null, torchBlas: torch?.blas ?? null, date: new Date().toISOString(), seconds, rounds,
  loadAverage: { start: loadAtStart, end: os.loadavg()[0]! }, pageFault: pages,
};
printTable([
  `waldo benchmark — ${cpu}, ${meta.cores} cores, Node ${meta.node}, wasm SIMD ${meta.relaxedSimd ? 'relaxed (used)' : 'base (relaxed not used)'}` +
    (torch !== null ? `, torch ${torch.version}` : ''),
  `medians (each cell: the median of ${rounds} rounds' medians); total run ${seconds.toFixed(0)} s; 1-min load average ${loadAtStart.toFixed(1)} at start, ${meta.loadAverage.end.toFixed(1)} at end (${meta.cores} cores)`,
  '',
]);
writeJson(fileURLToPath(new URL('../../bench/results.json', import.meta.url)), meta);
process.exit(0);
