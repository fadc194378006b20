import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { findChromium } from './chromium.js';
import { serveStatic } from './staticServer.js';
import { repoRoot } from '../helpers/paths.js';

// The wasm backend's thread pool in a real browser: Web Workers sharing the wasm memory of a
// cross-origin-isolated page, started from a module worker, splitting a matmul between two threads.

test('in Chromium, the wasm backend runs kernels on two Web Worker threads over shared memory', { timeout: 60_000 }, async () => {
  const executablePath = findChromium();
  assert.ok(executablePath !== null, 'no Chromium found: install Debian\'s chromium or set CHROMIUM_PATH (.ci/run installs it)');
  const server = await serveStatic(repoRoot());
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}test/browser/pages/threads.html`);
    const result = await page.evaluate(() => (window as unknown as { result: Promise<{ crossOriginIsolated: boolean; threads: number[]; worst: number }> }).result);
    assert.equal(result.crossOriginIsolated, true);
    assert.equal(result.threads[result.threads.length - 1], 2, `threads per call: ${result.threads.join(', ')}`);
    assert.ok(result.worst < 1e-3, `max difference from the reference backend ${result.worst}`);
  } finally {
    await browser.close();
    await server.close();
  }
});
