import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'fflate';
import { loadBundledMnist } from '../../src/data/bundledMnist.js';
import { encodeIdx } from '../../src/io/idx.js';
import { decodePng, encodePng } from '../../src/io/png.js';
import { repoRoot } from '../helpers/paths.js';

// The `waldo` command spawned as a process, on a small IDX copy of the bundled digits so each run takes seconds.

let dir = '';
const main = join(repoRoot(), 'dist', 'src', 'cli', 'main.js');

function waldo(...args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, WALDO_THREADS: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** n digits of a split as IDX bytes (gzipped images, raw labels: both forms are accepted). */
function writeIdx(prefix: string, split: ReturnType<typeof loadBundledMnist>['train'], n: number, step: number) {
  const pixels = new Uint8Array(n * 784);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const s = split.get(i * step);
    for (let p = 0; p < 784; p++) pixels[i * 784 + p] = Math.round(s.input[p] * 255);
    labels[i] = s.label;
  }
  writeFileSync(join(dir, 'digits', `${prefix}-images-idx3-ubyte.gz`), gzipSync(encodeIdx('uint8', [n, 28, 28], pixels)));
  writeFileSync(join(dir, 'digits', `${prefix}-labels-idx1-ubyte`), encodeIdx('uint8', [n], labels));
  return pixels;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'waldo-cli-'));
  mkdirSync(join(dir, 'digits'));
  const { train, test: held } = loadBundledMnist();
  writeIdx('train', train, 400, 20);
  const testPixels = writeIdx('t10k', held, 100, 20);
  writeFileSync(join(dir, 'digit.png'), encodePng({ width: 28, height: 28, channels: 1, data: testPixels.slice(0, 784) }));
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('waldo train writes weights and a checkpoint, and --resume continues the run', () => {
  const first = waldo('train', '--data', 'idx:digits', '--epochs', '1', '--out', 'run', '--seed', '1', '--quiet');
  assert.equal(first.code, 0, first.err);
  assert.match(first.out, /^held-out accuracy \d+\.\d\d% after 1 epochs in [\d.]+s; weights in run\/model\.safetensors\n$/);
  assert.ok(existsSync(join(dir, 'run', 'model.safetensors')) && existsSync(join(dir, 'run', 'checkpoint.safetensors')));
  const resumed = waldo('train', '--out', 'run', '--resume', '--epochs', '2');
  assert.equal(resumed.code, 0, resumed.err);
  assert.match(resumed.out, /\(resuming after epoch 1\)/);
  assert.match(resumed.out, /epoch 2\/2: train loss/);
  assert.match(resumed.out, /after 2 epochs/);
});

/** Width and height of a PNG the command wrote (decoding it proves it is a real PNG). */
function pngSize(file: string): [number, number] {
  const image = decodePng(readFileSync(join(dir, file)), file);
  return [image.width, image.height];
}

test('training writes its loss and accuracy curves; waldo show draws filters and feature maps', () => {
  assert.deepEqual(pngSize('run/curves.png'), [640, 600]);
  const filters = waldo('show', 'filters', '--weights', 'run/model.safetensors', '--out', 'filters.png');
  assert.equal(filters.code, 0, filters.err);
  assert.equal(filters.out, '6 filters of 1×5×5 written to filters.png\n');
  // 6 tiles of 5×5 pixels drawn 12× with 2-pixel gaps: 6·(60 + 2) + 2 wide, 60 + 4 high.
  assert.deepEqual(pngSize('filters.png'), [374, 64]);
  const maps = waldo('show', 'maps', '--weights', 'run/model.safetensors', '--input', 'digit.png');
  assert.equal(maps.code, 0, maps.err);
  assert.equal(maps.out, 'features.0: 6 maps of 28×28 written to maps-features.0.png\nfeatures.3: 16 maps of 10×10 written to maps-features.3.png\n');
  assert.deepEqual(pngSize('maps-features.0.png'), [6 * (84 + 2) + 2, 84 + 4]);
  assert.deepEqual(pngSize('maps-features.3.png'), [8 * (30 + 2) + 2, 2 * (30 + 2) + 2]);
  assert.equal(waldo('show', 'maps', '--weights', 'run/model.safetensors').code, 2);
});

test('waldo compare trains an MLP and two CNNs and tabulates accuracy under shifts', () => {
  const r = waldo('compare', '--epochs', '1', '--train-size', '256', '--test-size', '100', '--max-shift', '2', '--out', 'compare.png');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /shift \(px\)\s+mlp \(59,518\)\s+cnn \(lenet5\) \(61,706\)\s+cnn \(global pool\) \(57,834\)\n0\s+[\d.]+%\s+[\d.]+%\s+[\d.]+%\n1\s/);
  assert.match(r.out, /\n2\s+[\d.]+%\s+[\d.]+%\s+[\d.]+%\nplot written to compare\.png\n$/);
  assert.deepEqual(pngSize('compare.png'), [640, 400]);
});

