import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'fflate';
import { FormatError } from '../../src/errors.js';
import { decodeIdx, encodeIdx } from '../../src/io/idx.js';

function rejects(bytes: Uint8Array, fileName: string, fragment: RegExp): void {
  assert.throws(
    () => decodeIdx(bytes, fileName),
    (error: unknown) => error instanceof FormatError && error.file === fileName && error.message.startsWith(`${fileName}: `) && fragment.test(error.message),
  );
}

test('encodes the documented IDX layout', () => {
  const bytes = encodeIdx('uint8', [2, 3], [1, 2, 3, 4, 5, 255]);
  assert.deepEqual(Array.from(bytes), [0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 255]);
  const ints = encodeIdx('int32', [1], [-2]);
  assert.deepEqual(Array.from(ints), [0, 0, 0x0c, 1, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe]);
});

test('round trips uint8, int32 and float32', () => {
  const images = decodeIdx(encodeIdx('uint8', [2, 2, 2], [0, 1, 2, 3, 252, 253, 254, 255]), 'images-idx3-ubyte');
  assert.equal(images.dtype, 'uint8');
  assert.deepEqual(images.shape, [2, 2, 2]);
  assert.ok(images.data instanceof Uint8Array);
  assert.deepEqual(Array.from(images.data), [0, 1, 2, 3, 252, 253, 254, 255]);

  const labels = decodeIdx(encodeIdx('int32', [3], [7, -1, 2147483647]), 'labels');
  assert.equal(labels.dtype, 'int32');
  assert.ok(labels.data instanceof Int32Array);
  assert.deepEqual(Array.from(labels.data), [7, -1, 2147483647]);

  const floats = decodeIdx(encodeIdx('float32', [1, 3], [0.5, -1e-3, 3e38]), 'floats');
  assert.equal(floats.dtype, 'float32');
  assert.deepEqual(floats.shape, [1, 3]);
  assert.deepEqual(Array.from(floats.data), [0.5, Math.fround(-1e-3), Math.fround(3e38)]);
});

test('decodes hand-written int8, int16 and float64 files (big-endian)', () => {
  const i8 = decodeIdx(Uint8Array.from([0, 0, 0x09, 1, 0, 0, 0, 2, 0x80, 0x7f]), 'i8');
  assert.deepEqual([i8.dtype, i8.shape, Array.from(i8.data)], ['int8', [2], [-128, 127]]);
  const i16 = decodeIdx(Uint8Array.from([0, 0, 0x0b, 1, 0, 0, 0, 2, 0x80, 0x00, 0x01, 0x02]), 'i16');
  assert.deepEqual([i16.dtype, Array.from(i16.data)], ['int16', [-32768, 258]]);
  const f64 = decodeIdx(Uint8Array.from([0, 0, 0x0e, 1, 0, 0, 0, 1, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]), 'f64');
  assert.deepEqual([f64.dtype, Array.from(f64.data)], ['float64', [1.5]]);
});

test('decodes gzipped files transparently', () => {
  const plain = encodeIdx('uint8', [3, 2], [9, 8, 7, 6, 5, 4]);
  const decoded = decodeIdx(gzipSync(plain), 'train-images-idx3-ubyte.gz');
  assert.deepEqual(decoded.shape, [3, 2]);
  assert.deepEqual(Array.from(decoded.data), [9, 8, 7, 6, 5, 4]);
});

test('decoded data does not alias the input (Node buffers may be pooled)', () => {
  const bytes = Buffer.from(encodeIdx('uint8', [2], [1, 2]));
  const decoded = decodeIdx(bytes, 'x');
  bytes.fill(0);
  assert.deepEqual(Array.from(decoded.data), [1, 2]);
});

test('rejects truncated files and trailing bytes, giving both sizes', () => {
  const full = encodeIdx('uint8', [2, 3], [1, 2, 3, 4, 5, 6]);
  rejects(full.subarray(0, full.length - 2), 'short.idx', /IDX shape \[2, 3\] of uint8 needs 6 data bytes but the file has 4 \(truncated\)/);
  rejects(Uint8Array.from([...full, 0, 0, 0]), 'long.idx', /needs 6 data bytes but the file has 9 \(3 trailing bytes\)/);
  const ints = encodeIdx('int32', [2], [1, 2]);
  rejects(ints.subarray(0, ints.length - 1), 'ints.idx', /of int32 needs 8 data bytes but the file has 7 \(truncated\)/);
  rejects(full.subarray(0, 6), 'header.idx', /6 bytes long, too short for an IDX header with 2 dimensions \(12 bytes\)/);
  rejects(Uint8Array.from([0, 0]), 'tiny.idx', /2 bytes long, too short for an IDX header/);
});

test('rejects bad magic, unknown type codes and zero dimensions', () => {
  rejects(new TextEncoder().encode('<html>404</html>'), 'page.idx', /not an IDX file: it starts with bytes 3c 68 74 6d, expected 00 00/);
  rejects(Uint8Array.from([0, 0, 0x0a, 1, 0, 0, 0, 1, 5]), 'type.idx', /unknown IDX type code 0x0a/);
  rejects(Uint8Array.from([0, 0, 0x08, 0]), 'scalar.idx', /IDX header declares 0 dimensions/);
});

test('rejects a corrupt gzip stream, naming the file', () => {
  const gz = gzipSync(encodeIdx('uint8', [100], Array.from({ length: 100 }, (_, i) => (i * 37) % 256)));
  rejects(gz.subarray(0, 15), 'train-labels.gz', /is gzip-compressed but cannot be decompressed/);
  const garbage = Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  rejects(garbage, 'garbage.gz', /is gzip-compressed but cannot be decompressed/);
});

test('encodeIdx checks its arguments', () => {
  assert.throws(() => encodeIdx('uint8', [2, 2], [1, 2, 3]), /holds 4 values but 3 were given/);
  assert.throws(() => encodeIdx('uint8', [], []), /1 to 255 dimensions/);
});
