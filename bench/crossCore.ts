// What a worker pays to touch memory the calling thread touched last. Every waldo kernel call ends
// with the calling thread copying the output out of wasm memory into the result array, so in the next
// call a worker writes its share of the output over cache lines that now sit in the other core's cache,
// and reads inputs that the calling thread has just copied in. This times both, in one shared memory:
//   - a worker filling a region right after the main thread read it, against a region the main
//     thread had not touched since the worker last filled it;
//   - a worker summing a region right after the main thread wrote it, against one it wrote itself.
// The cases take turns, many times each; prints the median ms per pass and the ratio. Where the two
// cores share a cache close to them the ratios are near 1; on the 2-core VM this project runs on the
// first was about 2 (the cost that keeps memory-bound kernels such as S5's depthwise convolution from
// gaining a second thread).
//
//   npm run build && node dist/bench/crossCore.js [MEGABYTES]
import { Worker } from 'node:worker_threads';
import { median } from './timing.js';

const megabytes = Number(process.argv[2] ?? 1.6);
const floats = Math.max(1024, Math.round((megabytes * 1e6) / 4));
const ROUNDS = 400;

// Control words: 0 request sequence number, 1 case, 2 the worker's time in ns, 3 the last sequence done.
const CONTROL_BYTES = 64;

/** The worker: waits for a request, times one pass over its region, reports. Regions: 0 and 1. */
const WORKER = `
const { workerData } = require('node:worker_threads');
const { buffer, floats, control } = workerData;
const ctrl = new Int32Array(buffer, 0, 4);
const regions = [0, 1].map((r) => new Float32Array(buffer, control + r * 4 * floats, floats));
let seen = 0, sink = 0;
for (;;) {
  while (Atomics.load(ctrl, 0) === seen) {}
  seen = Atomics.load(ctrl, 0);
  const kind = ctrl[1], region = regions[kind & 1];
  const t0 = performance.now();
  if (kind < 2) region.fill(seen);
  else { let s = 0; for (let i = 0; i < floats; i += 16) s += region[i]; sink += s; }
  ctrl[2] = Math.round((performance.now() - t0) * 1e6);
  Atomics.store(ctrl, 3, seen);
}`;

const memory = new WebAssembly.Memory({ initial: Math.ceil((CONTROL_BYTES + 8 * floats) / 65536), maximum: 65536, shared: true });
const buffer = memory.buffer; // shared: the worker sees the same bytes
const ctrl = new Int32Array(buffer, 0, 4);
const regions = [0, 1].map((r) => new Float32Array(buffer, CONTROL_BYTES + r * 4 * floats, floats));
const outside = new Float32Array(floats);
const worker = new Worker(WORKER, { eval: true, workerData: { buffer, floats, control: CONTROL_BYTES } });

let sequence = 0;
/** Asks the worker for one pass of `kind` (0/1 fill region 0/1, 2/3 sum region 0/1); returns its ms. */
function workerPass(kind: number): number {
  sequence++;
  ctrl[1] = kind;
  Atomics.store(ctrl, 0, sequence);
  while (Atomics.load(ctrl, 3) !== sequence) { /* the worker answers within a millisecond */ }
  return ctrl[2]! / 1e6;
}

async function main(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 300));
  const times = { writeAfterMainRead: [] as number[], writeUntouched: [] as number[], readAfterMainWrite: [] as number[], readOwn: [] as number[] };
  for (let r = 0; r < ROUNDS; r++) {
    outside.set(regions[0]!); // the main thread reads region 0, as a copy-out does
    times.writeAfterMainRead.push(workerPass(0));
    times.writeUntouched.push(workerPass(1)); // region 1: only ever touched by the worker
    regions[0]!.set(outside); // the main thread writes region 0, as a copy-in does
    times.readAfterMainWrite.push(workerPass(2));
    times.readOwn.push(workerPass(3));
  }
  const ms = (v: number[]) => median(v).toFixed(3);
  const ratio = (a: number[], b: number[]) => (median(a) / median(b)).toFixed(2);
  console.log(`a worker's pass over ${((4 * floats) / 1e6).toFixed(1)} MB of shared memory (median of ${ROUNDS}, ms):`);
  console.log(`  write, just read by the main thread   ${ms(times.writeAfterMainRead)}   ${ratio(times.writeAfterMainRead, times.writeUntouched)}x`);
  console.log(`  write, untouched by the main thread   ${ms(times.writeUntouched)}`);
  console.log(`  read, just written by the main thread ${ms(times.readAfterMainWrite)}   ${ratio(times.readAfterMainWrite, times.readOwn)}x`);
  console.log(`  read, written by the worker itself    ${ms(times.readOwn)}`);
  await worker.terminate();
}

void main();
