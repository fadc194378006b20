import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FormatError } from '../../src/errors.js';
import { decodeSafetensors, encodeSafetensors, type NamedArray } from '../../src/io/safetensors.js';
import { fixturePath } from '../helpers/paths.js';

const FILE = 'bad.safetensors';

/** A safetensors file from header text (unpadded, as the format allows) and data bytes. */
function build(header: string | object, data: ArrayLike<number> = [], headerBytes?: Uint8Array): Uint8Array {
  const text = headerBytes ?? new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(Array.from(data), 8 + text.length);
  return out;
}

/** Asserts decoding throws a FormatError naming FILE whose message matches `fragment`. */
function rejects(bytes: Uint8Array, fragment: RegExp): void {
  assert.throws(
    () => decodeSafetensors(bytes, FILE),
    (error: unknown) => {
      assert.ok(error instanceof FormatError, `expected a FormatError, got ${String(error)}`);
      assert.equal(error.file, FILE);
      assert.ok(error.message.startsWith(`${FILE}: `), error.message);
      assert.match(error.message, fragment);
      return true;
    },
  );
}

const f32 = (name: string, shape: number[], offsets: [number, number]) => ({ [name]: { dtype: 'F32', shape, data_offsets: offsets } });

test('round trip keeps names, order, shapes, dtypes, values and metadata', () => {
  const tensors = new Map<string, NamedArray>([
    ['conv.weight', { dtype: 'float32', shape: [2, 1, 2, 2], data: Float32Array.from([0.5, -1.25, 3, 1e-8, -0, 7, 8, Infinity]) }],
    ['10', { dtype: 'int32', shape: [2], data: Int32Array.from([-2147483648, 2147483647]) }],
    ['bn.running_mean', { dtype: 'float64', shape: [3], data: Float64Array.from([Math.PI, -1e300, 5e-324]) }],
    ['bn.num_batches_tracked', { dtype: 'int64', shape: [], data: BigInt64Array.from([-(2n ** 62n) - 3n]) }],
    ['bytes', { dtype: 'uint8', shape: [1, 3], data: Uint8Array.from([0, 128, 255]) }],
    ['signed', { dtype: 'int8', shape: [2], data: Int8Array.from([-128, 127]) }],
    ['shorts', { dtype: 'int16', shape: [2], data: Int16Array.from([-32768, 1234]) }],
    ['mask', { dtype: 'bool', shape: [2], data: Uint8Array.from([1, 0]) }],
    ['empty', { dtype: 'float32', shape: [0, 5], data: new Float32Array(0) }],
  ]);
  const metadata = { format: 'pt', note: 'ünïcode ✓', state: '{"epoch":3}' };
  const bytes = encodeSafetensors(tensors, metadata);

  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal(headerLength % 8, 0, 'header padded to a multiple of 8');
  assert.equal(bytes[8], '{'.charCodeAt(0));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  assert.deepEqual(header['conv.weight'], { dtype: 'F32', shape: [2, 1, 2, 2], data_offsets: [0, 32] });
  assert.deepEqual(header['10'], { dtype: 'I32', shape: [2], data_offsets: [32, 40] });
  assert.deepEqual(header['bn.num_batches_tracked'], { dtype: 'I64', shape: [], data_offsets: [64, 72] });
  assert.deepEqual(header.__metadata__, metadata);
  assert.equal(bytes.length, 8 + headerLength + 32 + 8 + 24 + 8 + 3 + 2 + 4 + 2);

  const decoded = decodeSafetensors(bytes, 'model.safetensors');
  assert.deepEqual([...decoded.tensors.keys()], [...tensors.keys()]);
  assert.deepEqual(decoded.metadata, metadata);
  for (const [name, original] of tensors) {
    const got = decoded.tensors.get(name)!;
    assert.equal(got.dtype, original.dtype, name);
    assert.deepEqual(got.shape, original.shape, name);
    assert.equal(got.data.constructor, original.data.constructor, name);
    assert.deepEqual(Array.from(got.data as ArrayLike<unknown>), Array.from(original.data as ArrayLike<unknown>), name);
  }
  assert.ok(Object.is((decoded.tensors.get('conv.weight')!.data as Float32Array)[4], -0));
  assert.equal((decoded.tensors.get('bn.num_batches_tracked')!.data as BigInt64Array)[0], -(2n ** 62n) - 3n);
});

