import { gunzipSync } from 'fflate';
import { FormatError, ValueError } from '../errors.js';

/**
 * The IDX format MNIST and Fashion-MNIST ship in: two zero bytes, a type code, the number of
 * dimensions, each dimension as a big-endian u32, then the big-endian values. The files are
 * usually distributed gzipped, so gzip is undone transparently. A wrong or partial download is
 * the common failure, hence the checks on magic and size.
 */

export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

export interface IdxArray {
  dtype: IdxDtype;
  shape: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/** Type code → dtype and bytes per element. */
const TYPES = new Map<number, { dtype: IdxDtype; size: number }>([
  [0x08, { dtype: 'uint8', size: 1 }],
  [0x09, { dtype: 'int8', size: 1 }],
  [0x0b, { dtype: 'int16', size: 2 }],
  [0x0c, { dtype: 'int32', size: 4 }],
  [0x0d, { dtype: 'float32', size: 4 }],
  [0x0e, { dtype: 'float64', size: 8 }],
]);

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Decodes an IDX file (gzipped or not) into a shape and a typed array in host order. */
export function decodeIdx(bytes: Uint8Array, fileName: string): IdxArray {
  const fail = (problem: string): never => {
    throw new FormatError(fileName, problem);
  };
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      fail(`is gzip-compressed but cannot be decompressed (${(error as Error).message}); the download may be incomplete`);
    }
  }
  if (bytes.length < 4) fail(`is ${bytes.length} bytes long, too short for an IDX header (4 bytes of magic needed)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) fail(`is not an IDX file: it starts with bytes ${hex(bytes.subarray(0, 4))}, expected 00 00 followed by a type code and the number of dimensions`);
  const type = TYPES.get(bytes[2]!);
  if (!type) fail(`has unknown IDX type code 0x${bytes[2]!.toString(16).padStart(2, '0')} (expected 08 uint8, 09 int8, 0b int16, 0c int32, 0d float32 or 0e float64)`);
  const { dtype, size } = type!;
  const ndim = bytes[3]!;
  if (ndim === 0) fail(`IDX header declares 0 dimensions`);
  const headerLength = 4 + 4 * ndim;
  if (bytes.length < headerLength) fail(`is ${bytes.length} bytes long, too short for an IDX header with ${ndim} dimensions (${headerLength} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = count * size;
  const actual = bytes.length - headerLength;
  if (actual !== expected) {
    const what = actual < expected ? 'truncated' : `${actual - expected} trailing bytes`;
    fail(`IDX shape [${shape.join(', ')}] of ${dtype} needs ${expected} data bytes but the file has ${actual} (${what})`);
  }

  const at = headerLength;
  let data: IdxArray['data'];
  switch (dtype) {
    case 'uint8':
    case 'int8':
      // A copy, not a view: Node's readFileSync buffers may share a pooled ArrayBuffer.
      data = dtype === 'uint8' ? new Uint8Array(count) : new Int8Array(count);
      data.set(dtype === 'uint8' ? bytes.subarray(at, at + count) : new Int8Array(bytes.buffer, bytes.byteOffset + at, count));
      break;
    case 'int16':
      data = new Int16Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt16(at + 2 * i, false);
      break;
    case 'int32':
      data = new Int32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt32(at + 4 * i, false);
      break;
    case 'float32':
      data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(at + 4 * i, false);
      break;
    case 'float64':
      data = new Float64Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat64(at + 8 * i, false);
      break;
  }
  return { dtype, shape, data };
}

const ENCODE_TYPES = { uint8: { code: 0x08, size: 1 }, int32: { code: 0x0c, size: 4 }, float32: { code: 0x0d, size: 4 } } as const;

/** Writes values as an uncompressed IDX file (used by tests and dataset tools). */
export function encodeIdx(dtype: 'uint8' | 'int32' | 'float32', shape: number[], data: ArrayLike<number>): Uint8Array {
  const { code, size } = ENCODE_TYPES[dtype];
  if (shape.length === 0 || shape.length > 255) throw new ValueError(`IDX needs 1 to 255 dimensions, got shape [${shape.join(', ')}]`);
  if (!shape.every((d) => Number.isInteger(d) && d >= 0 && d <= 0xffffffff)) throw new ValueError(`IDX dimensions must be integers in 0..2^32-1, got shape [${shape.join(', ')}]`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new ValueError(`IDX shape [${shape.join(', ')}] holds ${count} values but ${data.length} were given`);
  const headerLength = 4 + 4 * shape.length;
  const out = new Uint8Array(headerLength + count * size);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) {
    const at = headerLength + i * size;
    if (dtype === 'uint8') view.setUint8(at, data[i]!);
    else if (dtype === 'int32') view.setInt32(at, data[i]!, false);
    else view.setFloat32(at, data[i]!, false);
  }
  return out;
}
