import { ShapeError, ValueError } from '../../errors.js';
import type { Backend, ChannelAffineParams, ChannelGeometry, Conv2dGeometry, Epilogue, FloatArray, MatmulGeometry, NormalizeBackwardCall, NormalizeCall, Pool2dGeometry } from '../backend.js';
import { createArena } from './arena.js';
import { CLAIM_TALLY, CONTROL, JOB, JOB_WORDS, Kernel } from './layout.js';
import type { KernelModule } from './module.js';
import { getNumThreads } from './numThreads.js';
import { createThreadPool, type ThreadPool } from './threads.js';
import { createWorkerShareMonitor } from './workerShare.js';

/** Multiply-adds (or element visits) below which a kernel runs on the calling thread: dispatch costs more than it saves. */
const MIN_PARALLEL_WORK = 1 << 19;
/**
 * How long the first threaded call waits for the workers to start before running single-threaded.
 * Browsers start workers only while the creating thread runs its event loop, so there it is 0.
 */
const FIRST_READY_WAIT_MS = 2000;
/** Largest memory: 4 GiB in Node, 1 GiB in browsers (where address space can be scarce). */
const MAX_PAGES_NODE = 65536;
const MAX_PAGES_BROWSER = 16384;
const INITIAL_PAGES = 64;

interface KernelExports {
  run(job: number, tid: number): void;
  scratchBytes(job: number): number;
  peakFma(iters: number, seed: number): number;
}

export interface WasmBackendOptions {
  /** Threads for this backend (the caller's included); default: getNumThreads() at each call. */
  threads?: number;
  /** Work (multiply-adds) from which a kernel is split over threads; default 2^19. Tests set 0 to force splitting. */
  parallelThreshold?: number;
  /**
   * Whether to stop waking the workers for a while when they get no core (they claim none of the
   * work: see workerShare.ts); default true. Tests that must exercise the threads set false.
   */
  adaptiveThreads?: boolean;
  /**
   * @internal Convolution algorithm for benchmarks and tests: 'auto' (default) picks per layer,
   * 'gemm' forces im2col + GEMM, 'direct' the direct kernels wherever they apply (by-position
   * micro-kernels), 'direct-by-channel' the same with the 8-channel × 4-output by-channel
   * micro-kernel, 'direct-by-channel-16' with the 16-channel × 2-output one; 'channel-lanes' runs
   * both gradients with output channels in the SIMD lanes wherever they apply (data gradient: stride
   * and dilation 1) and leaves the forward pass automatic; 'winograd' runs all three passes of every
   * 3 × 3, stride-1, undilated, ungrouped layer by Winograd (assembly/winograd.ts), the rest automatic.
   */
  convAlgorithm?: 'auto' | 'gemm' | 'direct' | 'direct-by-channel' | 'direct-by-channel-16' | 'channel-lanes' | 'winograd';
}

/** What the benchmark and tests may inspect beyond the Backend interface. */
export interface WasmBackend extends Backend {
  /** True when the module uses relaxed SIMD (fused multiply-add). */
  readonly relaxedSimd: boolean;
  /** Bytes of wasm memory held now (grows to the largest call's need, never past it). */
  memoryBytes(): number;
  /** Threads the last kernel call ran on. */
  lastThreads(): number;
  /** Runs the register-only multiply-add loop for `iters` rounds of 96 flops on the calling thread. */
  peakFma(iters: number): number;
}

function needFloat32(op: string, name: string, array: FloatArray): Float32Array {
  if (!(array instanceof Float32Array)) throw new ValueError(`wasm ${op}: ${name} must be a Float32Array (the wasm backend is float32 only; float64 runs on the reference backend)`);
  return array;
}

function needLength(op: string, name: string, array: { length: number }, expected: number, shape: string): void {
  if (array.length !== expected) throw new ShapeError(`wasm ${op}: ${name} has ${array.length} elements but ${shape} needs ${expected}`);
}

function convShapes(g: Conv2dGeometry): { x: number; w: number; y: number; text: string } {
  const x = g.batch * g.inChannels * g.inHeight * g.inWidth;
  const w = g.outChannels * (g.inChannels / g.groups) * g.kernelHeight * g.kernelWidth;
  const y = g.batch * g.outChannels * g.outHeight * g.outWidth;
  const text = `x [${g.batch}, ${g.inChannels}, ${g.inHeight}, ${g.inWidth}], w [${g.outChannels}, ${g.inChannels / g.groups}, ${g.kernelHeight}, ${g.kernelWidth}], out [${g.batch}, ${g.outChannels}, ${g.outHeight}, ${g.outWidth}]`;
  return { x, w, y, text };
}

