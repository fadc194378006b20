// The wasm backend's threads and memory: workers never keep the process alive, repeated calls run in
// a fixed memory footprint, thread counts come from setNumThreads / WALDO_THREADS / the core count,
// and misuse fails with messages that say what to fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import type { Conv2dGeometry, MatmulGeometry } from '../../src/backend/backend.js';
import { createWasmBackend } from '../../src/backend/wasm/create.js';
import { getNumThreads, setNumThreads } from '../../src/backend/wasm/numThreads.js';
import { ShapeError, ValueError } from '../../src/errors.js';

const createModule = new URL('../../src/backend/wasm/create.js', import.meta.url).href;

function runScript(source: string, env: Record<string, string> = {}, args = ['--input-type=module']): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [...args, '-e', source], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('a process that used 2 worker threads exits by itself with code 0', () => {
  const { status, stdout, stderr } = runScript(`
    import { createWasmBackend } from ${JSON.stringify(createModule)};
    const backend = createWasmBackend({ threads: 2 });
    const n = 256;
    const a = new Float32Array(n * n).fill(1), b = new Float32Array(n * n).fill(2), out = new Float32Array(n * n);
    backend.matmul({ batch: 1, m: n, k: n, n, transA: false, transB: false, batchA: 1, batchB: 1 }, a, b, out);
    console.log(backend.lastThreads(), out[0], out[n * n - 1]);
  `);
  assert.equal(stderr, '');
  assert.equal(stdout.trim(), '2 512 512', 'the product ran on 2 threads');
  assert.equal(status, 0, 'the process exited by itself (a hung worker would hit the timeout: status null)');
});

test('a CommonJS script that used 2 worker threads exits by itself with code 0', () => {
  const { status, stdout, stderr } = runScript(`
    import(${JSON.stringify(createModule)}).then(({ createWasmBackend }) => {
      const backend = createWasmBackend({ threads: 2, parallelThreshold: 0, adaptiveThreads: false });
      const out = new Float32Array(9 * 9);
      backend.matmul({ batch: 1, m: 9, k: 9, n: 9, transA: false, transB: false, batchA: 1, batchB: 1 }, new Float32Array(81).fill(1), new Float32Array(81).fill(1), out);
      console.log(backend.lastThreads(), out[80]);
    });
  `, {}, []);
  assert.equal(stderr, '');
  assert.equal(stdout.trim(), '2 9');
  assert.equal(status, 0);
});

test('WALDO_THREADS sets the default thread count; a bad value is named in the error', () => {
  const source = `
    import { createWasmBackend } from ${JSON.stringify(createModule)};
    const backend = createWasmBackend({ parallelThreshold: 0, adaptiveThreads: false });
    const out = new Float32Array(64 * 64);
    backend.matmul({ batch: 1, m: 64, k: 64, n: 64, transA: false, transB: false, batchA: 1, batchB: 1 }, new Float32Array(64 * 64), new Float32Array(64 * 64), out);
    console.log(backend.lastThreads());
  `;
  assert.equal(runScript(source, { WALDO_THREADS: '1' }).stdout.trim(), '1');
  assert.equal(runScript(source, { WALDO_THREADS: '2' }).stdout.trim(), '2');
  const bad = runScript(source, { WALDO_THREADS: 'many' });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /WALDO_THREADS must be a positive integer, got 'many'/);
});

test('getNumThreads defaults to every core and follows setNumThreads', () => {
  if (process.env.WALDO_THREADS === undefined) assert.equal(getNumThreads(), availableParallelism());
  setNumThreads(3);
  assert.equal(getNumThreads(), 3);
  assert.throws(() => setNumThreads(0), (e: unknown) => e instanceof ValueError && /setNumThreads: the thread count must be a positive integer, got 0/.test(e.message));
  assert.throws(() => createWasmBackend({ threads: 1.5 }), /createWasmBackend: the thread count must be a positive integer, got 1.5/);
});

test('memory does not grow over 10,000 repeated calls with the same shapes', () => {
  const backend = createWasmBackend({ threads: 2, parallelThreshold: 0, adaptiveThreads: false });
  assert.ok(backend !== null);
  const g: Conv2dGeometry = {
    batch: 2, inChannels: 3, outChannels: 8, groups: 1, inHeight: 12, inWidth: 12, outHeight: 12, outWidth: 12,
    kernelHeight: 3, kernelWidth: 3, strideH: 1, strideW: 1, padTop: 1, padLeft: 1, dilationH: 1, dilationW: 1,
  };
  const x = new Float32Array(2 * 3 * 144).fill(0.5), w = new Float32Array(8 * 3 * 9).fill(0.25), y = new Float32Array(2 * 8 * 144);
  const dx = new Float32Array(x.length), dw = new Float32Array(w.length);
  const mg: MatmulGeometry = { batch: 3, m: 17, k: 33, n: 29, transA: true, transB: false, batchA: 1, batchB: 0 };
  const a = new Float32Array(3 * 17 * 33).fill(1), b = new Float32Array(33 * 29).fill(1), out = new Float32Array(3 * 17 * 29);
  const step = (): void => {
    backend.conv2dForward(g, x, w, null, y);
    backend.conv2dBackwardData(g, y, w, dx);
    backend.conv2dBackwardWeight(g, x, y, dw);
    backend.matmul(mg, a, b, out);
  };
  step();
  const warm = backend.memoryBytes();
  for (let i = 0; i < 10_000; i++) step();
  assert.equal(backend.memoryBytes(), warm);
  assert.equal(backend.lastThreads(), 2);
  assert.equal(out[0], 33);
});

