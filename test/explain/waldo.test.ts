import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { noGrad } from '../../src/autograd/gradMode.js';
import { Linear } from '../../src/nn/index.js';
import { decodePng } from '../../src/io/png.js';
import { generateScene, WALDO_HEIGHT, WALDO_WIDTH } from '../../src/explain/waldoScenes.js';
import { evaluateDetector, findWaldo, presenceLogit, trainWaldoDetector, waldoDetector } from '../../src/explain/waldoDetector.js';
import * as explain from '../../src/explain/index.js';
import { repoRoot } from '../helpers/paths.js';
// The WebAssembly backend (the one the CLI and the package entry point register), on one thread:
// the training test's time budget below was measured that way.
import { setNumThreads } from '../../src/backend/wasm/index.js';

setNumThreads(1);

const rgb = (image: Float32Array, width: number, height: number, x: number, y: number) => {
  const plane = width * height;
  const i = y * width + x;
  return [image[i]!, image[plane + i]!, image[2 * plane + i]!] as const;
};
const isRed = ([r, g, b]: readonly number[]) => r > 0.7 && g < 0.25 && b < 0.25;
const isWhite = ([r, g, b]: readonly number[]) => r > 0.85 && g > 0.85 && b > 0.85;

/** Centres of every 7-wide patch of five rows striped red/white/red/white/red: Waldo's jumper. */
function stripedPatches(image: Float32Array, width: number, height: number): { x: number; y: number }[] {
  const found = [];
  for (let y = 0; y + 5 <= height; y++) {
    for (let x = 0; x + WALDO_WIDTH <= width; x++) {
      let ok = true;
      for (let r = 0; r < 5 && ok; r++) {
        for (let c = 0; c < WALDO_WIDTH && ok; c++) ok = (r % 2 === 0 ? isRed : isWhite)(rgb(image, width, height, x + c, y + r));
      }
      // The jumper's middle row is Waldo's centre row; see WALDO_SPRITE.
      if (ok) found.push({ x: x + (WALDO_WIDTH >> 1), y: y + 1 });
    }
  }
  return found;
}

test('generateScene is seeded: same seed, same bytes; another seed, another scene', () => {
  const a = generateScene(new Generator(5), { width: 48, height: 40, withWaldo: true });
  const b = generateScene(new Generator(5), { width: 48, height: 40, withWaldo: true });
  const c = generateScene(new Generator(6), { width: 48, height: 40, withWaldo: true });
  assert.deepEqual(a, b);
  assert.equal(a.image.length, 3 * 48 * 40);
  assert.ok(a.image.every((v) => v >= 0 && v <= 1));
  assert.notDeepEqual(a.image, c.image);
  assert.ok(explain.generateScene === generateScene && typeof explain.findWaldo === 'function');
});

test('Waldo is a red-and-white striped figure at the reported location, and only there', () => {
  for (let seed = 0; seed < 12; seed++) {
    const g = new Generator(seed);
    const scene = generateScene(g, { width: 64, height: 64, withWaldo: true });
    assert.ok(scene.waldo !== null);
    const { x, y } = scene.waldo;
    assert.ok(x >= WALDO_WIDTH >> 1 && x < 64 - (WALDO_WIDTH >> 1) && y >= WALDO_HEIGHT >> 1 && y < 64 - (WALDO_HEIGHT >> 1));
    assert.ok(isWhite(rgb(scene.image, 64, 64, x, y)) && isRed(rgb(scene.image, 64, 64, x, y - 1)) && isRed(rgb(scene.image, 64, 64, x, y + 1)), `seed ${seed}: no stripes at (${x}, ${y})`);
    assert.deepEqual(stripedPatches(scene.image, 64, 64), [{ x, y }]);
    const empty = generateScene(g, { width: 64, height: 64, withWaldo: false });
    assert.equal(empty.waldo, null);
    assert.deepEqual(stripedPatches(empty.image, 64, 64), [], `seed ${seed}: stripes in a scene without Waldo`);
  }
  // Clutter is not only other colours: red and white shapes are common, so colour alone cannot find him.
  const busy = generateScene(new Generator(1), { width: 128, height: 128, withWaldo: false });
  let red = 0;
  let white = 0;
  for (let y = 0; y < 128; y++) {
    for (let x = 0; x < 128; x++) {
      const p = rgb(busy.image, 128, 128, x, y);
      if (isRed(p)) red++;
      if (isWhite(p)) white++;
    }
  }
  assert.ok(red > 100 && white > 100, `red ${red}, white ${white} pixels of clutter`);
});

