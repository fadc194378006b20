import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths.js';

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