test('waldo equivariance: circular padding commutes with shifts exactly, zero padding away from the border', () => {
  const r = waldo('equivariance', '--weights', 'run/model.safetensors', '--max-shift', '2');
  assert.equal(r.code, 0, r.err);
  const rows = r.out.split('\n').filter((l) => /^\(-?\d+, -?\d+\)/.test(l));
  assert.equal(rows.length, 4);
  for (const row of rows) {
    const [circular, whole, interior] = row.trim().split(/\s+/).slice(2).map(Number);
    assert.equal(circular, 0, row);
    assert.equal(interior, 0, row);
    assert.ok(whole > 0.1, row);
  }
  assert.match(r.out, /lenet5 on 500 held-out digits moved right by s pixels: predictions unchanged\ns = 1: [\d.]+%\ns = 2: [\d.]+%\n$/);
});

test('waldo scanning: both scanning MLPs equal their Conv1d stacks, with the parameter counts', () => {
  const r = waldo('scanning');
  assert.equal(r.code, 0, r.err);
  const differences = [...r.out.matchAll(/max \|MLP − Conv1d stack\| = ([\d.e+-]+)/g)].map((m) => Number(m[1]));
  assert.equal(differences.length, 2);
  assert.ok(differences.every((d) => d < 1e-5), r.out);
  assert.match(r.out, /340 parameters/);
  assert.match(r.out, /\(hidden 56, 24\) needs 2,420 parameters/);
});

test('waldo eval and waldo predict use the trained weights', () => {
  const evaluated = waldo('eval', '--weights', 'run/model.safetensors', '--data', 'idx:digits');
  assert.equal(evaluated.code, 0, evaluated.err);
  assert.match(evaluated.out, /^lenet5 on digits: 100 examples, loss \d+\.\d{4}, accuracy \d+\.\d\d%/);
  const predicted = waldo('predict', '--weights', 'run/model.safetensors', '--top', '2', 'digit.png');
  assert.equal(predicted.code, 0, predicted.err);
  assert.match(predicted.out, /^digit\.png: \d \(\d [\d.]+%, \d [\d.]+%\)\n$/);
});

test('waldo summary prints the table with totals', () => {
  const r = waldo('summary', '--model', 'lenet5');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /features\.0\s+Conv2d\s+\[1, 6, 28, 28\]\s+156/);
  assert.match(r.out, /total\s+\[1, 10\]\s+61,706/);
  const small = waldo('summary', '--input', '1,1,8,8');
  assert.equal(small.code, 1);
  assert.equal(small.err, 'ShapeError: features.3 (Conv2d): input [1, 6, 4, 4] is too small: height floor((4 + 2*0 - 1*(5-1) - 1)/1) + 1 = 0\n');
});

test('mistakes give one clear line and a non-zero exit code, never a stack trace', () => {
  const cases: [string[], number, RegExp][] = [
    [['train', '--epochs', 'zero'], 2, /^waldo train: --epochs must be an integer ≥ 1, got 'zero'\n$/],
    [['train', '--bogus'], 2, /^waldo train: Unknown option '--bogus'.*\(see 'waldo train --help'\)\n$/],
    [['train', '--data', 'idx:nowhere', '--epochs', '1'], 1, /^FormatError: .*nowhere.*not found/],
    [['frobnicate'], 2, /^waldo: unknown command 'frobnicate'; commands: /],
    [['predict', '--weights', 'run/model.safetensors', 'missing.png'], 1, /^FormatError: missing\.png: cannot read it \(ENOENT\)\n$/],
    [['eval', '--weights', 'digit.png'], 1, /^FormatError: digit\.png: /],
    [['predict'], 2, /^waldo predict: give at least one image file/],
  ];
  for (const [args, code, message] of cases) {
    const r = waldo(...args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, message, args.join(' '));
    assert.doesNotMatch(r.err, /\n\s+at /, `${args.join(' ')} printed a stack trace`);
  }
});

test('--help on every command prints its usage and options', () => {
  for (const command of ['train', 'eval', 'predict', 'summary']) {
    const r = waldo(command, '--help');
    assert.equal(r.code, 0);
    assert.match(r.out, new RegExp(`Usage: waldo ${command}`));
    assert.match(r.out, /-h, --help\s+show this help/);
  }
});
