import { FormatError, ValueError } from '../errors.js';

/**
 * The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length, a JSON header naming each tensor's dtype, shape and byte range, then the raw
 * little-endian bytes. It is what PyTorch users exchange weights in, and it cannot run code on
 * load, so it is waldo's model and checkpoint format. The decoder checks every header field,
 * because a truncated download or a hand-edited header should fail with a message, not turn into
 * garbage weights.
 */

/** Element types as waldo names them; the file spells them 'F32', 'I64', ... */
export type SafetensorsDtype = 'float32' | 'float64' | 'int32' | 'int64' | 'float16' | 'bfloat16' | 'uint8' | 'int8' | 'int16' | 'bool';

/** A named tensor as the codecs see it: a dtype name, a shape and a flat row-major typed array. */
export interface NamedArray {
  dtype: string;
  shape: number[];
  data: Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Int8Array | Int16Array | Uint16Array;
}

type ArrayKind = 'Float32Array' | 'Float64Array' | 'Int32Array' | 'BigInt64Array' | 'Uint8Array' | 'Int8Array' | 'Int16Array' | 'Uint16Array';

const ARRAY_TYPES: Record<ArrayKind, Function> = {
  Float32Array,
  Float64Array,
  Int32Array,
  BigInt64Array,
  Uint8Array,
  Int8Array,
  Int16Array,
  Uint16Array,
};

/** For each dtype: its spelling in the file, bytes per element and the typed array holding it. */
const DTYPES: Record<SafetensorsDtype, { code: string; size: number; array: ArrayKind }> = {
  float32: { code: 'F32', size: 4, array: 'Float32Array' },
  float64: { code: 'F64', size: 8, array: 'Float64Array' },
  int32: { code: 'I32', size: 4, array: 'Int32Array' },
  int64: { code: 'I64', size: 8, array: 'BigInt64Array' },
  float16: { code: 'F16', size: 2, array: 'Uint16Array' },
  bfloat16: { code: 'BF16', size: 2, array: 'Uint16Array' },
  uint8: { code: 'U8', size: 1, array: 'Uint8Array' },
  int8: { code: 'I8', size: 1, array: 'Int8Array' },
  int16: { code: 'I16', size: 2, array: 'Int16Array' },
  bool: { code: 'BOOL', size: 1, array: 'Uint8Array' },
};

const DTYPE_BY_CODE = new Map<string, SafetensorsDtype>(
  (Object.keys(DTYPES) as SafetensorsDtype[]).map((dtype) => [DTYPES[dtype].code, dtype]),
);

/** Larger headers than this are taken as corruption rather than allocated (the reference library uses the same limit). */
const MAX_HEADER_BYTES = 100_000_000;

/** The file is little-endian; typed arrays use the host order, which is little-endian on every platform Node ships for. */
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses each `size`-byte element in place (only needed on a big-endian host). */
function swapBytes(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i + size <= bytes.length; i += size) bytes.subarray(i, i + size).reverse();
}

/** 'an Int32Array', 'a Float32Array'. */
function article(word: string): string {
  return `${/^[AEIOU]/.test(word) ? 'an' : 'a'} ${word}`;
}