function checkConv(op: string, g: Conv2dGeometry): void {
  if (g.groups < 1 || g.inChannels % g.groups !== 0 || g.outChannels % g.groups !== 0) {
    throw new ValueError(`wasm ${op}: groups ${g.groups} must divide inChannels ${g.inChannels} and outChannels ${g.outChannels}`);
  }
  if (g.strideH < 1 || g.strideW < 1 || g.dilationH < 1 || g.dilationW < 1) {
    throw new ValueError(`wasm ${op}: stride and dilation must be at least 1, got stride ${g.strideH}×${g.strideW}, dilation ${g.dilationH}×${g.dilationW}`);
  }
}

/**
 * Checks a convolution call: the geometry, then each array present against the size of the tensor
 * it stands for (x, w or y, the output). Returns the sizes.
 */
function checkConvCall(op: string, g: Conv2dGeometry, arrays: [name: string, array: { length: number } | null, size: 'x' | 'w' | 'y'][]): ReturnType<typeof convShapes> {
  checkConv(op, g);
  const s = convShapes(g);
  for (const [name, array, size] of arrays) if (array !== null) needLength(op, name, array, s[size], s.text);
  return s;
}

/**
 * The work figure of a convolution for the thread decision: its multiply-adds, divided by 8 for
 * depthwise-like layers (one input channel per group). Those are memory-bound, and a worker reads
 * the input the calling thread has just copied in through the other core's cache: on the 2-core
 * test machine a worker took 2.4× as long as the caller for the same half of a depthwise layer,
 * so splitting one image's worth (S5: 3.6 M multiply-adds) made it slower.
 */
function convWork(g: Conv2dGeometry, s: { y: number; w: number }): number {
  const macs = s.y * (s.w / g.outChannels);
  return g.inChannels === g.groups ? macs / 8 : macs;
}

/** Job argument word of the convolution algorithm choice (assembly/conv.ts ALGO). */
const CONV_ALGO_WORD = 24;
/** Job argument word where the weight gradient reports its partial gradients (assembly/conv.ts PARTS), and their most. */
const CONV_PARTS_WORD = 25;
const MAX_WEIGHT_PARTS = 2;
const convAlgoCodes = { auto: 0, gemm: 1, direct: 2, 'direct-by-channel': 3, 'direct-by-channel-16': 4, 'channel-lanes': 5, winograd: 6 } as const;

const convFields = (g: Conv2dGeometry): number[] => [
  g.batch, g.inChannels, g.outChannels, g.groups, g.inHeight, g.inWidth, g.outHeight, g.outWidth,
  g.kernelHeight, g.kernelWidth, g.strideH, g.strideW, g.padTop, g.padLeft, g.dilationH, g.dilationW,
];

function checkChannels(op: string, g: ChannelGeometry, arrays: [string, { length: number }][], perChannel: [string, { length: number }][]): void {
  const shape = `[batch ${g.batch}, channels ${g.channels}, spatial ${g.spatial}]`;
  for (const [name, a] of arrays) needLength(op, name, a, g.batch * g.channels * g.spatial, shape);
  for (const [name, a] of perChannel) needLength(op, name, a, g.channels, shape);
}

const poolFields = (g: Pool2dGeometry): number[] => [
  g.batch, g.channels, g.inHeight, g.inWidth, g.outHeight, g.outWidth,
  g.kernelHeight, g.kernelWidth, g.strideH, g.strideW, g.padTop, g.padLeft, g.dilationH, g.dilationW,
];

/** Checks that batch norm's channel geometry is the convolution's output [batch, outChannels, outHeight·outWidth]. */
function checkNormOfConv(op: string, conv: Conv2dGeometry, norm: ChannelGeometry): void {
  const spatial = conv.outHeight * conv.outWidth;
  if (norm.batch !== conv.batch || norm.channels !== conv.outChannels || norm.spatial !== spatial) {
    throw new ShapeError(`wasm ${op}: batch norm over [${norm.batch}, ${norm.channels}, ${norm.spatial}] does not match the convolution's output [${conv.batch}, ${conv.outChannels}, ${spatial}]`);
  }
}