test('no metadata and no tensors still make a valid file', () => {
  const bytes = encodeSafetensors(new Map());
  assert.equal(bytes.length, 16);
  assert.equal(new TextDecoder().decode(bytes.subarray(8)), '{}      ');
  const decoded = decodeSafetensors(bytes, 'empty.safetensors');
  assert.equal(decoded.tensors.size, 0);
  assert.deepEqual(decoded.metadata, {});
});

test('a hand-built file decodes to known values', () => {
  const bytes = build(
    '{"b":{"dtype":"I64","shape":[1],"data_offsets":[8,16]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"__metadata__":{"k":"v"}}',
    [0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0, 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
  );
  const { tensors, metadata } = decodeSafetensors(bytes, 'hand.safetensors');
  assert.deepEqual(metadata, { k: 'v' });
  assert.deepEqual([...tensors.keys()], ['a', 'b'], 'ordered by data offset');
  assert.deepEqual(tensors.get('a'), { dtype: 'float32', shape: [2], data: Float32Array.from([1, -2.5]) });
  assert.deepEqual(tensors.get('b'), { dtype: 'int64', shape: [1], data: BigInt64Array.from([-3n]) });
});

test('unaligned data in a larger buffer is copied out correctly', () => {
  const file = encodeSafetensors(new Map([['x', { dtype: 'float64', shape: [2], data: Float64Array.from([1.5, -2]) }]]));
  const backing = new Uint8Array(file.length + 3);
  backing.set(file, 3);
  const got = decodeSafetensors(backing.subarray(3), 'offset.safetensors').tensors.get('x')!;
  assert.deepEqual(Array.from(got.data as Float64Array), [1.5, -2]);
  backing.fill(0);
  assert.deepEqual(Array.from(got.data as Float64Array), [1.5, -2], 'decoded data does not alias the input');
});

test('F16 and BF16 tensors decode to float32 values', () => {
  const half = Uint16Array.from([0x3c00, 0xc000, 0x7bff, 0x0001, 0x3555, 0x7c00, 0xfc00, 0x8000]);
  const brain = Uint16Array.from([0x3f80, 0xc040, 0x4049]);
  const bytes = build(
    { h: { dtype: 'F16', shape: [2, 4], data_offsets: [0, 16] }, bf: { dtype: 'BF16', shape: [3], data_offsets: [16, 22] } },
    [...new Uint8Array(half.buffer), ...new Uint8Array(brain.buffer)],
  );
  const { tensors } = decodeSafetensors(bytes, 'half.safetensors');
  const h = tensors.get('h')!;
  assert.equal(h.dtype, 'float32');
  assert.deepEqual(h.shape, [2, 4]);
  assert.ok(h.data instanceof Float32Array);
  assert.deepEqual(Array.from(h.data), [1, -2, 65504, 2 ** -24, Math.fround(0.333251953125), Infinity, -Infinity, -0]);
  const bf = tensors.get('bf')!;
  assert.equal(bf.dtype, 'float32');
  assert.deepEqual(Array.from(bf.data as Float32Array), [1, -3, 3.140625]);
  // Writing the raw half bits back keeps them.
  const again = decodeSafetensors(encodeSafetensors(new Map([['h', { dtype: 'float16', shape: [8], data: half }]])), 'h.safetensors');
  assert.deepEqual(Array.from(again.tensors.get('h')!.data as Float32Array).slice(0, 3), [1, -2, 65504]);
});

test('reads the PyTorch-written LeNet-5 fixture', () => {
  const path = fixturePath('lenet5.safetensors');
  const { tensors, metadata } = decodeSafetensors(readFileSync(path), path);
  assert.deepEqual(metadata, { format: 'pt', model: 'lenet5', torch: '1.13.0a0' });
  assert.deepEqual(
    [...tensors].map(([name, t]) => [name, t.dtype, t.shape]),
    [
      ['features.0.weight', 'float32', [6, 1, 5, 5]],
      ['features.0.bias', 'float32', [6]],
      ['features.3.weight', 'float32', [16, 6, 5, 5]],
      ['features.3.bias', 'float32', [16]],
      ['classifier.1.weight', 'float32', [120, 400]],
      ['classifier.1.bias', 'float32', [120]],
      ['classifier.3.weight', 'float32', [84, 120]],
      ['classifier.3.bias', 'float32', [84]],
      ['classifier.5.weight', 'float32', [10, 84]],
      ['classifier.5.bias', 'float32', [10]],
    ],
  );
  const w = tensors.get('features.0.weight')!.data as Float32Array;
  assert.equal(w.length, 150);
  assert.deepEqual(Array.from(w.subarray(0, 3)), [-0.0014973640209063888, 0.10728871822357178, -0.16460902988910675]);
  assert.equal((tensors.get('classifier.5.bias')!.data as Float32Array)[9], 0.09377246350049973);
  // Re-encoding gives a file that decodes to the same arrays.
  const again = decodeSafetensors(encodeSafetensors(tensors, metadata), 'copy.safetensors');
  assert.deepEqual(again.tensors, tensors);
});

test('rejects files too short or with an impossible header length', () => {
  rejects(new Uint8Array(5), /5 bytes long, too short/);
  rejects(new Uint8Array(0), /0 bytes long, too short/);
  const tooLong = build('{}');
  new DataView(tooLong.buffer).setBigUint64(0, 1000n, true);
  rejects(tooLong, /header length 1000 bytes runs past the end of the 10-byte file/);
  const absurd = build('{}');
  new DataView(absurd.buffer).setBigUint64(0, 2n ** 40n, true);
  rejects(absurd, /header length 1099511627776 bytes is larger than the 100000000-byte limit/);
});

test('rejects headers that are not UTF-8 JSON objects', () => {
  rejects(build('', [], Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d])), /header is not valid UTF-8/);
  rejects(build('{"a": '), /header is not valid JSON/);
  rejects(build('[1, 2]'), /header must be a JSON object, got an array/);
  rejects(build('null'), /header must be a JSON object, got null/);
  rejects(build('"text"'), /header must be a JSON object, got string/);
});

