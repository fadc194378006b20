/**
 * The playground (web/) in a real Chromium, driven by playwright-core: the site is built with Vite
 * into a temporary folder, served with the cross-origin-isolation headers, and every panel is used
 * the way a person would (clicks, mouse strokes, sliders). One screenshot per panel goes to
 * playground-<feature>.png in the run's temporary folder, or into docs/images with
 * WALDO_UPDATE_SCREENSHOTS=1 (so a test run leaves the checkout as it was).
 *
 * Without a Chromium ($CHROMIUM_PATH, /usr/bin/chromium or `chromium` on the PATH) this file fails,
 * unless WALDO_SKIP_BROWSER=1, which registers no browser tests and says so.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from '../helpers/paths.js';
import { findChromium } from './chromium.js';
import { serveStatic, type StaticServer } from './staticServer.js';

const executablePath = findChromium();
const root = repoRoot();
/** Where the screenshots go: docs/images when updating them, else the run's temporary folder. */
let screenshots = join(root, 'docs', 'images');

/** Reads a canvas: how many pixels differ from its top-left pixel, and a hash of all of them. */
async function canvasInfo(page: Page, id: string): Promise<{ width: number; height: number; painted: number; hash: number }> {
  return page.evaluate((canvasId) => {
    const canvas = document.getElementById(canvasId) as HTMLCanvasElement;
    const { width, height } = canvas;
    const data = canvas.getContext('2d')!.getImageData(0, 0, width, height).data;
    let painted = 0;
    let hash = 2166136261;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) painted++;
      hash = Math.imul(hash ^ data[i]! ^ (data[i + 1]! << 8) ^ (data[i + 2]! << 16), 16777619) >>> 0;
    }
    return { width, height, painted, hash };
  }, id);
}

const counter = (page: Page, key: string) => page.evaluate((k) => Number(document.body.dataset[k] ?? '0'), key);

async function waitForCounter(page: Page, key: string, above: number, timeout = 60_000): Promise<void> {
  await page.waitForFunction(([k, n]) => Number(document.body.dataset[k as string] ?? '0') > (n as number) || document.body.dataset.error !== undefined, [key, above], { timeout });
  const error = await page.evaluate(() => document.body.dataset.error);
  assert.equal(error, undefined, `the page reported an error: ${error}`);
}

async function screenshot(page: Page, section: string, feature: string): Promise<void> {
  mkdirSync(screenshots, { recursive: true });
  await page.locator(section).screenshot({ path: join(screenshots, `playground-${feature}.png`) });
}