/**
 * A wasm backend: one shared memory, one main instance of the kernel module, worker threads started
 * on the first kernel big enough to split. Every call copies its inputs into the arena, runs the job
 * on one or more threads, and copies the outputs back, so users keep ordinary typed arrays.
 */
export function instantiateWasmBackend(kernels: KernelModule, options: WasmBackendOptions, isNodeHost: boolean): WasmBackend | null {
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: isNodeHost ? MAX_PAGES_NODE : MAX_PAGES_BROWSER, shared: true });
  } catch {
    return null; // no shared memory (a browser page that is not cross-origin isolated)
  }
  const exports = new WebAssembly.Instance(kernels.module, { env: { memory } }).exports as unknown as KernelExports;
  const arena = createArena(memory);
  const job = new Int32Array(memory.buffer, JOB, JOB_WORDS);
  let pool: ThreadPool | null | undefined;
  let waitedForWorkers = false;
  let lastThreads = 1;
  const workerShare = options.adaptiveThreads === false ? null : createWorkerShareMonitor();

  function threadsFor(work: number): number {
    const wanted = options.threads ?? getNumThreads();
    if (wanted <= 1 || work < (options.parallelThreshold ?? MIN_PARALLEL_WORK) || (workerShare !== null && !workerShare.parallelAllowed(performance.now()))) return 1;
    if (pool === undefined) pool = createThreadPool({ module: kernels.module, memory, control: CONTROL, job: JOB });
    if (pool === null) return 1;
    const ready = pool.ready(wanted - 1, waitedForWorkers || !isNodeHost ? 0 : FIRST_READY_WAIT_MS);
    waitedForWorkers = true;
    return ready > 0 ? Math.min(wanted, ready + 1) : 1;
  }

  /**
   * Starts a kernel call of `work` multiply-adds (or element visits): picks its thread count and,
   * when workers will share it, wakes them now so they are polling by the time the inputs are copied.
   */
  function begin(work: number): number {
    const threads = threadsFor(work);
    if (threads > 1) pool!.wake();
    arena.reset();
    return threads;
  }

  /** Writes the job, gives it per-thread scratch, and runs it on `threads` threads (from begin()). */
  function runJob(kernel: number, args: number[], threads: number): void {
    job[0] = kernel;
    job[1] = threads;
    for (let i = 0; i < args.length; i++) job[4 + i] = args[i]!;
    job[4 + CONV_ALGO_WORD] = convAlgoCodes[options.convAlgorithm ?? 'auto'];
    const perThread = Math.ceil(exports.scratchBytes(JOB) / 64) * 64;
    job[2] = arena.alloc(perThread * threads);
    job[3] = perThread;
    job.fill(0, CLAIM_TALLY);
    lastThreads = threads;
    if (threads === 1 || pool === null || pool === undefined) exports.run(JOB, 0);
    else {
      pool.run(threads, () => exports.run(JOB, 0));
      workerShare?.record(threads, job[CLAIM_TALLY]!, job[CLAIM_TALLY + 1]!, performance.now());
    }
  }

  // The channel kernels on arrays already in the arena (addresses), shared by the single and composite calls.

  function momentsAt(g: ChannelGeometry, px: number, mean: Float64Array, squares: Float64Array, threads: number): void {
    const pm = arena.alloc(mean.byteLength), ps = arena.alloc(squares.byteLength);
    runJob(Kernel.channelMoments, [g.batch, g.channels, g.spatial, px, pm, ps], threads);
    arena.copyOut(pm, mean);
    arena.copyOut(ps, squares);
  }

  function dotsAt(g: ChannelGeometry, pdy: number, px: number, center: Float64Array, sums: Float64Array, dots: Float64Array, threads: number): void {
    const pc = arena.copyIn(center), ps = arena.alloc(sums.byteLength), pd = arena.alloc(dots.byteLength);
    runJob(Kernel.channelDots, [g.batch, g.channels, g.spatial, pdy, px, pc, ps, pd], threads);
    arena.copyOut(ps, sums);
    arena.copyOut(pd, dots);
  }

  /**
   * src·scale + shift (+ (x − center)·coef when term, x at px) into a new arena block, then the
   * epilogue (in the same pass: the kernel applies relu as it stores); returns the block's address.
   */
  function affineAt(g: ChannelGeometry, psrc: number, scale: Float64Array, shift: Float64Array,
    term: ChannelAffineParams['term'], px: number, threads: number, epilogue: Epilogue = null): number {
    const c = g.channels;
    // One float64 table [scale, shift, center, coef] per channel.
    const params = new Float64Array(4 * c);
    params.set(scale, 0);
    params.set(shift, c);
    if (term !== null) {
      params.set(term.center, 2 * c);
      params.set(term.coef, 3 * c);
    }
    const pp = arena.copyIn(params), po = arena.alloc(4 * g.batch * c * g.spatial);
    if (epilogue !== null && term !== null) throw new ValueError('wasm channelAffine: an epilogue applies to the plain affine map only');
    runJob(Kernel.channelAffine, [g.batch, c, g.spatial, psrc, po, pp, term === null ? 0 : px, epilogue === 'relu' ? 1 : 0], threads);
    return po;
  }

  /** Applies an epilogue in place to a kernel's output while it is still in the arena. */
  function runEpilogue(epilogue: Epilogue, address: number, length: number, threads: number): void {
    if (epilogue === 'relu') runJob(Kernel.reluForward, [length, address, address], threads);
  }

  // The layer kernels on arrays already in the arena, shared by the single and composite calls.

  /** The convolution of x at px (weights at pw, bias at pb or 0) into a new arena block; returns its address. */
  function convForwardAt(g: Conv2dGeometry, px: number, pw: number, pb: number, outBytes: number, threads: number): number {
    const po = arena.alloc(outBytes);
    runJob(Kernel.convForward, [...convFields(g), px, pw, pb, po], threads);
    return po;
  }

  /** Batch norm's training forward of x at px into a new arena block (normalizeChannels); returns its address. */
  function normalizeAt(op: string, g: ChannelGeometry, px: number, norm: Omit<NormalizeCall, 'g' | 'out'>, threads: number): number {
    momentsAt(g, px, norm.mean, norm.squares, threads);
    const { scale, shift } = norm.params(norm.mean, norm.squares);
    checkChannels(op, g, [], [['scale', scale], ['shift', shift]]);
    return affineAt(g, px, scale, shift, null, 0, threads, norm.epilogue ?? null);
  }

  /**
   * Batch norm's input gradient (normalizeChannelsBackward) from dy at pdy (overwritten: the fused
   * ReLU's gradient is taken in place) and x at px, into a new arena block; returns its address.
   */
  function normalizeBackwardAt(op: string, g: ChannelGeometry, pdy: number, px: number, norm: Omit<NormalizeBackwardCall, 'g' | 'dy' | 'x'>, threads: number): number {
    // The fused ReLU's gradient, in place: dy where x·scale + shift (the layer's output before ReLU) is positive.
    if (norm.relu !== null) {
      const table = new Float64Array(2 * g.channels);
      table.set(norm.relu.scale, 0);
      table.set(norm.relu.shift, g.channels);
      runJob(Kernel.channelReluMask, [g.batch, g.channels, g.spatial, pdy, px, arena.copyIn(table)], threads);
    }
    dotsAt(g, pdy, px, norm.center, norm.sums, norm.dots, threads);
    const p = norm.params(norm.sums, norm.dots);
    checkChannels(op, g, [], [['scale', p.scale], ['shift', p.shift], ...(p.term === null ? [] : [['center', p.term.center], ['coef', p.term.coef]] as [string, Float64Array][])]);
    return affineAt(g, pdy, p.scale, p.shift, p.term, p.term === null ? 0 : px, threads);
  }

  /** A convolution's gradients (conv2dBackward's dx, dw, db, where not null) from dy at pdy. */
  function convBackwardAt(g: Conv2dGeometry, pdy: number, x32: Float32Array, w32: Float32Array,
    dx32: Float32Array | null, dw32: Float32Array | null, db: Float64Array | null, threads: number): void {
    if (dx32 !== null && dx32.length > 0) {
      const pw = arena.copyIn(w32), pdx = arena.alloc(dx32.byteLength);
      runJob(Kernel.convBackwardData, [...convFields(g), pdy, pw, pdx], threads);
      arena.copyOut(pdx, dx32);
    }
    if (dw32 !== null) {
      const px = arena.copyIn(x32), pdw = arena.alloc(MAX_WEIGHT_PARTS * dw32.byteLength);
      runJob(Kernel.convBackwardWeight, [...convFields(g), px, pdy, pdw], threads);
      arena.copyOutSum(pdw, job[4 + CONV_PARTS_WORD]!, dw32);
    }
    if (db !== null) {
      const channels = { batch: g.batch, channels: g.outChannels, spatial: g.outHeight * g.outWidth };
      dotsAt(channels, pdy, pdy, new Float64Array(g.outChannels), db, new Float64Array(g.outChannels), threads);
    }
  }

  const backend: WasmBackend = {
    name: 'wasm',
    relaxedSimd: kernels.relaxedSimd,

    matmul(g: MatmulGeometry, a: FloatArray, b: FloatArray, out: FloatArray): void {
      const op = 'matmul';
      const shape = `[batch ${g.batch}, m ${g.m}, k ${g.k}, n ${g.n}]`;
      needLength(op, 'a', a, (g.batchA ? g.batch : 1) * g.m * g.k, shape);
      needLength(op, 'b', b, (g.batchB ? g.batch : 1) * g.k * g.n, shape);
      needLength(op, 'out', out, g.batch * g.m * g.n, shape);
      const a32 = needFloat32(op, 'a', a), b32 = needFloat32(op, 'b', b), out32 = needFloat32(op, 'out', out);
      if (out32.length === 0) return;
      const threads = begin(g.batch * g.m * g.n * g.k);
      const pa = arena.copyIn(a32), pb = arena.copyIn(b32), po = arena.alloc(out32.byteLength);
      runJob(Kernel.matmul, [g.batch, g.m, g.k, g.n, g.transA ? 1 : 0, g.transB ? 1 : 0, g.batchA, g.batchB, pa, pb, po], threads);
      arena.copyOut(po, out32);
    },

    conv2dForward(g, x, w, bias, out, epilogue = null) {
      const op = 'conv2dForward';
      const s = checkConvCall(op, g, [['x', x, 'x'], ['w', w, 'w'], ['out', out, 'y']]);
      if (bias !== null) needLength(op, 'bias', bias, g.outChannels, s.text);
      const x32 = needFloat32(op, 'x', x), w32 = needFloat32(op, 'w', w), out32 = needFloat32(op, 'out', out);
      const bias32 = bias === null ? null : needFloat32(op, 'bias', bias);
      if (s.y === 0) return;
      const threads = begin(convWork(g, s));
      const px = arena.copyIn(x32), pw = arena.copyIn(w32), pb = bias32 === null ? 0 : arena.copyIn(bias32);
      const po = convForwardAt(g, px, pw, pb, out32.byteLength, threads);
      runEpilogue(epilogue, po, out32.length, threads);
      arena.copyOut(po, out32);
    },

    conv2dBackwardData(g, dy, w, dx) {
      const op = 'conv2dBackwardData';
      const s = checkConvCall(op, g, [['dy', dy, 'y'], ['w', w, 'w'], ['dx', dx, 'x']]);
      const dy32 = needFloat32(op, 'dy', dy), w32 = needFloat32(op, 'w', w), dx32 = needFloat32(op, 'dx', dx);
      if (s.x === 0) return;
      const threads = begin(convWork(g, s));
      const pdy = arena.copyIn(dy32), pw = arena.copyIn(w32), pdx = arena.alloc(dx32.byteLength);
      runJob(Kernel.convBackwardData, [...convFields(g), pdy, pw, pdx], threads);
      arena.copyOut(pdx, dx32);
    },

    conv2dBackwardWeight(g, x, dy, dw) {
      const op = 'conv2dBackwardWeight';
      const s = checkConvCall(op, g, [['x', x, 'x'], ['dy', dy, 'y'], ['dw', dw, 'w']]);
      const x32 = needFloat32(op, 'x', x), dy32 = needFloat32(op, 'dy', dy), dw32 = needFloat32(op, 'dw', dw);
      if (s.w === 0) return;
      const threads = begin(convWork(g, s));
      // Room for the kernel's partial gradients (two halves of the batch), which it reports in a job word.
      const px = arena.copyIn(x32), pdy = arena.copyIn(dy32), pdw = arena.alloc(MAX_WEIGHT_PARTS * dw32.byteLength);
      runJob(Kernel.convBackwardWeight, [...convFields(g), px, pdy, pdw], threads);
      arena.copyOutSum(pdw, job[4 + CONV_PARTS_WORD]!, dw32);
    },

    conv2dBackward(g, x, w, dy, mask, dx, dw, db) {
      const op = 'conv2dBackward';
      const s = checkConvCall(op, g, [['dy', dy, 'y'], ['x', x, 'x'], ['w', w, 'w'], ['mask', mask, 'y'], ['dx', dx, 'x'], ['dw', dw, 'w']]);
      if (db !== null) needLength(op, 'db', db, g.outChannels, s.text);
      const dy32 = needFloat32(op, 'dy', dy), x32 = needFloat32(op, 'x', x), w32 = needFloat32(op, 'w', w);
      const mask32 = mask === null ? null : needFloat32(op, 'mask', mask);
      const dx32 = dx === null ? null : needFloat32(op, 'dx', dx), dw32 = dw === null ? null : needFloat32(op, 'dw', dw);
      if (s.y === 0) {
        dx32?.fill(0);
        dw32?.fill(0);
        db?.fill(0);
        return;
      }
      const threads = begin(convWork(g, s));
      const pdy = arena.copyIn(dy32);
      // The fused ReLU's gradient, in place: dy where the layer's output is positive.
      if (mask32 !== null) runJob(Kernel.reluBackward, [dy32.length, pdy, arena.copyIn(mask32), pdy], threads);
      convBackwardAt(g, pdy, x32, w32, dx32, dw32, db, threads);
    },

    maxPool2dForward(g, x, out, argmax) {
      const op = 'maxPool2dForward';
      const planes = g.batch * g.channels;
      const shape = `x [${g.batch}, ${g.channels}, ${g.inHeight}, ${g.inWidth}], out [${g.batch}, ${g.channels}, ${g.outHeight}, ${g.outWidth}]`;
      needLength(op, 'x', x, planes * g.inHeight * g.inWidth, shape);
      needLength(op, 'out', out, planes * g.outHeight * g.outWidth, shape);
      needLength(op, 'argmax', argmax, planes * g.outHeight * g.outWidth, shape);
      const x32 = needFloat32(op, 'x', x), out32 = needFloat32(op, 'out', out);
      if (out32.length === 0) return;
      const threads = begin(out32.length * g.kernelHeight * g.kernelWidth);
      const px = arena.copyIn(x32), po = arena.alloc(out32.byteLength), pi = arena.alloc(argmax.byteLength);
      runJob(Kernel.maxPoolForward, [...poolFields(g), px, po, pi], threads);
      arena.copyOut(po, out32);
      arena.copyOut(pi, argmax);
    },

    maxPool2dBackward(g, dy, argmax, dx) {
      const op = 'maxPool2dBackward';
      const planes = g.batch * g.channels;
      const shape = `dx [${g.batch}, ${g.channels}, ${g.inHeight}, ${g.inWidth}], dy [${g.batch}, ${g.channels}, ${g.outHeight}, ${g.outWidth}]`;
      needLength(op, 'dy', dy, planes * g.outHeight * g.outWidth, shape);
      needLength(op, 'argmax', argmax, planes * g.outHeight * g.outWidth, shape);
      needLength(op, 'dx', dx, planes * g.inHeight * g.inWidth, shape);
      const dy32 = needFloat32(op, 'dy', dy), dx32 = needFloat32(op, 'dx', dx);
      if (dx32.length === 0) return;
      const threads = begin(dx32.length + dy32.length);
      const pdy = arena.copyIn(dy32), pi = arena.copyIn(argmax), pdx = arena.alloc(dx32.byteLength);
      runJob(Kernel.maxPoolBackward, [...poolFields(g), pdy, pi, pdx], threads);
      arena.copyOut(pdx, dx32);
    },

    avgPool2dForward(g, countIncludePad, x, out) {
      const op = 'avgPool2dForward';
      const planes = g.batch * g.channels;
      const shape = `x [${g.batch}, ${g.channels}, ${g.inHeight}, ${g.inWidth}], out [${g.batch}, ${g.channels}, ${g.outHeight}, ${g.outWidth}]`;
      needLength(op, 'x', x, planes * g.inHeight * g.inWidth, shape);
      needLength(op, 'out', out, planes * g.outHeight * g.outWidth, shape);
      const x32 = needFloat32(op, 'x', x), out32 = needFloat32(op, 'out', out);
      if (out32.length === 0) return;
      const threads = begin(out32.length * g.kernelHeight * g.kernelWidth);
      const px = arena.copyIn(x32), po = arena.alloc(out32.byteLength);
      runJob(Kernel.avgPoolForward, [...poolFields(g), countIncludePad ? 1 : 0, px, po], threads);
      arena.copyOut(po, out32);
    },

    avgPool2dBackward(g, countIncludePad, dy, dx) {
      const op = 'avgPool2dBackward';
      const planes = g.batch * g.channels;
      const shape = `dx [${g.batch}, ${g.channels}, ${g.inHeight}, ${g.inWidth}], dy [${g.batch}, ${g.channels}, ${g.outHeight}, ${g.outWidth}]`;
      needLength(op, 'dy', dy, planes * g.outHeight * g.outWidth, shape);
      needLength(op, 'dx', dx, planes * g.inHeight * g.inWidth, shape);
      const dy32 = needFloat32(op, 'dy', dy), dx32 = needFloat32(op, 'dx', dx);
      if (dx32.length === 0) return;
      const threads = begin(dy32.length * g.kernelHeight * g.kernelWidth);
      const pdy = arena.copyIn(dy32), pdx = arena.alloc(dx32.byteLength);
      runJob(Kernel.avgPoolBackward, [...poolFields(g), countIncludePad ? 1 : 0, pdy, pdx], threads);
      arena.copyOut(pdx, dx32);
    },

    channelMoments(g, x, mean, squares) {
      const op = 'channelMoments';
      checkChannels(op, g, [['x', x]], [['mean', mean], ['squares', squares]]);
      const x32 = needFloat32(op, 'x', x);
      if (g.channels === 0) return;
      const threads = begin(x32.length * 2);
      momentsAt(g, arena.copyIn(x32), mean, squares, threads);
    },

    channelDots(g, dy, x, center, sums, dots) {
      const op = 'channelDots';
      checkChannels(op, g, [['dy', dy], ['x', x]], [['center', center], ['sums', sums], ['dots', dots]]);
      const dy32 = needFloat32(op, 'dy', dy), x32 = needFloat32(op, 'x', x);
      if (g.channels === 0) return;
      const threads = begin(x32.length * 2);
      dotsAt(g, arena.copyIn(dy32), arena.copyIn(x32), center, sums, dots, threads);
    },

    channelAffine(g, src, scale, shift, term, out, epilogue = null) {
      const op = 'channelAffine';
      checkChannels(op, g, [['src', src], ['out', out], ...(term === null ? [] : [['x', term.x]] as [string, FloatArray][])],
        [['scale', scale], ['shift', shift], ...(term === null ? [] : [['center', term.center], ['coef', term.coef]] as [string, Float64Array][])]);
      const src32 = needFloat32(op, 'src', src), out32 = needFloat32(op, 'out', out);
      const x32 = term === null ? null : needFloat32(op, 'x', term.x);
      if (out32.length === 0) return;
      const threads = begin(out32.length);
      const ps = arena.copyIn(src32), px = x32 === null ? 0 : arena.copyIn(x32);
      if (term === null) {
        arena.copyOut(affineAt(g, ps, scale, shift, null, 0, threads, epilogue), out32);
        return;
      }
      const po = affineAt(g, ps, scale, shift, term, px, threads);
      runEpilogue(epilogue, po, out32.length, threads);
      arena.copyOut(po, out32);
    },

    normalizeChannels(g, x, mean, squares, params, out, epilogue = null) {
      const op = 'normalizeChannels';
      checkChannels(op, g, [['x', x], ['out', out]], [['mean', mean], ['squares', squares]]);
      const x32 = needFloat32(op, 'x', x), out32 = needFloat32(op, 'out', out);
      if (out32.length === 0) return;
      const threads = begin(x32.length * 3);
      arena.copyOut(normalizeAt(op, g, arena.copyIn(x32), { mean, squares, params, epilogue }, threads), out32);
    },

    normalizeChannelsBackward(g, dy, x, relu, center, sums, dots, params, dx) {
      const op = 'normalizeChannelsBackward';
      checkChannels(op, g, [['dy', dy], ['x', x], ['dx', dx]],
        [['center', center], ['sums', sums], ['dots', dots], ...(relu === null ? [] : [['relu.scale', relu.scale], ['relu.shift', relu.shift]] as [string, Float64Array][])]);
      const dy32 = needFloat32(op, 'dy', dy), x32 = needFloat32(op, 'x', x), dx32 = needFloat32(op, 'dx', dx);
      if (dx32.length === 0) return;
      const threads = begin(x32.length * 3);
      const pdy = arena.copyIn(dy32), px = arena.copyIn(x32);
      arena.copyOut(normalizeBackwardAt(op, g, pdy, px, { relu, center, sums, dots, params }, threads), dx32);
    },

    conv2dNormalize(conv, norm) {
      const op = 'conv2dNormalize';
      const { g } = conv;
      const s = checkConvCall(op, g, [['x', conv.x, 'x'], ['w', conv.w, 'w'], ['out', conv.out, 'y']]);
      if (conv.bias !== null) needLength(op, 'bias', conv.bias, g.outChannels, s.text);
      checkNormOfConv(op, g, norm.g);
      checkChannels(op, norm.g, [['norm.out', norm.out]], [['mean', norm.mean], ['squares', norm.squares]]);
      const x32 = needFloat32(op, 'x', conv.x), w32 = needFloat32(op, 'w', conv.w), out32 = needFloat32(op, 'out', conv.out);
      const bias32 = conv.bias === null ? null : needFloat32(op, 'bias', conv.bias), normOut32 = needFloat32(op, 'norm.out', norm.out);
      if (s.y === 0) return;
      const threads = begin(convWork(g, s) + 3 * s.y);
      const px = arena.copyIn(x32), pw = arena.copyIn(w32), pb = bias32 === null ? 0 : arena.copyIn(bias32);
      const py = convForwardAt(g, px, pw, pb, out32.byteLength, threads);
      arena.copyOut(py, out32);
      arena.copyOut(normalizeAt(op, norm.g, py, norm, threads), normOut32);
    },

    normalizeConv2dBackward(norm, conv) {
      const op = 'normalizeConv2dBackward';
      const { g } = conv;
      const s = checkConvCall(op, g, [['norm.dy', norm.dy, 'y'], ['norm.x', norm.x, 'y'], ['x', conv.x, 'x'], ['w', conv.w, 'w'], ['dx', conv.dx, 'x'], ['dw', conv.dw, 'w']]);
      if (conv.db !== null) needLength(op, 'db', conv.db, g.outChannels, s.text);
      checkNormOfConv(op, g, norm.g);
      checkChannels(op, norm.g, [], [['center', norm.center], ['sums', norm.sums], ['dots', norm.dots], ...(norm.relu === null ? [] : [['relu.scale', norm.relu.scale], ['relu.shift', norm.relu.shift]] as [string, Float64Array][])]);
      const dy32 = needFloat32(op, 'norm.dy', norm.dy), y32 = needFloat32(op, 'norm.x', norm.x);
      const x32 = needFloat32(op, 'x', conv.x), w32 = needFloat32(op, 'w', conv.w);
      const dx32 = conv.dx === null ? null : needFloat32(op, 'dx', conv.dx), dw32 = conv.dw === null ? null : needFloat32(op, 'dw', conv.dw);
      if (s.y === 0) {
        dx32?.fill(0);
        dw32?.fill(0);
        conv.db?.fill(0);
        return;
      }
      const threads = begin(convWork(g, s) + 3 * s.y);
      // Batch norm's dx is the convolution's dy: it stays in the arena between the two.
      const pdy = normalizeBackwardAt(op, norm.g, arena.copyIn(dy32), arena.copyIn(y32), norm, threads);
      convBackwardAt(g, pdy, x32, w32, dx32, dw32, conv.db, threads);
    },

    relu(x, out) {
      const op = 'relu';
      needLength(op, 'out', out, x.length, `${x.length} elements`);
      const x32 = needFloat32(op, 'x', x), out32 = needFloat32(op, 'out', out);
      if (out32.length === 0) return;
      const threads = begin(x32.length);
      const px = arena.copyIn(x32), po = arena.alloc(out32.byteLength);
      runJob(Kernel.reluForward, [x32.length, px, po], threads);
      arena.copyOut(po, out32);
    },

    reluBackward(dy, x, dx) {
      const op = 'reluBackward';
      needLength(op, 'dy', dy, x.length, `${x.length} elements`);
      needLength(op, 'dx', dx, x.length, `${x.length} elements`);
      const dy32 = needFloat32(op, 'dy', dy), x32 = needFloat32(op, 'x', x), dx32 = needFloat32(op, 'dx', dx);
      if (dx32.length === 0) return;
      const threads = begin(x32.length);
      const pdy = arena.copyIn(dy32), px = arena.copyIn(x32), pdx = arena.alloc(dx32.byteLength);
      runJob(Kernel.reluBackward, [x32.length, pdy, px, pdx], threads);
      arena.copyOut(pdx, dx32);
    },

    memoryBytes: () => arena.byteLength(),
    lastThreads: () => lastThreads,
    peakFma: (iters) => exports.peakFma(iters, 1.5),
  };
  return backend;
}

