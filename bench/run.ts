// `npm run bench`: waldo against tfjs (wasm, cpu), ONNX Runtime Web, convnetjs and PyTorch in one run,
// printed as one table and written to bench/results.json. Peers that cannot load show "n/a".
// Everything runs in WALDO_BENCH_ROUNDS rounds (default 3) and each cell is the median of the rounds.
// waldo runs in this process; every peer library in a process of its own (peerHost.ts, PyTorch in
// Python), so no library's heap or garbage weighs on another's collector.
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import * as waldo from './peers/waldo.js';
import { type ColumnId, type Row, footnote, guard, mark, note, printTable, row, set, writeJson } from './report.js';
import { measurePageCost } from './pageCost.js';
import { convData, convShapes } from './shapes.js';
import { maxAbsDiff, type Runner, type Timing, timeInterleavedBlocks } from './timing.js';
import { tfjsCpuTiming } from './peers/tfjs.js';
import { dataArg, modelArg, type RemoteRunner, shapeArg, startPeer } from './remotePeer.js';
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

/** A contender's runner as the interleaving drives it: here (waldo) or in a peer's process. */
type BlockRunner<T> = Omit<RemoteRunner<T>, 'time'>;

/** A runner of this process, timed in blocks like a remote one. */
function local<T>(runner: Runner<T>): BlockRunner<T> {
  return {
    block: async (calls) => {
      const t0 = performance.now();
      for (let i = 0; i < calls; i++) runner.run();
      return performance.now() - t0;
    },
    result: async () => runner.result(),
    dispose: async () => runner.dispose?.(),
  };
}

/** One column's contender in an interleaved case; `check` names it in the agreement note (waldo ×1 is the reference). */
interface Contender<T> { col: ColumnId; prepare: () => Promise<BlockRunner<T>>; check?: string }

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
async function interleaved<T>(r: Row, contenders: Contender<T>[], perCall?: number): Promise<T | null> {
  const ready: { c: Contender<T>; runner: BlockRunner<T>; calls: number }[] = [];
  for (const c of contenders) {
    try {
      const runner = await c.prepare();
      await runner.block(1);
      const ms = await runner.block(1);
      ready.push({ c, runner, calls: Math.min(1000, Math.max(1, Math.ceil(BLOCK_MS / Math.max(ms, 1e-3)))) });
    } catch (e) {
      mark(r, c.col, 'error', (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 160));
    }
  }
  try {
    if (ready[0]?.c.col !== 'waldo1') return null;
    const timings = await timeInterleavedBlocks(ready.map(({ runner, calls }) => () => runner.block(calls)));
    ready.forEach(({ c, calls }, i) => {
      const t = timings[i]!, ms = t.medianMs / calls;
      set(r, c.col, perCall === undefined ? ms : (perCall * 1000) / ms, t.runs * calls);
    });
    const reference = await ready[0].runner.result();
    for (const { c, runner } of ready.slice(1)) {
      if (c.check !== undefined) check(r, c.check, (await runner.result()) as Float32Array, reference as Float32Array);
    }
    return reference;
  } finally {
    for (const { runner } of ready) await runner.dispose();
  }
}

