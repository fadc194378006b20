// Adaptive timing shared by every peer: one untimed warm-up call, then timed calls until at least
// `minRuns` runs and `minMs` of measured time, stopping early (after ≥ 1 run) once `capMs` is spent
// so very slow peers (tfjs cpu, convnetjs) cannot blow the run's time budget. Reports the median.
// A warm-up call that alone exceeds `capMs` is kept as the only sample (runs = 1, warm-up included):
// for calls lasting seconds, JIT warm-up is noise, and a second call would double the cost.

export interface TimingOptions {
  minRuns?: number;
  minMs?: number;
  capMs?: number;
  maxRuns?: number;
  warmup?: number;
}

export interface Timing {
  medianMs: number;
  runs: number;
  minMs: number;
  warmupIncluded?: boolean;
}

/**
 * A prepared contender: `run()` is one timed call, `result()` its last output, `dispose()` frees what
 * it holds. The benchmark runs the contenders of a case in turn (see timeInterleaved).
 */
export interface Runner<T> {
  run(): void;
  result(): T;
  dispose?(): void;
}

const defaults = { minRuns: 3, minMs: 500, capMs: 4000, maxRuns: 200, warmup: 1 };

/** The median (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function summarize(samples: number[]): Timing {
  return { medianMs: median(samples), runs: samples.length, minMs: Math.min(...samples) };
}

/** `spent` includes the warm-up (for the cap); `minMs` counts measured time only. */
function done(samples: number[], spent: number, o: Required<TimingOptions>): boolean {
  if (samples.length >= o.maxRuns) return true;
  if (samples.length >= 1 && spent >= o.capMs) return true;
  return samples.length >= o.minRuns && samples.reduce((a, b) => a + b, 0) >= o.minMs;
}

/**
 * Median wall times of several synchronous calls run in turn (a, b, a, b, …), so that load from other
 * jobs on the machine hits each alike; the stopping rule follows the first call's samples.
 */
export function timeInterleaved(runs: (() => void)[], options: TimingOptions = {}): Timing[] {
  const o = { ...defaults, ...options };
  const t0 = performance.now();
  for (let i = 0; i < o.warmup; i++) for (const run of runs) run();
  const samples = runs.map(() => [] as number[]);
  while (!done(samples[0]!, performance.now() - t0, o)) {
    runs.forEach((run, j) => {
      const start = performance.now();
      run();
      samples[j]!.push(performance.now() - start);
    });
  }
  return samples.map(summarize);
}

/**
 * timeInterleaved for blocks that time themselves (runs in other processes report the wall time they
 * measured there, so messaging never enters a sample): each resolves to its block's ms.
 */
export async function timeInterleavedBlocks(blocks: (() => Promise<number>)[], options: TimingOptions = {}): Promise<Timing[]> {
  const o = { ...defaults, ...options };
  const t0 = performance.now();
  for (let i = 0; i < o.warmup; i++) for (const block of blocks) await block();
  const samples = blocks.map(() => [] as number[]);
  while (!done(samples[0]!, performance.now() - t0, o)) {
    for (let j = 0; j < blocks.length; j++) samples[j]!.push(await blocks[j]!());
  }
  return samples.map(summarize);
}

/** Median wall time in ms of a synchronous call. */
export function timeSync(run: () => void, options: TimingOptions = {}): Timing {
  const o = { ...defaults, ...options };
  const start = performance.now();
  for (let i = 0; i < o.warmup; i++) run();
  let spent = performance.now() - start;
  if (o.warmup === 1 && spent >= o.capMs) return { medianMs: spent, runs: 1, minMs: spent, warmupIncluded: true };
  const samples: number[] = [];
  while (!done(samples, spent, o)) {
    const t0 = performance.now();
    run();
    const t = performance.now() - t0;
    samples.push(t);
    spent += t;
  }
  return summarize(samples);
}

/** Median wall time in ms of an asynchronous call (awaited). */
export async function timeAsync(run: () => Promise<unknown>, options: TimingOptions = {}): Promise<Timing> {
  const o = { ...defaults, ...options };
  const start = performance.now();
  for (let i = 0; i < o.warmup; i++) await run();
  let spent = performance.now() - start;
  if (o.warmup === 1 && spent >= o.capMs) return { medianMs: spent, runs: 1, minMs: spent, warmupIncluded: true };
  const samples: number[] = [];
  while (!done(samples, spent, o)) {
    const t0 = performance.now();
    await run();
    const t = performance.now() - t0;
    samples.push(t);
    spent += t;
  }
  return summarize(samples);
}

/** Deterministic pseudo-random floats in [-1, 1) (the same inputs for every peer). */
export function randomFloats(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out[i] = s / 2147483648 - 1;
  }
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