test('rejects bad metadata', () => {
  rejects(build({ __metadata__: { epoch: 3 } }), /__metadata__ 'epoch' must be a string, got 3/);
  rejects(build({ __metadata__: ['a'] }), /__metadata__ must be an object of strings/);
});

test('rejects entries with missing or mistyped fields', () => {
  rejects(build({ w: 5 }), /tensor 'w' must be described by an object/);
  rejects(build({ w: { shape: [1], data_offsets: [0, 4] } }, [0, 0, 0, 0]), /tensor 'w' has no dtype/);
  rejects(build({ w: { dtype: 'F32', data_offsets: [0, 4] } }, [0, 0, 0, 0]), /tensor 'w' has no shape/);
  rejects(build({ w: { dtype: 'F32', shape: [1] } }, [0, 0, 0, 0]), /tensor 'w' has no data_offsets/);
  rejects(build({ w: { dtype: 32, shape: [1], data_offsets: [0, 4] } }, [0, 0, 0, 0]), /tensor 'w' has dtype 32, expected a string/);
  rejects(build({ w: { dtype: 'F8', shape: [1], data_offsets: [0, 1] } }, [0]), /tensor 'w' has unknown dtype 'F8'/);
  rejects(build({ w: { dtype: 'F32', shape: 4, data_offsets: [0, 16] } }, new Array(16).fill(0)), /tensor 'w' has shape 4, expected an array/);
  rejects(build({ w: { dtype: 'F32', shape: [-1, 2], data_offsets: [0, 0] } }), /tensor 'w' has shape \[-1,2\]; dimensions must be non-negative integers/);
  rejects(build({ w: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } }, [0, 0, 0, 0]), /shape \[1.5\]; dimensions must be non-negative integers/);
  rejects(build({ w: { dtype: 'F32', shape: [1], data_offsets: [0] } }, [0, 0, 0, 0]), /tensor 'w' has data_offsets \[0\], expected \[begin, end\]/);
  rejects(build({ w: { dtype: 'F32', shape: [1], data_offsets: ['0', 4] } }, [0, 0, 0, 0]), /data_offsets \["0",4\], expected/);
});

