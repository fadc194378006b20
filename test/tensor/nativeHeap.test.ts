import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { primeNativeHeap } from '../../src/tensor/nativeHeap.js';

interface Faults { pagesPerRound: number; faults: number[] }

function faultsOf(mode: 'prime' | 'plain'): Faults {
  const script = join(repoRoot(), 'dist', 'test', 'helpers', 'heapFaults.js');
  const r = spawnSync(process.execPath, ['--expose-gc', script, mode], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Faults;
}

const glibc = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime;

// The claim of nativeHeap.ts, checked by counting page faults (not by timing): without priming,
// every round of fresh 1 MiB arrays faults all its pages in again; primed, only the first round does.
test('on glibc, priming keeps the memory of collected arrays mapped for the next ones', { skip: glibc === undefined ? 'not glibc' : false }, () => {
  const plain = faultsOf('plain');
  const primed = faultsOf('prime');
  for (const f of plain.faults.slice(1)) assert.ok(f > 0.5 * plain.pagesPerRound, `unprimed rounds fault their pages in again: ${plain.faults}`);
  for (const f of primed.faults.slice(1)) assert.ok(f < 0.05 * primed.pagesPerRound, `primed rounds reuse mapped pages: ${primed.faults}`);
});

// V8 can keep the first priming buffer until a full collection that never comes (nativeHeap.ts), so
// priming repeats at 16 MiB, 128 MiB and 1 GiB of float32 buffers taken, and never after. This file
// allocates no tensors, so the count starts here.
test('on Linux, priming runs at the first buffer and again after 16 MiB, 128 MiB and 1 GiB', { skip: process.platform !== 'linux' ? 'not Linux' : false }, () => {
  const MiB = 2 ** 20;
  const primedAt: number[] = [];
  let taken = 0;
  for (const bytes of [4 * MiB, 4 * MiB, 4 * MiB, 3 * MiB, 2 * MiB, 100 * MiB, 20 * MiB, 900 * MiB, 4 * MiB, 8 * 1024 * MiB]) {
    if (primeNativeHeap(bytes)) primedAt.push(taken);
    taken += bytes;
  }
  // A point counts the buffer being allocated: after 15 MiB taken, 2 more reach 17 ≥ 16; after 117,
  // 20 more reach 137 ≥ 128; after 137, 900 more reach 1037 ≥ 1024; then never again.
  assert.deepEqual(primedAt.map((b) => b / MiB), [0, 15, 117, 137]);
});