function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Serialises tensors (in the map's order) and optional string metadata as a safetensors file.
 * Each array must be the typed array its dtype calls for (int64 as BigInt64Array, float16 and
 * bfloat16 as raw Uint16Array bits) and hold exactly product(shape) elements.
 */
export function encodeSafetensors(tensors: ReadonlyMap<string, NamedArray>, metadata?: Record<string, string>): Uint8Array {
  const headerParts: string[] = [];
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') throw new ValueError(`safetensors metadata '${key}' must be a string, got ${typeof value}`);
    }
    headerParts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  }
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, array] of tensors) {
    if (name === '__metadata__') throw new ValueError(`'__metadata__' is reserved in safetensors and cannot name a tensor`);
    const info = DTYPES[array.dtype as SafetensorsDtype];
    if (!info) throw new ValueError(`tensor '${name}' has dtype '${array.dtype}', which safetensors cannot store (expected one of ${Object.keys(DTYPES).join(', ')})`);
    if (!(array.data instanceof ARRAY_TYPES[info.array])) throw new ValueError(`tensor '${name}' has dtype '${array.dtype}' but its data is ${article(array.data.constructor.name)}, expected ${article(info.array)}`);
    if (!array.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new ValueError(`tensor '${name}' has shape ${formatShape(array.shape)}; dimensions must be non-negative integers`);
    const count = product(array.shape);
    if (array.data.length !== count) throw new ValueError(`tensor '${name}' has shape ${formatShape(array.shape)} (${count} elements) but ${array.data.length} values`);
    const bytes = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
    let chunk = bytes;
    if (!HOST_LITTLE_ENDIAN && info.size > 1) {
      chunk = bytes.slice();
      swapBytes(chunk, info.size);
    }
    chunks.push(chunk);
    const entry = { dtype: info.code, shape: array.shape, data_offsets: [offset, offset + chunk.length] };
    // Built by hand rather than as one object so integer-like names keep their place.
    headerParts.push(`${JSON.stringify(name)}:${JSON.stringify(entry)}`);
    offset += chunk.length;
  }
  let header = `{${headerParts.join(',')}}`;
  let headerBytes = new TextEncoder().encode(header);
  const padding = (8 - (headerBytes.length % 8)) % 8;
  if (padding > 0) {
    header += ' '.repeat(padding);
    headerBytes = new TextEncoder().encode(header);
  }
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** IEEE half-precision bits to a number (subnormals, infinities and NaN included). */
function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Turns a tensor's copied little-endian bytes into the typed array for its dtype (half types widened to float32). */
function toArray(bytes: Uint8Array, dtype: SafetensorsDtype): { dtype: string; data: NamedArray['data'] } {
  const { size } = DTYPES[dtype];
  if (!HOST_LITTLE_ENDIAN) swapBytes(bytes, size);
  const buffer = bytes.buffer;
  switch (dtype) {
    case 'float32':
      return { dtype, data: new Float32Array(buffer) };
    case 'float64':
      return { dtype, data: new Float64Array(buffer) };
    case 'int32':
      return { dtype, data: new Int32Array(buffer) };
    case 'int64':
      return { dtype, data: new BigInt64Array(buffer) };
    case 'uint8':
    case 'bool':
      return { dtype, data: bytes };
    case 'int8':
      return { dtype, data: new Int8Array(buffer) };
    case 'int16':
      return { dtype, data: new Int16Array(buffer) };
    case 'float16': {
      const half = new Uint16Array(buffer);
      return { dtype: 'float32', data: Float32Array.from(half, halfToFloat) };
    }
    case 'bfloat16': {
      // bfloat16 is the top half of a float32.
      const half = new Uint16Array(buffer);
      const wide = new Uint32Array(half.length);
      for (let i = 0; i < half.length; i++) wide[i] = half[i]! << 16;
      return { dtype: 'float32', data: new Float32Array(wide.buffer) };
    }
  }
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Parses and validates a safetensors file. Tensors come back in byte order of their data (the
 * order they were written in), each in a freshly copied, aligned typed array; float16 and
 * bfloat16 tensors are widened to float32. Anything malformed throws a FormatError naming
 * `fileName` and the problem.
 */
export function decodeSafetensors(bytes: Uint8Array, fileName: string): { tensors: Map<string, NamedArray>; metadata: Record<string, string> } {
  const fail = (problem: string): never => {
    throw new FormatError(fileName, problem);
  };
  if (bytes.length < 8) fail(`is ${bytes.length} bytes long, too short for a safetensors file (at least the 8-byte header length is needed)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(MAX_HEADER_BYTES)) fail(`safetensors header length ${headerLength} bytes is larger than the ${MAX_HEADER_BYTES}-byte limit; the file is not safetensors or is corrupt`);
  const n = Number(headerLength);
  if (8 + n > bytes.length) fail(`safetensors header length ${n} bytes runs past the end of the ${bytes.length}-byte file (truncated?)`);

  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    fail(`safetensors header is not valid UTF-8`);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    fail(`safetensors header is not valid JSON (${(error as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail(`safetensors header must be a JSON object, got ${Array.isArray(header) ? 'an array' : header === null ? 'null' : typeof header}`);
  const entries = header as Record<string, unknown>;

  const metadata: Record<string, string> = {};
  if ('__metadata__' in entries) {
    const meta = entries.__metadata__;
    if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) fail(`safetensors __metadata__ must be an object of strings`);
    for (const [key, value] of Object.entries(meta as Record<string, unknown>)) {
      if (typeof value !== 'string') fail(`safetensors __metadata__ '${key}' must be a string, got ${JSON.stringify(value)}`);
      metadata[key] = value as string;
    }
  }

  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const parsed: { name: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, raw] of Object.entries(entries)) {
    if (name === '__metadata__') continue;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`tensor '${name}' must be described by an object with dtype, shape and data_offsets`);
    const { dtype: code, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    if (code === undefined) fail(`tensor '${name}' has no dtype`);
    if (shape === undefined) fail(`tensor '${name}' has no shape`);
    if (offsets === undefined) fail(`tensor '${name}' has no data_offsets`);
    if (typeof code !== 'string') fail(`tensor '${name}' has dtype ${JSON.stringify(code)}, expected a string such as "F32"`);
    const dtype = DTYPE_BY_CODE.get(code as string);
    if (!dtype) fail(`tensor '${name}' has unknown dtype '${code}' (supported: ${[...DTYPE_BY_CODE.keys()].join(', ')})`);
    if (!Array.isArray(shape)) fail(`tensor '${name}' has shape ${JSON.stringify(shape)}, expected an array of dimensions`);
    const dims = shape as unknown[];
    if (!dims.every(isNonNegativeInteger)) fail(`tensor '${name}' has shape ${JSON.stringify(shape)}; dimensions must be non-negative integers`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInteger)) fail(`tensor '${name}' has data_offsets ${JSON.stringify(offsets)}, expected [begin, end] with non-negative integers`);
    const [begin, end] = offsets as [number, number];
    if (begin > end) fail(`tensor '${name}' has data_offsets [${begin}, ${end}] with begin after end`);
    if (end > dataLength) fail(`tensor '${name}' has data_offsets [${begin}, ${end}] but the data section is only ${dataLength} bytes (truncated?)`);
    const { size } = DTYPES[dtype!];
    const count = product(dims as number[]);
    if (count * size !== end - begin) {
      fail(`tensor '${name}' has shape ${formatShape(dims as number[])} (${count} ${dtype} = ${count * size} bytes) but data_offsets [${begin}, ${end}] span ${end - begin} bytes`);
    }
    parsed.push({ name, dtype: dtype!, shape: dims as number[], begin, end });
  }

  // The spec requires the tensors to tile the data section exactly: no overlaps, no unowned bytes.
  parsed.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: (typeof parsed)[number] | undefined;
  for (const t of parsed) {
    if (t.begin < covered) fail(`tensors '${previous!.name}' [${previous!.begin}, ${previous!.end}] and '${t.name}' [${t.begin}, ${t.end}] overlap`);
    if (t.begin > covered) fail(`data bytes [${covered}, ${t.begin}) belong to no tensor (a hole before '${t.name}')`);
    covered = t.end;
    previous = t;
  }
  if (covered !== dataLength) fail(`data bytes [${covered}, ${dataLength}) at the end belong to no tensor (${dataLength - covered} trailing bytes)`);

  const tensors = new Map<string, NamedArray>();
  for (const t of parsed) {
    // Copied so the typed array is aligned and independent of the (possibly pooled) input buffer.
    const copy = new Uint8Array(t.end - t.begin);
    copy.set(bytes.subarray(dataStart + t.begin, dataStart + t.end));
    const { dtype, data } = toArray(copy, t.dtype);
    tensors.set(t.name, { dtype, shape: t.shape, data });
  }
  return { tensors, metadata };
}
