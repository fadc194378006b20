// The worker-share monitor's decisions (src/backend/wasm/workerShare.ts), fed job tallies by hand:
// when the workers claim no chunks for long enough, threads pause, for 1 s and then twice as long
// after each failed try; fair shares never pause them, and static splits are not counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorkerShareMonitor } from '../../src/backend/wasm/workerShare.js';

/** Records `jobs` 2-thread jobs of 8 chunks, the caller claiming `caller` of each; returns the job after which threads paused (or null). */
function feed(m: ReturnType<typeof createWorkerShareMonitor>, jobs: number, caller: number, now: number): number | null {
  for (let j = 1; j <= jobs; j++) {
    m.record(2, 8, caller, now);
    if (!m.parallelAllowed(now)) return j;
  }
  return null;
}

test('fair and uneven shares never pause the workers', () => {
  const m = createWorkerShareMonitor();
  assert.equal(feed(m, 1000, 4, 0), null);
  assert.equal(feed(m, 1000, 6, 0), null, 'a worker with a quarter of the chunks (half its fair share) still helps');
  assert.equal(feed(m, 1000, 7, 0), null, 'and one with an eighth');
  assert.ok(m.parallelAllowed(0));
});

test('workers that claim nothing pause after 30 jobs (score 1 decays by 15/16 a job below 0.15), for 1 s', () => {
  const m = createWorkerShareMonitor();
  assert.equal(feed(m, 100, 8, 0), 30);
  assert.equal(m.parallelAllowed(999), false);
  assert.equal(m.parallelAllowed(1000), true);
});

test('a failed try pauses again after 19 jobs (it starts from score 1/2), for twice as long, up to 8 s', () => {
  const m = createWorkerShareMonitor();
  feed(m, 100, 8, 0);
  let now = 1000;
  for (const pause of [2000, 4000, 8000, 8000]) {
    assert.equal(feed(m, 100, 8, now), 19);
    assert.equal(m.parallelAllowed(now + pause - 1), false, `paused ${pause} ms`);
    now += pause;
    assert.equal(m.parallelAllowed(now), true);
  }
});

test('a try that recovers a fair share starts the next back-off at 1 s again', () => {
  const m = createWorkerShareMonitor();
  feed(m, 100, 8, 0);
  assert.equal(feed(m, 100, 8, 1000), 19); // failed try: paused until 3000
  assert.equal(feed(m, 50, 4, 3000), null); // a good try
  assert.equal(feed(m, 100, 8, 5000), 30, 'the score is back near 1');
  assert.equal(m.parallelAllowed(5999), false);
  assert.equal(m.parallelAllowed(6000), true, 'paused 1 s, not 4 s');
});

test('jobs split statically or into one chunk per thread, and 1-thread jobs, are not counted', () => {
  const m = createWorkerShareMonitor();
  for (let j = 0; j < 100; j++) {
    m.record(2, 0, 0, 0);
    m.record(2, 2, 2, 0);
    m.record(1, 8, 8, 0);
  }
  assert.ok(m.parallelAllowed(0));
});
