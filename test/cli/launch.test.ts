import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COLLECTOR_FLAG, relaunchArguments } from '../../src/cli/collectorFlag.js';
import { repoRoot } from '../helpers/paths.js';

// The `waldo` executable (src/cli/launch.ts): training and evaluation run in a child process with
// V8's collector on the main thread; the rest runs in place.

const launcher = join(repoRoot(), 'dist', 'src', 'cli', 'launch.js');

test('relaunch: train, eval and signals go to a child with the collector flag, keeping Node options and arguments', () => {
  for (const command of ['train', 'eval', 'signals']) {
    assert.deepEqual(relaunchArguments(['--expose-gc'], '/x/main.js', [command, '--epochs', '2'], {}), ['--expose-gc', COLLECTOR_FLAG, '/x/main.js', command, '--epochs', '2']);
  }
});

test('relaunch: not for other commands, help, a process that has the flag, or WALDO_GC=concurrent', () => {
  assert.equal(relaunchArguments([], 'm.js', ['summary', '--model', 'lenet5'], {}), null);
  assert.equal(relaunchArguments([], 'm.js', [], {}), null);
  assert.equal(relaunchArguments([], 'm.js', ['train', '--help'], {}), null);
  assert.equal(relaunchArguments([], 'm.js', ['eval', '-h'], {}), null);
  assert.equal(relaunchArguments([COLLECTOR_FLAG], 'm.js', ['train'], {}), null);
  assert.equal(relaunchArguments([], 'm.js', ['train'], { WALDO_GC: 'concurrent' }), null);
});

test('launcher: the child\'s error message and exit code come through', () => {
  const r = spawnSync(process.execPath, [launcher, 'train', '--data', 'idx:nowhere', '--epochs', '1'], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^FormatError: .*nowhere.*not found/);
  const usage = spawnSync(process.execPath, [launcher, 'train', '--epochs', 'many'], { encoding: 'utf8' });
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /epochs/);
});

/** Node processes whose command line mentions `marker`. */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) found.push(Number(pid));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** Polls `ready` every 50 ms; fails after a minute (a hung launcher must not hang the suite). */
async function waitFor(what: string, ready: () => boolean): Promise<void> {
  for (let tries = 0; !ready(); tries++) {
    if (tries > 1200) assert.fail(`waited a minute for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('launcher: SIGTERM to the waldo process stops the training child too, and ends waldo by that signal', async () => {
  const out = mkdtempSync(join(tmpdir(), 'waldo-launch-'));
  const parent = spawn(process.execPath, [launcher, 'train', '--epochs', '1000', '--out', out, '--quiet'], { stdio: 'ignore' });
  let exit: { signal: NodeJS.Signals | null } | undefined;
  parent.on('exit', (_, signal) => { exit = { signal }; });
  let child: number | undefined;
  try {
    // The child: another process naming the output folder, once it runs Node with the flag (a
    // freshly forked one still shows the parent's command line).
    const withFlag = (pid: number) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(COLLECTOR_FLAG);
      } catch {
        return false; // it ended while we looked
      }
    };
    await waitFor('the training child to start', () => {
      child = processesWith(out).find((pid) => pid !== parent.pid && withFlag(pid));
      return child !== undefined;
    });
    parent.kill('SIGTERM');
    await waitFor('waldo to end', () => exit !== undefined);
    assert.equal(exit!.signal, 'SIGTERM');
    await waitFor('the training child to end', () => processesWith(out).length === 0);
  } finally {
    // Whatever failed above, nothing is left running.
    for (const pid of [parent.pid, child]) {
      try { if (pid !== undefined) process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    rmSync(out, { recursive: true, force: true });
  }
});
