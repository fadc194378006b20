import { test } from 'node:test';
import assert from 'node:assert/strict';
import jpeg from 'jpeg-js';
import { FormatError } from '../../src/errors.js';
import { decodeImage } from '../../src/io/image.js';
import { encodePng } from '../../src/io/png.js';

test('decodeImage dispatches PNG by its signature', () => {
  const data = Uint8Array.from([0, 64, 128, 255, 1, 2]);
  const decoded = decodeImage(encodePng({ width: 3, height: 2, channels: 1, data }), 'digit.jpg');
  assert.deepEqual(decoded, { width: 3, height: 2, channels: 1, data });
});

test('decodeImage dispatches JPEG by its SOI marker', () => {
  const rgba = new Uint8Array(8 * 8 * 4);
  for (let i = 0; i < 64; i++) rgba.set([30, 160, 220, 255], 4 * i);
  const decoded = decodeImage(new Uint8Array(jpeg.encode({ width: 8, height: 8, data: rgba }, 100).data), 'sky.png');
  assert.deepEqual([decoded.width, decoded.height, decoded.channels], [8, 8, 3]);
  for (let i = 0; i < decoded.data.length; i += 3) {
    [30, 160, 220].forEach((want, c) => assert.ok(Math.abs(decoded.data[i + c]! - want) <= 3, `sample ${i + c}`));
  }
});

test('decodeImage rejects other files, showing their first bytes', () => {
  assert.throws(
    () => decodeImage(new TextEncoder().encode('label,file\n3,a.png\n'), 'labels.csv'),
    (error: unknown) =>
      error instanceof FormatError &&
      error.file === 'labels.csv' &&
      error.message === 'labels.csv: is neither a PNG nor a JPEG image (first bytes 6c 61 62 65 6c 2c 66 69; expected 89 50 4e 47 for PNG or ff d8 ff for JPEG)',
  );
  assert.throws(() => decodeImage(new Uint8Array(0), 'empty.png'), /empty\.png: is neither a PNG nor a JPEG image \(first bytes none: the file is empty/);
});

test('a file with a PNG signature but broken contents reports the PNG problem', () => {
  const png = encodePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(12) });
  assert.throws(() => decodeImage(png.subarray(0, png.length - 12), 'broken.png'), /broken\.png: is truncated: no IEND chunk/);
});