test('wrong arrays fail with messages that name the kernel, the array and the shapes', () => {
  const backend = createWasmBackend({ threads: 1 });
  assert.ok(backend !== null);
  const g: MatmulGeometry = { batch: 1, m: 2, k: 3, n: 4, transA: false, transB: false, batchA: 1, batchB: 1 };
  assert.throws(
    () => backend.matmul(g, new Float32Array(5), new Float32Array(12), new Float32Array(8)),
    (e: unknown) => e instanceof ShapeError && /wasm matmul: a has 5 elements but \[batch 1, m 2, k 3, n 4\] needs 6/.test(e.message),
  );
  assert.throws(
    () => backend.matmul(g, new Float64Array(6), new Float64Array(12), new Float64Array(8)),
    (e: unknown) => e instanceof ValueError && /wasm matmul: a must be a Float32Array/.test(e.message),
  );
});

test('convolutions give the same bits on 1, 2 and 3 threads (every sum runs in one order whatever the split)', () => {
  const backends = [1, 2, 3].map((threads) => createWasmBackend({ threads, parallelThreshold: 0, adaptiveThreads: false })!);
  const geometries: Conv2dGeometry[] = [
    // The direct kernels (weight gradient in two batch halves), the GEMM path (a deep layer), stride 2.
    { batch: 5, inChannels: 6, outChannels: 16, groups: 1, inHeight: 14, inWidth: 14, outHeight: 10, outWidth: 10, kernelHeight: 5, kernelWidth: 5, strideH: 1, strideW: 1, padTop: 0, padLeft: 0, dilationH: 1, dilationW: 1 },
    { batch: 3, inChannels: 300, outChannels: 240, groups: 1, inHeight: 5, inWidth: 5, outHeight: 5, outWidth: 5, kernelHeight: 3, kernelWidth: 3, strideH: 1, strideW: 1, padTop: 1, padLeft: 1, dilationH: 1, dilationW: 1 },
    { batch: 4, inChannels: 3, outChannels: 9, groups: 1, inHeight: 17, inWidth: 17, outHeight: 9, outWidth: 9, kernelHeight: 3, kernelWidth: 3, strideH: 2, strideW: 2, padTop: 1, padLeft: 1, dilationH: 1, dilationW: 1 },
  ];
  let seed = 7;
  const random = (n: number): Float32Array => Float32Array.from({ length: n }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 31) - 1);
  for (const g of geometries) {
    const xs = g.batch * g.inChannels * g.inHeight * g.inWidth, ys = g.batch * g.outChannels * g.outHeight * g.outWidth;
    const ws = g.outChannels * (g.inChannels / g.groups) * g.kernelHeight * g.kernelWidth;
    const x = random(xs), w = random(ws), bias = random(g.outChannels), dy = random(ys);
    const results = backends.map((b) => {
      const y = new Float32Array(ys), dx = new Float32Array(xs), dw = new Float32Array(ws);
      b.conv2dForward(g, x, w, bias, y);
      b.conv2dBackwardData(g, dy, w, dx);
      b.conv2dBackwardWeight(g, x, dy, dw);
      return { y, dx, dw, threads: b.lastThreads() };
    });
    const name = `${g.inChannels}→${g.outChannels} ${g.kernelHeight}×${g.kernelWidth} on ${g.inHeight}²`;
    assert.deepEqual(results.map((r) => r.threads), [1, 2, 3], `${name}: the thread counts used`);
    for (const r of results.slice(1)) {
      assert.deepEqual(r.y, results[0]!.y, `${name}: forward on ${r.threads} threads`);
      assert.deepEqual(r.dx, results[0]!.dx, `${name}: data gradient on ${r.threads} threads`);
      assert.deepEqual(r.dw, results[0]!.dw, `${name}: weight gradient on ${r.threads} threads`);
    }
  }
});

const taskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

// With the process confined to one core, a worker cannot run beside the caller: the caller claims
// every chunk (workerShare.ts), so after some jobs the backend stops waking the workers and runs
// kernels on one thread. (Without the monitor such calls took 2.5× as long as on one thread.)
test('confined to one core, the backend stops using its worker after a few jobs', { skip: taskset ? false : 'no taskset' }, () => {
  const source = `
    import { createWasmBackend } from ${JSON.stringify(createModule)};
    const backend = createWasmBackend({ threads: 2, parallelThreshold: 1 });
    const g = { batch: 16, inChannels: 6, outChannels: 16, groups: 1, inHeight: 14, inWidth: 14, outHeight: 10, outWidth: 10,
      kernelHeight: 5, kernelWidth: 5, strideH: 1, strideW: 1, padTop: 0, padLeft: 0, dilationH: 1, dilationW: 1 };
    const x = new Float32Array(16 * 6 * 14 * 14).fill(0.5), w = new Float32Array(16 * 6 * 25).fill(0.25), y = new Float32Array(16 * 16 * 100);
    const used = [];
    for (let i = 0; i < 200; i++) { backend.conv2dForward(g, x, w, null, y); used.push(backend.lastThreads()); }
    console.log(JSON.stringify({ first: used[0], last: used.slice(-20), y: y[0] }));
  `;
  const r = spawnSync('taskset', ['-c', '0', process.execPath, '--input-type=module', '-e', source], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { first: number; last: number[]; y: number };
  assert.equal(out.first, 2, 'the first call used the worker');
  assert.deepEqual(out.last, new Array(20).fill(1), 'the last calls ran on the calling thread alone');
  assert.equal(out.y, 6 * 25 * 0.5 * 0.25, 'and computed the convolution');
});