test('the detector is fully convolutional: no dense layer, and the score map follows the input size', () => {
  const model = waldoDetector(new Generator(0));
  assert.ok(!model.modules().some((m) => m instanceof Linear));
  model.eval();
  for (const [h, w] of [[48, 48], [97, 131]] as const) {
    const scores = noGrad(() => model.call(new Tensor(new Float32Array(3 * h * w).fill(0.5), [1, 3, h, w])));
    assert.deepEqual(scores.shape, [1, 1, Math.floor(h / 2), Math.floor(w / 2)]);
    assert.deepEqual(presenceLogit(scores).shape, [1]);
  }
  const scene = generateScene(new Generator(3), { width: 131, height: 97, withWaldo: true });
  const found = findWaldo(model, scene.image, 131, 97);
  assert.deepEqual(found.scoreMap.shape, [48, 65]);
  assert.ok(found.probability > 0 && found.probability < 1 && found.x >= 0 && found.x < 131 && found.y >= 0 && found.y < 97);
});

test('a short training run finds Waldo far better than chance on larger held-out scenes', () => {
  // 60 steps of 8 scenes of 48×48 (about 10 s on one thread). Measured on held-out 96×96 scenes
  // (seed 77, 60 scenes, half with Waldo): presence accuracy 0.98 and located within 4 px 1.00 for
  // training seed 1 (seeds 2 and 3 gave 0.92/0.80 and 1.00/1.00). Chance is 0.5 for presence and
  // about 0.005 for the location (a 4 px disc in a 96×96 scene); the thresholds leave a wide margin.
  const { model, losses } = trainWaldoDetector({ steps: 60, batchSize: 8, sceneSize: 48, seed: 1 });
  assert.equal(losses.length, 60);
  assert.ok(losses.every(Number.isFinite));
  const r = evaluateDetector(model, { scenes: 60, size: 96, seed: 77 });
  assert.ok(r.presenceAccuracy >= 0.8, `presence accuracy ${r.presenceAccuracy}`);
  assert.ok(r.locatedWithin4px >= 0.6, `located within 4 px ${r.locatedWithin4px}`);
});

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'waldo-find-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('waldo find trains a detector, generates a scene, prints the location and writes a heatmap PNG', () => {
  const main = join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
  const waldo = (...args: string[]) => {
    const r = spawnSync(process.execPath, [main, 'find', ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, WALDO_THREADS: '1' } });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const trained = waldo('--train', '--steps', '15', '--batch', '4', '--seed', '1', '--eval-scenes', '4', '--eval-size', '64', '--weights', 'w.safetensors', '--quiet');
  assert.equal(trained.code, 0, trained.err);
  assert.match(trained.out, /^held-out 4 scenes of 64x64 \(half with Waldo\): presence accuracy [\d.]+%, located within 4 px [\d.]+%.*weights in w\.safetensors\n$/);
  const scene = waldo('--scene', 'scene.png', '--seed', '4', '--size', '80');
  assert.equal(scene.code, 0, scene.err);
  assert.match(scene.out, /^wrote scene\.png: 80x80 scene, seed 4, Waldo at \(\d+, \d+\)\n$/);
  const found = waldo('scene.png', '--weights', 'w.safetensors', '--out', 'heat.png');
  assert.equal(found.code, 0, found.err);
  assert.match(found.out, /^scene\.png: (Waldo at \(\d+, \d+\), probability [\d.]+|no Waldo \(probability [\d.]+\)); heatmap in heat\.png\n$/);
  const heat = decodePng(readFileSync(join(dir, 'heat.png')), 'heat.png');
  assert.deepEqual([heat.width, heat.height, heat.channels], [80, 80, 3]);
  // Without --out the heatmap goes next to the image.
  assert.equal(waldo('scene.png', '--weights', 'w.safetensors').code, 0);
  assert.ok(existsSync(join(dir, 'scene-heatmap.png')));
  // Mistakes are one-line errors, not stack traces.
  const wrongWeights = waldo('scene.png', '--weights', 'missing.safetensors');
  assert.equal(wrongWeights.code, 1);
  assert.match(wrongWeights.err, /missing\.safetensors/);
  assert.equal(waldo('--train', 'scene.png').code, 2);
});