test('rejects byte ranges that do not match the shape', () => {
  rejects(
    build(f32('fc.weight', [10, 4], [0, 156]), new Array(156).fill(0)),
    /tensor 'fc\.weight' has shape \[10, 4\] \(40 float32 = 160 bytes\) but data_offsets \[0, 156\] span 156 bytes$/,
  );
  rejects(build({ n: { dtype: 'I64', shape: [], data_offsets: [0, 4] } }, [0, 0, 0, 0]), /shape \[\] \(1 int64 = 8 bytes\) but data_offsets \[0, 4\] span 4 bytes/);
});

test('rejects offsets outside the data section or reversed', () => {
  rejects(build(f32('w', [2], [0, 8]), [0, 0, 0, 0]), /tensor 'w' has data_offsets \[0, 8\] but the data section is only 4 bytes/);
  rejects(build(f32('w', [1], [8, 4]), new Array(8).fill(0)), /tensor 'w' has data_offsets \[8, 4\] with begin after end/);
});

test('rejects overlapping tensors, holes and trailing bytes', () => {
  rejects(build({ ...f32('a', [2], [0, 8]), ...f32('b', [2], [4, 12]) }, new Array(12).fill(0)), /tensors 'a' \[0, 8\] and 'b' \[4, 12\] overlap/);
  rejects(build({ ...f32('a', [1], [0, 4]), ...f32('b', [1], [0, 4]) }, new Array(4).fill(0)), /tensors 'a' \[0, 4\] and 'b' \[0, 4\] overlap/);
  rejects(build({ ...f32('a', [1], [0, 4]), ...f32('b', [1], [8, 12]) }, new Array(12).fill(0)), /data bytes \[4, 8\) belong to no tensor \(a hole before 'b'\)/);
  rejects(build(f32('a', [1], [4, 8]), new Array(8).fill(0)), /data bytes \[0, 4\) belong to no tensor/);
  rejects(build(f32('a', [1], [0, 4]), new Array(7).fill(0)), /data bytes \[4, 7\) at the end belong to no tensor \(3 trailing bytes\)/);
});

test('encode refuses arrays that do not match their dtype or shape', () => {
  assert.throws(() => encodeSafetensors(new Map([['x', { dtype: 'int64', shape: [1], data: Int32Array.from([1]) }]])), /tensor 'x' has dtype 'int64' but its data is an Int32Array, expected a BigInt64Array/);
  assert.throws(() => encodeSafetensors(new Map([['x', { dtype: 'float32', shape: [3], data: new Float32Array(2) }]])), /shape \[3\] \(3 elements\) but 2 values/);
  assert.throws(() => encodeSafetensors(new Map([['x', { dtype: 'complex64', shape: [1], data: new Float32Array(1) }]])), /dtype 'complex64', which safetensors cannot store/);
  assert.throws(() => encodeSafetensors(new Map([['__metadata__', { dtype: 'float32', shape: [1], data: new Float32Array(1) }]])), /reserved/);
});