if (executablePath === null) {
  if (process.env.WALDO_SKIP_BROWSER === '1') {
    console.log('# browser tests: no Chromium found and WALDO_SKIP_BROWSER=1, so no browser tests are registered');
  } else {
    test('a Chromium to run the browser tests in', () => {
      assert.fail('no Chromium found (looked at $CHROMIUM_PATH, /usr/bin/chromium and chromium on the PATH): install it (apt-get install chromium), point CHROMIUM_PATH at one, or set WALDO_SKIP_BROWSER=1 to run without the browser tests');
    });
  }
} else {
  describe('the playground in Chromium', { timeout: 240_000 }, () => {
    let tempDir: string;
    let outDir: string;
    let server: StaticServer;
    let browser: Browser;
    let page: Page;
    const problems: string[] = [];

    before(async () => {
      tempDir = mkdtempSync(join(tmpdir(), 'waldo-web-'));
      outDir = join(tempDir, 'site');
      if (process.env.WALDO_UPDATE_SCREENSHOTS !== '1') screenshots = join(tempDir, 'screenshots');
      const build = spawnSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(root, 'web', 'vite.config.ts'), '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], { cwd: root, encoding: 'utf8' });
      assert.equal(build.status, 0, `vite build failed:\n${build.stdout}\n${build.stderr}`);
      server = await serveStatic(outDir);
      browser = await chromium.launch({ executablePath: executablePath!, args: ['--no-sandbox'] });
      page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => { if (message.type() === 'error') problems.push(`console error: ${message.text()}`); });
      await page.goto(server.url);
      await waitForCounter(page, 'ready', 0);
    });

    after(async () => {
      await browser?.close();
      await server?.close();
      if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
    });

    test('the page is cross-origin isolated and waldo runs on the wasm backend', async () => {
      assert.equal(await page.evaluate(() => crossOriginIsolated), true);
      assert.equal(await page.evaluate(() => document.body.dataset.backend), 'wasm');
      assert.match(await page.locator('#status').innerText(), /8,000 training \/ 2,000 held-out/);
      assert.deepEqual(problems, []);
    });

    test('training a few steps advances the progress and draws the loss and accuracy charts', async () => {
      const lossBefore = await canvasInfo(page, 'loss-chart');
      const accBefore = await canvasInfo(page, 'acc-chart');
      assert.equal(lossBefore.painted, 0, 'the loss chart is blank before training');
      await page.fill('#train-steps', '120');
      await page.fill('#lr', '0.003');
      await page.click('#train');
      await page.waitForFunction(() => (document.getElementById('progress') as HTMLProgressElement).value >= 1);
      const firstLoss = Number(await page.locator('#loss').innerText());
      // Done when the Train button is enabled again.
      await page.waitForFunction(() => !(document.getElementById('train') as HTMLButtonElement).disabled, undefined, { timeout: 60_000 });
      const progress = await page.evaluate(() => { const p = document.getElementById('progress') as HTMLProgressElement; return [p.value, p.max]; });
      assert.deepEqual(progress, [120, 120]);
      assert.equal(await page.locator('#step').innerText(), '120');
      const lastLoss = Number(await page.locator('#loss').innerText());
      assert.ok(Number.isFinite(firstLoss) && Number.isFinite(lastLoss));
      assert.ok(lastLoss < firstLoss, `the loss falls: ${firstLoss} → ${lastLoss}`);
      const lossAfter = await canvasInfo(page, 'loss-chart');
      const accAfter = await canvasInfo(page, 'acc-chart');
      assert.ok(lossAfter.painted > 1000 && lossAfter.hash !== lossBefore.hash, 'the loss chart changed');
      assert.ok(accAfter.painted > 1000 && accAfter.hash !== accBefore.hash, 'the accuracy chart changed');
      const accuracy = Number((await page.locator('#accuracy').innerText()).replace('%', ''));
      assert.ok(accuracy > 50, `held-out accuracy after 120 steps: ${accuracy}%`);
      await screenshot(page, '#train-panel', 'training');
    });

    test('a digit drawn with the mouse gets a prediction with ten probabilities summing to 1', async () => {
      const before = await counter(page, 'predictions');
      const box = (await page.locator('#pad').boundingBox())!;
      // A "7": a bar across the top, then a stroke down to the bottom left.
      await page.mouse.move(box.x + 70, box.y + 60);
      await page.mouse.down();
      await page.mouse.move(box.x + 210, box.y + 60, { steps: 12 });
      await page.mouse.move(box.x + 120, box.y + 235, { steps: 16 });
      await page.mouse.up();
      await waitForCounter(page, 'predictions', before);
      const probabilities = await page.$$eval('#probs li', (items) => items.map((item) => Number((item as HTMLElement).dataset.p)));
      assert.equal(probabilities.length, 10);
      assert.ok(probabilities.every((p) => p >= 0 && p <= 1));
      assert.ok(Math.abs(probabilities.reduce((s, p) => s + p, 0) - 1) < 1e-4);
      const predicted = Number(await page.locator('#prediction').innerText());
      assert.equal(predicted, probabilities.indexOf(Math.max(...probabilities)));
      assert.equal(predicted, 7, `the drawn 7 is read as ${predicted} (probabilities ${probabilities.map((p) => p.toFixed(2)).join(' ')})`);
      assert.ok((await canvasInfo(page, 'input28')).painted > 30, 'the 28×28 input shows the digit');
      await screenshot(page, '#draw-panel', 'draw');
    });

    test('the first-layer filters and the feature maps of the drawn digit are painted', async () => {
      const filters = await canvasInfo(page, 'filters');
      const maps1 = await canvasInfo(page, 'maps1');
      const maps2 = await canvasInfo(page, 'maps2');
      assert.ok(filters.painted > 100, `filters: ${filters.painted} painted pixels`);
      assert.ok(maps1.width > 6 * 28 && maps1.painted > 1000, `conv1 maps: ${maps1.painted} painted pixels`);
      assert.ok(maps2.painted > 500, `conv2 maps: ${maps2.painted} painted pixels`);
      await screenshot(page, '#maps-panel', 'feature-maps');
    });

    test('shifting the input moves the feature maps and keeps the prediction', async () => {
      const predicted = await page.locator('#prediction').innerText();
      const mapsBefore = await canvasInfo(page, 'maps1');
      const inputBefore = await canvasInfo(page, 'input28');
      const before = await counter(page, 'predictions');
      await page.fill('#shift-x', '2');
      await waitForCounter(page, 'predictions', before);
      assert.equal(await page.locator('#shift-label').innerText(), 'shift (2, 0) px');
      const mapsAfter = await canvasInfo(page, 'maps1');
      assert.notEqual(mapsAfter.hash, mapsBefore.hash, 'the feature maps moved');
      assert.notEqual((await canvasInfo(page, 'input28')).hash, inputBefore.hash, 'the input moved');
      assert.equal(await page.locator('#prediction').innerText(), predicted, 'a 2-pixel shift keeps the class');
      await page.locator('#maps-panel').scrollIntoViewIfNeeded();
      await screenshot(page, '#maps-panel', 'shift');
    });

    test('the Waldo finder trains a little and draws its heatmap over a scene', async () => {
      const before = await counter(page, 'waldo');
      await page.fill('#waldo-steps', '20');
      await page.click('#waldo-run');
      await waitForCounter(page, 'waldo', before, 60_000);
      const scene = await canvasInfo(page, 'waldo-scene');
      const heatmap = await canvasInfo(page, 'waldo-heatmap');
      assert.equal(heatmap.width, 128);
      assert.equal(heatmap.height, 128);
      assert.ok(heatmap.painted > 1000, 'the heatmap is painted');
      assert.notEqual(heatmap.hash, scene.hash, 'the heatmap differs from the bare scene');
      assert.match(await page.locator('#waldo-result').innerText(), /Score map 64×64/);
      await screenshot(page, '#waldo-panel', 'waldo');
    });

    test('the built site also works from a plain static host, in a subfolder, without isolation headers', async () => {
      const plain = await serveStatic(tempDir, { isolated: false });
      const other = await browser.newPage();
      const errors: string[] = [];
      other.on('pageerror', (error) => errors.push(error.message));
      try {
        await other.goto(`${plain.url}site/`);
        await waitForCounter(other, 'ready', 0);
        assert.equal(await other.evaluate(() => crossOriginIsolated), false);
        // Chromium still creates shared wasm memory here (no worker threads can share it, though);
        // engines that do not get waldo's JavaScript kernels instead.
        assert.ok(['wasm', 'reference'].includes((await other.evaluate(() => document.body.dataset.backend))!));
        assert.match(await other.locator('#status').innerText(), /cross-origin isolated: no/);
        await waitForCounter(other, 'dense', 0);
        assert.equal(await other.locator('#dense-conv').innerText(), '36,928');
        assert.deepEqual(errors, []);
      } finally {
        await other.close();
        await plain.close();
      }
    });

    test('the dense-versus-conv panel counts parameters for the sizes typed in', async () => {
      // The defaults: a 3×3 conv, 64 → 64 channels, padding 1, on 32×32.
      assert.equal(await page.locator('#dense-conv').innerText(), '36,928');
      assert.equal(await page.locator('#dense-dense').innerText(), '4,295,032,832');
      await screenshot(page, '#dense-panel', 'dense-vs-conv');
      const before = await counter(page, 'dense');
      await page.fill('#dense-cin', '1');
      await waitForCounter(page, 'dense', before);
      const next = await counter(page, 'dense');
      await page.fill('#dense-cout', '6');
      await waitForCounter(page, 'dense', next);
      const last = await counter(page, 'dense');
      await page.fill('#dense-k', '5');
      await page.fill('#dense-pad', '2');
      await page.fill('#dense-h', '28');
      await page.fill('#dense-w', '28');
      // Replies to requests overtaken by the next fill are dropped: wait for the one to the last request.
      await page.waitForFunction(() => document.body.dataset.denseShown !== undefined && document.body.dataset.denseShown === document.body.dataset.denseRequested);
      assert.ok(await counter(page, 'dense') > last);
      // LeNet-5's first layer: 6·(5·5) + 6 = 156 parameters; dense 784 → 4704 has 784·4704 + 4704.
      assert.equal(await page.locator('#dense-conv').innerText(), '156');
      assert.equal(await page.locator('#dense-dense').innerText(), (784 * 4704 + 4704).toLocaleString('en-US'));
      assert.deepEqual(problems, []);
    });
  });
}