const tfjs = await load('tfjs', () => startPeer('tfjs'));
const ort = await load('onnxruntime-web', () => startPeer('ort'));
const convnet = await load('convnetjs', () => startPeer('convnet'));
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
      { col: 'waldo1', prepare: async () => local(waldo.convForward(s, d, 1)) },
      { col: 'waldo2', prepare: async () => local(waldo.convForward(s, d, 2)) },
    ];
    if (tfjs !== null) contenders.push({ col: 'tfjsWasm', prepare: async () => tfjs.runner(await tfjs.held('convForward', 'wasm', shapeArg(s.id), dataArg(s.id))), check: 'tfjs-wasm' });
    const y = await interleaved(r, contenders);
    if (y === null) continue;
    if (tfjs !== null) {
      await guard(r, 'tfjsCpu', async () => {
        const t = tfjs.runner<Float32Array>(await tfjs.held('convForward', 'cpu', shapeArg(s.id), dataArg(s.id)));
        try {
          const timing = await t.time(tfjsCpuTiming);
          set(r, 'tfjsCpu', timing.medianMs, timing.runs);
          check(r, 'tfjs-cpu', await t.result(), y);
        } finally {
          await t.dispose();
        }
      });
    }
    if (ort !== null) {
      await guard(r, 'ort', async () => {
        const t = await ort.call<{ timing: Timing; y: Float32Array }>('convForward', shapeArg(s.id), dataArg(s.id));
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
    const grads = await interleaved(r, [
      { col: 'waldo1', prepare: async () => local(waldo.convBackward(s, d, 1)) },
      { col: 'waldo2', prepare: async () => local(waldo.convBackward(s, d, 2)) },
    ]);
    if (grads === null) continue;
    if (tfjs !== null) {
      for (const [col, be] of [['tfjsWasm', 'wasm'], ['tfjsCpu', 'cpu']] as const) {
        const fwd = row(`fwd ${s.id}`, s.label, 'ms').cells[col]?.value;
        if (be === 'cpu' && fwd !== undefined && fwd > 1000) {
          mark(r, col, 'skipped', `its forward alone takes ${(fwd / 1000).toFixed(1)} s (the backward about twice that, per run)`);
          continue;
        }
        await guard(r, col, async () => {
          const t = tfjs.runner<{ dx: Float32Array; dw: Float32Array }>(await tfjs.held('convBackward', be, shapeArg(s.id), dataArg(s.id)));
          try {
            const timing = await t.time(be === 'cpu' ? tfjsCpuTiming : {});
            set(r, col, timing.medianMs, timing.runs);
            const got = await t.result();
            check(r, `tfjs-${be} dx`, got.dx, grads.dx);
            check(r, `dw`, got.dw, grads.dw);
          } finally {
            await t.dispose();
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
        const t = await tfjs.call<Timing>('lenetTrainAsync', 'cpu', 64);
        set(r, 'tfjsCpu', (64 * 1000) / t.medianMs, t.runs);
      });
    }
    if (convnet !== null) {
      await guard(r, 'convnet', async () => {
        const t = await convnet.call<Timing>('lenetTrain', 64);
        set(r, 'convnet', (64 * 1000) / t.medianMs, t.runs);
      });
    }
    torchMod.fill(r, torch, 'train');
  }

  // ---- LeNet-5 inference ----
  {
    const model = waldo.lenetModel();
    const ortModel = ort === null ? null : await load('ORT LeNet', () => ort.held('lenet', modelArg(model)));
    const tfModel = tfjs === null ? null : await load('tfjs LeNet', () => tfjs.held('lenetFrom', modelArg(model)));
    for (const batch of [1, 64]) {
      log(`lenet inference batch ${batch}`);
      const r = row(`infer b${batch}`, `LeNet-5 forward, batch ${batch}`, 'img/s');
      const input = waldo.lenetBatch(batch, 5).x;
      const contenders: Contender<Float32Array>[] = [
        { col: 'waldo1', prepare: async () => local(waldo.lenetInfer(model, 1, input, batch)) },
        { col: 'waldo2', prepare: async () => local(waldo.lenetInfer(model, 2, input, batch)) },
      ];
      if (tfjs !== null && tfModel !== null) contenders.push({ col: 'tfjsWasm', prepare: async () => tfjs.runner(await tfjs.heldOn(tfModel, 'infer', input, batch)), check: 'tfjs-wasm' });
      const out = await interleaved(r, contenders, batch);
      if (out === null) continue;
      if (ort !== null && ortModel !== null) {
        await guard(r, 'ort', async () => {
          const t = await ort.callOn<{ timing: Timing; out: Float32Array }>(ortModel, 'infer', input, batch);
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
    if (tfjs !== null) await guard(r, 'tfjsWasm', async () => set(r, 'tfjsWasm', await tfjs.call<number>('matmulGflops', 'wasm', GEMM)));
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
// Node); the table's ×2 ratio is against waldo ×1, so this ratio goes in the notes, with the rounds'
// own values: on a shared 2-core VM a round's 2-thread blocks can run in a slow mode throughout.
for (const s of convShapes) {
  const r = row(`fwd ${s.id}`, s.label, 'ms');
  const two = r.cells.waldo2, tf = r.cells.tfjsWasm?.value;
  if (two?.value !== undefined && tf !== undefined) {
    const rounds = (two.samples ?? []).map((v) => v.toPrecision(3)).join('/');
    note(r, `tfjs-wasm ÷ waldo ×2 ${(tf / two.value).toFixed(2)}x (waldo ×2 rounds ${rounds} ms)`);
  }
}

footnote(`fresh memory: filling a new 8 MiB array took ${pages.freshMs.toFixed(1)} ms, one already in use ${pages.reusedMs.toFixed(2)} ms, ` +
  `so each 4 KiB page faulted in cost ~${pages.usPerPage.toFixed(1)} µs (a 1.2 MB output: ~${((pages.usPerPage * 300) / 1000).toFixed(1)} ms); ` +
  'every process of the run primes glibc (src/tensor/nativeHeap.ts) so that freed buffers keep their pages');
footnote('tfjs, ONNX Runtime Web and convnetjs each run in a Node process of their own (bench/peerHost.ts, V8 defaults), waldo in the ' +
  'benchmark\'s; interleaved cells alternate between the processes, and each block of calls is timed in the process that runs it');

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
for (const peer of [tfjs, ort, convnet]) peer?.close();
process.exit(0);
