import { test } from 'node:test';
import assert from 'node:assert/strict';
import jpeg from 'jpeg-js';
import { FormatError } from '../../src/errors.js';
import { decodeJpeg } from '../../src/io/jpeg.js';

/** A width x height JPEG of one flat colour, written by jpeg-js at quality 100. */
function flatJpeg(width: number, height: number, rgb: [number, number, number]): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) rgba.set([...rgb, 255], 4 * i);
  return new Uint8Array(jpeg.encode({ width, height, data: rgba }, 100).data);
}

test('decodes a flat-colour JPEG to RGB within ±3 per sample', () => {
  const decoded = decodeJpeg(flatJpeg(16, 8, [200, 40, 90]), 'flat.jpg');
  assert.equal(decoded.width, 16);
  assert.equal(decoded.height, 8);
  assert.equal(decoded.channels, 3);
  assert.ok(decoded.data instanceof Uint8Array);
  assert.equal(decoded.data.length, 16 * 8 * 3);
  for (let i = 0; i < decoded.data.length; i += 3) {
    const pixel = Array.from(decoded.data.subarray(i, i + 3));
    [200, 40, 90].forEach((want, c) => assert.ok(Math.abs(pixel[c]! - want) <= 3, `pixel ${i / 3}: ${pixel} vs 200,40,90`));
  }
});

test('odd sizes decode to exactly width x height pixels', () => {
  const decoded = decodeJpeg(flatJpeg(5, 3, [0, 0, 0]), 'odd.jpg');
  assert.deepEqual([decoded.width, decoded.height, decoded.data.length], [5, 3, 45]);
  assert.ok(decoded.data.every((v) => v <= 3));
});

test('wraps jpeg-js errors into a FormatError naming the file', () => {
  assert.throws(
    () => decodeJpeg(new TextEncoder().encode('definitely not a jpeg'), 'photo.jpg'),
    (error: unknown) => error instanceof FormatError && error.file === 'photo.jpg' && /^photo\.jpg: cannot decode JPEG \(.+\)$/.test(error.message),
  );
  const truncated = flatJpeg(16, 16, [10, 20, 30]).subarray(0, 200);
  assert.throws(() => decodeJpeg(truncated, 'cut.jpg'), (error: unknown) => error instanceof FormatError && error.file === 'cut.jpg');
});
