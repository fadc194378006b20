// Child process for nativeHeap.test.ts (run with --expose-gc): counts the page faults of rounds of
// fresh 1 MiB Float32Arrays, each round filled, dropped and collected, and prints them as JSON.
//
//   node --expose-gc dist/test/helpers/heapFaults.js prime|plain
import { setTimeout as sleep } from 'node:timers/promises';
import { primeNativeHeap } from '../../src/tensor/nativeHeap.js';

const ARRAYS_PER_ROUND = 24;
const FLOATS = 256 * 1024; // 1 MiB each: above glibc's starting mmap threshold of 128 KiB
const ROUNDS = 6;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('heapFaults.js needs node --expose-gc');

/** Collects garbage and gives V8's background sweeper time to hand freed buffers back to malloc. */
async function collect(): Promise<void> {
  gc!();
  await sleep(20);
  gc!();
  await sleep(20);
}

if (process.argv[2] === 'prime') primeNativeHeap(0);
await collect();
const faults: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const before = process.resourceUsage().minorPageFault;
  let held: Float32Array[] = [];
  for (let i = 0; i < ARRAYS_PER_ROUND; i++) held.push(new Float32Array(FLOATS).fill(i + 1));
  faults.push(process.resourceUsage().minorPageFault - before);
  held = [];
  await collect();
}
console.log(JSON.stringify({ pagesPerRound: (ARRAYS_PER_ROUND * FLOATS * 4) / 4096, faults }));
