import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { loadImageFolder } from '../../src/data/imageFolder.js';
import { encodePng } from '../../src/io/png.js';

/** A w×h image of one colour, as PNG (RGB) or JPEG. */
function solid(kind: 'png' | 'jpg', w: number, h: number, rgb: [number, number, number]): Uint8Array {
  if (kind === 'png') {
    const data = new Uint8Array(w * h * 3).map((_, i) => rgb[i % 3]);
    return encodePng({ width: w, height: h, channels: 3, data });
  }
  const data = new Uint8Array(w * h * 4).map((_, i) => (i % 4 === 3 ? 255 : rgb[i % 4]));
  return jpeg.encode({ width: w, height: h, data }, 100).data;
}

test('image folders: one class per subfolder, PNG and JPEG, every fifth file held out, values in [0, 1]', () => {
  const dir = mkdtempSync(join(tmpdir(), 'waldo-folder-'));
  try {
    for (const [name, rgb] of [['red', [255, 0, 0]], ['blue', [0, 0, 255]]] as const) {
      mkdirSync(join(dir, name));
      for (let i = 0; i < 5; i++) writeFileSync(join(dir, name, `${i}.${i % 2 === 0 ? 'png' : 'jpg'}`), solid(i % 2 === 0 ? 'png' : 'jpg', 4, 3, [...rgb]));
    }
    writeFileSync(join(dir, 'red', 'notes.txt'), 'not an image');
    const { train, test: held, classes } = loadImageFolder(dir);
    assert.deepEqual(classes, ['blue', 'red']);
    assert.equal(train.length, 8);
    assert.equal(held.length, 2);
    const first = train.get(0);
    assert.deepEqual(first.shape, [3, 3, 4]);
    assert.equal(first.label, 0);
    // Blue: channel 2 is 1, channels 0 and 1 are 0 (JPEG within its rounding).
    assert.ok(Math.abs(first.input[2 * 12] - 1) < 0.02 && Math.abs(first.input[0]) < 0.02);
    writeFileSync(join(dir, 'red', '9.png'), solid('png', 5, 3, [1, 2, 3]));
    assert.throws(() => loadImageFolder(dir), /9\.png: is 5×3 but .* is 4×3; images of one dataset must share a size/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.throws(() => loadImageFolder(join(dir, 'gone')), /gone: no such folder/);
});
