import { unzlibSync, zlibSync } from 'fflate';
import { FormatError, ValueError } from '../errors.js';

/**
 * A self-contained PNG codec so image folders load in Node without native modules. It decodes
 * the non-interlaced images real datasets contain (gray, RGB, palette, gray+alpha, RGBA at any
 * bit depth) to 8-bit interleaved pixels, checking the signature and every chunk's CRC so a
 * damaged file fails with a message instead of decoding to noise. Interlaced images and tRNS
 * transparency for gray/RGB images are not supported (palette tRNS is).
 */

export interface RawImage {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  /** 8-bit samples, interleaved, row-major. */
  data: Uint8Array;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** CRC-32 (polynomial 0xEDB88320) as PNG chunks use it. */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Samples per pixel for each colour type. */
const CHANNELS_BY_COLOR_TYPE: Record<number, 1 | 2 | 3 | 4> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const BIT_DEPTHS_BY_COLOR_TYPE: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
const COLOR_TYPE_NAMES: Record<number, string> = { 0: 'gray', 2: 'RGB', 3: 'palette', 4: 'gray+alpha', 6: 'RGBA' };

/** Larger images are refused rather than allocated: 2^28 bytes of raw samples. */
const MAX_RAW_BYTES = 2 ** 28;

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Decodes a PNG to 8-bit interleaved samples (16-bit keeps the high byte; palette expands to RGB or RGBA). */
export function decodePng(bytes: Uint8Array, fileName: string): RawImage {
  const fail = (problem: string): never => {
    throw new FormatError(fileName, problem);
  };
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) {
    fail(`is not a PNG: it starts with ${hex(bytes.subarray(0, 8)) || 'nothing'}, expected the signature ${hex(Uint8Array.from(SIGNATURE))}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  let width = 0;
  let height = 0;
  let bitDepth = 0;
  let colorType = -1;
  let palette: Uint8Array | undefined;
  let transparency: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  let sawIhdr = false;
  let sawIend = false;
  let at = 8;
  while (at < bytes.length && !sawIend) {
    if (at + 8 > bytes.length) fail(`is truncated: chunk header at byte ${at} is cut off`);
    const length = view.getUint32(at, false);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (at + 12 + length > bytes.length) fail(`is truncated: chunk '${type}' at byte ${at} declares ${length} data bytes but only ${Math.max(0, bytes.length - at - 12)} remain before the CRC`);
    const data = bytes.subarray(at + 8, at + 8 + length);
    const stored = view.getUint32(at + 8 + length, false);
    const actual = crc32(bytes.subarray(at + 4, at + 8 + length));
    if (stored !== actual) fail(`chunk '${type}' at byte ${at} has CRC 0x${stored.toString(16).padStart(8, '0')} but its contents give 0x${actual.toString(16).padStart(8, '0')} (corrupt file)`);
    if (!sawIhdr && type !== 'IHDR') fail(`first chunk is '${type}', expected 'IHDR'`);
    switch (type) {
      case 'IHDR': {
        if (sawIhdr) fail(`has more than one IHDR chunk`);
        if (length !== 13) fail(`IHDR chunk is ${length} bytes, expected 13`);
        sawIhdr = true;
        width = view.getUint32(at + 8, false);
        height = view.getUint32(at + 12, false);
        bitDepth = data[8]!;
        colorType = data[9]!;
        const [compression, filter, interlace] = [data[10]!, data[11]!, data[12]!];
        if (width === 0 || height === 0) fail(`PNG size is ${width}x${height}; both must be at least 1`);
        if (!(colorType in CHANNELS_BY_COLOR_TYPE)) fail(`unknown PNG color type ${colorType} (expected 0, 2, 3, 4 or 6)`);
        if (!BIT_DEPTHS_BY_COLOR_TYPE[colorType]!.includes(bitDepth)) fail(`bit depth ${bitDepth} is not allowed for ${COLOR_TYPE_NAMES[colorType]} PNGs (allowed: ${BIT_DEPTHS_BY_COLOR_TYPE[colorType]!.join(', ')})`);
        if (compression !== 0) fail(`unknown PNG compression method ${compression}`);
        if (filter !== 0) fail(`unknown PNG filter method ${filter}`);
        if (interlace === 1) fail(`interlaced PNG is not supported (re-save it without interlacing)`);
        if (interlace !== 0) fail(`unknown PNG interlace method ${interlace}`);
        break;
      }
      case 'PLTE':
        if (length % 3 !== 0 || length === 0 || length > 768) fail(`PLTE chunk is ${length} bytes, expected a multiple of 3 up to 768`);
        palette = data;
        break;
      case 'tRNS':
        transparency = data;
        break;
      case 'IDAT':
        idat.push(data);
        break;
      case 'IEND':
        sawIend = true;
        break;
      default:
        // A lower-case first letter marks an ancillary chunk that may be skipped; anything else changes how pixels decode.
        if ((type.charCodeAt(0) & 0x20) === 0) fail(`has unknown critical chunk '${type}'`);
    }
    at += 12 + length;
  }
  if (!sawIend) fail(`is truncated: no IEND chunk`);
  if (idat.length === 0) fail(`has no IDAT (image data) chunk`);
  if (colorType === 3 && !palette) fail(`is a palette PNG without a PLTE chunk`);

  const samples = CHANNELS_BY_COLOR_TYPE[colorType]!;
  const bitsPerPixel = samples * bitDepth;
  const stride = Math.ceil((width * bitsPerPixel) / 8);
  const bpp = Math.max(1, bitsPerPixel >> 3);
  const rawLength = height * (stride + 1);
  if (rawLength > MAX_RAW_BYTES) fail(`PNG of ${width}x${height} is too large to decode (${rawLength} bytes of samples)`);

  let compressed: Uint8Array;
  if (idat.length === 1) {
    compressed = idat[0]!;
  } else {
    compressed = new Uint8Array(idat.reduce((n, c) => n + c.length, 0));
    let offset = 0;
    for (const chunk of idat) {
      compressed.set(chunk, offset);
      offset += chunk.length;
    }
  }
  let raw: Uint8Array = new Uint8Array(0);
  try {
    raw = unzlibSync(compressed);
  } catch (error) {
    fail(`image data cannot be decompressed (${(error as Error).message})`);
  }
  if (raw.length < rawLength) fail(`image data is truncated: ${width}x${height} ${COLOR_TYPE_NAMES[colorType]} at ${bitDepth} bits needs ${rawLength} bytes, got ${raw.length}`);

  // Undo the per-row filters in place; `pixels` holds the unfiltered rows without their filter bytes.
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = pixels.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : undefined;
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? row[i - bpp]! : 0;
      const b = up ? up[i]! : 0;
      const c = up && i >= bpp ? up[i - bpp]! : 0;
      let predicted: number;
      switch (filter) {
        case 0:
          predicted = 0;
          break;
        case 1:
          predicted = a;
          break;
        case 2:
          predicted = b;
          break;
        case 3:
          predicted = (a + b) >> 1;
          break;
        case 4:
          predicted = paeth(a, b, c);
          break;
        default:
          return fail(`row ${y} uses unknown filter type ${filter} (expected 0 to 4)`);
      }
      row[i] = (src[i]! + predicted) & 0xff;
    }
  }

  // Read each sample, whatever its bit depth, as an integer.
  const sampleAt = (y: number, index: number): number => {
    const rowStart = y * stride;
    if (bitDepth === 8) return pixels[rowStart + index]!;
    if (bitDepth === 16) return pixels[rowStart + 2 * index]!; // high byte
    const bit = index * bitDepth;
    const byte = pixels[rowStart + (bit >> 3)]!;
    return (byte >> (8 - bitDepth - (bit & 7))) & ((1 << bitDepth) - 1);
  };

  if (colorType === 3) {
    const entries = palette!.length / 3;
    const channels: 3 | 4 = transparency ? 4 : 3;
    const out = new Uint8Array(width * height * channels);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const index = sampleAt(y, x);
        if (index >= entries) fail(`pixel (${x}, ${y}) uses palette index ${index} but the palette has ${entries} entries`);
        const o = (y * width + x) * channels;
        out[o] = palette![3 * index]!;
        out[o + 1] = palette![3 * index + 1]!;
        out[o + 2] = palette![3 * index + 2]!;
        if (channels === 4) out[o + 3] = index < transparency!.length ? transparency![index]! : 255;
      }
    }
    return { width, height, channels, data: out };
  }

  const perRow = width * samples;
  const out = new Uint8Array(perRow * height);
  const scale = bitDepth < 8 ? 255 / ((1 << bitDepth) - 1) : 1;
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < perRow; i++) out[y * perRow + i] = scale === 1 ? sampleAt(y, i) : Math.round(sampleAt(y, i) * scale);
  }
  return { width, height, channels: samples, data: out };
}

const COLOR_TYPE_BY_CHANNELS = { 1: 0, 2: 4, 3: 2, 4: 6 } as const;

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length, false);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)), false);
  return out;
}

/**
 * Encodes 8-bit interleaved pixels as a PNG. Each row gets the filter whose output has the
 * smallest sum of absolute (signed) values, the usual heuristic that makes zlib's job easier.
 */
export function encodePng(image: RawImage): Uint8Array {
  const { width, height, channels, data } = image;
  if (!(channels in COLOR_TYPE_BY_CHANNELS)) throw new ValueError(`PNG images have 1 to 4 channels, got ${channels}`);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new ValueError(`PNG size must be positive integers, got ${width}x${height}`);
  const stride = width * channels;
  if (data.length !== stride * height) throw new ValueError(`a ${width}x${height} image with ${channels} channels needs ${stride * height} bytes, got ${data.length}`);

  const raw = new Uint8Array(height * (stride + 1));
  const candidate = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = data.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? data.subarray((y - 1) * stride, y * stride) : undefined;
    let best = Infinity;
    for (let filter = 0; filter <= 4; filter++) {
      let cost = 0;
      for (let i = 0; i < stride; i++) {
        const a = i >= channels ? row[i - channels]! : 0;
        const b = up ? up[i]! : 0;
        const c = up && i >= channels ? up[i - channels]! : 0;
        const predicted = filter === 0 ? 0 : filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : paeth(a, b, c);
        const value = (row[i]! - predicted) & 0xff;
        candidate[i] = value;
        cost += value < 128 ? value : 256 - value;
      }
      if (cost < best) {
        best = cost;
        raw[y * (stride + 1)] = filter;
        raw.set(candidate, y * (stride + 1) + 1);
      }
    }
  }

  const ihdr = new Uint8Array(13);
  const ihdrView = new DataView(ihdr.buffer);
  ihdrView.setUint32(0, width, false);
  ihdrView.setUint32(4, height, false);
  ihdr[8] = 8;
  ihdr[9] = COLOR_TYPE_BY_CHANNELS[channels];
  const parts = [Uint8Array.from(SIGNATURE), chunk('IHDR', ihdr), chunk('IDAT', zlibSync(raw)), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
