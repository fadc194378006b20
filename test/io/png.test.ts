import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { FormatError } from '../../src/errors.js';
import { decodePng, encodePng } from '../../src/io/png.js';

// An independent little PNG writer: chunks with their own CRC, node:zlib for the compression, and
// the five row filters applied by hand, so the decoder is checked against the spec, not itself.

const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: ArrayLike<number>): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
const u32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
function chunk(type: string, data: ArrayLike<number> = []): number[] {
  const body = [...type].map((c) => c.charCodeAt(0)).concat(Array.from(data));
  return [...u32(data.length), ...body, ...u32(crc32(body))];
}
const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
function ihdr(width: number, height: number, bitDepth: number, colorType: number, interlace = 0): number[] {
  return chunk('IHDR', [...u32(width), ...u32(height), bitDepth, colorType, 0, 0, interlace]);
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}
/** Filters unfiltered rows of bytes, row y with filters[y], returning the zlib input (filter byte + row). */
function filterRows(rows: number[][], bpp: number, filters: number[]): number[] {
  const out: number[] = [];
  rows.forEach((row, y) => {
    const up = y > 0 ? rows[y - 1]! : row.map(() => 0);
    const f = filters[y]!;
    out.push(f);
    row.forEach((x, i) => {
      const a = i >= bpp ? row[i - bpp]! : 0;
      const b = up[i]!;
      const c = i >= bpp ? up[i - bpp]! : 0;
      const predicted = [0, a, b, (a + b) >> 1, paeth(a, b, c)][f]!;
      out.push((x - predicted) & 0xff);
    });
  });
  return out;
}
/** A whole PNG file from its IHDR fields, the filtered raw stream and any extra chunks before IDAT. */
function makePng(width: number, height: number, bitDepth: number, colorType: number, raw: number[], extra: number[] = []): Uint8Array {
  const idat = Array.from(deflateSync(Uint8Array.from(raw)));
  return Uint8Array.from([...SIGNATURE, ...ihdr(width, height, bitDepth, colorType), ...extra, ...chunk('IDAT', idat), ...chunk('IEND')]);
}

function rejects(bytes: Uint8Array, fragment: RegExp): void {
  assert.throws(
    () => decodePng(bytes, 'bad.png'),
    (error: unknown) => error instanceof FormatError && error.file === 'bad.png' && error.message.startsWith('bad.png: ') && fragment.test(error.message),
  );
}

/** 4x3 RGB pixels with variety in every direction (so each filter predicts something different). */
const RGB_ROWS = [
  [10, 20, 30, 200, 100, 50, 255, 0, 128, 3, 250, 77],
  [12, 25, 29, 190, 110, 60, 0, 255, 127, 90, 91, 92],
  [255, 255, 255, 0, 0, 0, 128, 64, 32, 17, 34, 51],
];

test('encodePng → decodePng round trips 1, 2, 3 and 4 channels', () => {
  for (const channels of [1, 2, 3, 4] as const) {
    const width = 7;
    const height = 5;
    const data = Uint8Array.from({ length: width * height * channels }, (_, i) => (i * 53 + (i % 7) * 11) & 0xff);
    const png = encodePng({ width, height, channels, data });
    assert.deepEqual(Array.from(png.subarray(0, 8)), SIGNATURE);
    assert.deepEqual(Array.from(png.subarray(8, 16)), [0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52], 'IHDR first');
    assert.equal(png[8 + 8 + 9], { 1: 0, 2: 4, 3: 2, 4: 6 }[channels], 'colour type');
    const decoded = decodePng(png, `rt${channels}.png`);
    assert.deepEqual(decoded, { width, height, channels, data });
  }
});

test('a flat image compresses well (per-row filter choice plus zlib)', () => {
  const data = new Uint8Array(64 * 64 * 3).fill(200);
  const png = encodePng({ width: 64, height: 64, channels: 3, data });
  assert.ok(png.length < 300, `${png.length} bytes`);
  assert.deepEqual(decodePng(png, 'flat.png').data, data);
});

test('decodes each filter type, alone and mixed row by row', () => {
  const expected = Uint8Array.from(RGB_ROWS.flat());
  for (let f = 0; f <= 4; f++) {
    const png = makePng(4, 3, 8, 2, filterRows(RGB_ROWS, 3, [f, f, f]));
    const decoded = decodePng(png, `filter${f}.png`);
    assert.deepEqual(decoded, { width: 4, height: 3, channels: 3, data: expected }, `filter ${f}`);
  }
  const rows = [...RGB_ROWS, RGB_ROWS[1]!.map((v) => 255 - v), RGB_ROWS[0]!.map((v, i) => (v * i) & 0xff)];
  const png = makePng(4, 5, 8, 2, filterRows(rows, 3, [4, 3, 2, 1, 4]));
  assert.deepEqual(Array.from(decodePng(png, 'mixed.png').data), rows.flat());
});

test('filters use whole pixels as the left neighbour for 16-bit and gray+alpha data', () => {
  // gray+alpha 8-bit: bpp 2
  const ga = [[1, 255, 2, 254, 3, 253], [50, 0, 60, 10, 70, 20]];
  const decoded = decodePng(makePng(3, 2, 8, 4, filterRows(ga, 2, [1, 4])), 'ga.png');
  assert.deepEqual(decoded, { width: 3, height: 2, channels: 2, data: Uint8Array.from(ga.flat()) });
  // RGBA 16-bit: bpp 8, output keeps the high byte of each sample
  const rgba16 = [[0x12, 0x34, 0xab, 0xcd, 0xff, 0xff, 0x00, 0x01, 0x80, 0x00, 0x7f, 0xff, 0x01, 0x00, 0xfe, 0xff]];
  const d16 = decodePng(makePng(2, 1, 16, 6, filterRows(rgba16, 8, [1])), 'rgba16.png');
  assert.deepEqual(d16, { width: 2, height: 1, channels: 4, data: Uint8Array.from([0x12, 0xab, 0xff, 0x00, 0x80, 0x7f, 0x01, 0xfe]) });
});

test('16-bit gray keeps the high byte', () => {
  const decoded = decodePng(makePng(3, 1, 16, 0, filterRows([[0x12, 0x34, 0xab, 0xcd, 0xff, 0xff]], 2, [0])), 'g16.png');
  assert.deepEqual(decoded, { width: 3, height: 1, channels: 1, data: Uint8Array.from([0x12, 0xab, 0xff]) });
});

test('sub-byte gray is scaled to 0..255, ignoring row padding bits', () => {
  // 1-bit, width 10: 1011001110 then 6 padding bits (set, to show they are ignored); second row all zero.
  const one = decodePng(makePng(10, 2, 1, 0, filterRows([[0b10110011, 0b10111111], [0, 0]], 1, [0, 2])), 'g1.png');
  assert.deepEqual(Array.from(one.data), [255, 0, 255, 255, 0, 0, 255, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  // 2-bit: 0, 1, 2, 3, 3 → 0, 85, 170, 255, 255
  const two = decodePng(makePng(5, 1, 2, 0, filterRows([[0b00011011, 0b11000000]], 1, [1])), 'g2.png');
  assert.deepEqual(Array.from(two.data), [0, 85, 170, 255, 255]);
  // 4-bit: 0, 15, 7 → 0, 255, 119
  const four = decodePng(makePng(3, 1, 4, 0, filterRows([[0x0f, 0x70]], 1, [0])), 'g4.png');
  assert.deepEqual(Array.from(four.data), [0, 255, 119]);
});

test('palette images expand to RGB, or RGBA when tRNS is present', () => {
  const plte = chunk('PLTE', [255, 0, 0, 0, 255, 0, 0, 0, 255]);
  // 2-bit indices for a 3x2 image: row 0 = 0, 1, 2; row 1 = 2, 2, 0
  const raw = filterRows([[0b00011000], [0b10100000]], 1, [0, 2]);
  const rgb = decodePng(makePng(3, 2, 2, 3, raw, plte), 'pal.png');
  assert.deepEqual(rgb, { width: 3, height: 2, channels: 3, data: Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 255, 0, 0, 255, 255, 0, 0]) });
  const rgba = decodePng(makePng(3, 2, 2, 3, raw, [...plte, ...chunk('tRNS', [0, 128])]), 'pal-alpha.png');
  assert.equal(rgba.channels, 4);
  assert.deepEqual(Array.from(rgba.data), [255, 0, 0, 0, 0, 255, 0, 128, 0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255, 255, 255, 0, 0, 0]);
  // 8-bit indices past the palette's end are an error
  rejects(makePng(2, 1, 8, 3, [0, 1, 3], plte), /pixel \(1, 0\) uses palette index 3 but the palette has 3 entries/);
  rejects(makePng(2, 1, 8, 3, [0, 1, 2]), /palette PNG without a PLTE chunk/);
});

test('IDAT data split over several chunks is concatenated; ancillary chunks are skipped', () => {
  const idat = Array.from(deflateSync(Uint8Array.from(filterRows(RGB_ROWS, 3, [4, 4, 4]))));
  const parts = [idat.slice(0, 5), idat.slice(5, 9), idat.slice(9)];
  const png = Uint8Array.from([
    ...SIGNATURE,
    ...ihdr(4, 3, 8, 2),
    ...chunk('tEXt', [...new TextEncoder().encode('Comment\0hello')]),
    ...parts.flatMap((p) => chunk('IDAT', p)),
    ...chunk('IEND'),
  ]);
  assert.deepEqual(Array.from(decodePng(png, 'split.png').data), RGB_ROWS.flat());
});

test('rejects a bad signature, naming what was found', () => {
  rejects(new TextEncoder().encode('hello world, not a png'), /not a PNG: it starts with 68 65 6c 6c 6f 20 77 6f, expected the signature 89 50 4e 47 0d 0a 1a 0a/);
  rejects(new Uint8Array(0), /not a PNG: it starts with nothing/);
});

test('rejects a corrupted CRC', () => {
  const png = encodePng({ width: 4, height: 3, channels: 3, data: Uint8Array.from(RGB_ROWS.flat()) });
  const idatAt = 8 + 25; // after the signature and IHDR
  const corrupt = png.slice();
  corrupt[idatAt + 10] ^= 0x01;
  rejects(corrupt, /chunk 'IDAT' at byte 33 has CRC 0x[0-9a-f]{8} but its contents give 0x[0-9a-f]{8} \(corrupt file\)/);
  const badHeader = png.slice();
  badHeader[8 + 8 + 3] ^= 0x01; // width
  rejects(badHeader, /chunk 'IHDR' at byte 8 has CRC/);
});

test('rejects truncated files', () => {
  const png = encodePng({ width: 4, height: 3, channels: 3, data: Uint8Array.from(RGB_ROWS.flat()) });
  rejects(png.subarray(0, 50), /is truncated: chunk 'IDAT' at byte 33 declares \d+ data bytes but only 5 remain/);
  rejects(png.subarray(0, 40), /is truncated: chunk header at byte 33 is cut off/);
  rejects(png.subarray(0, png.length - 12), /is truncated: no IEND chunk/);
  rejects(png.subarray(0, 12), /is truncated: chunk header at byte 8 is cut off/);
  // A valid zlib stream that holds fewer rows than IHDR promises
  rejects(makePng(4, 4, 8, 2, filterRows(RGB_ROWS, 3, [0, 0, 0])), /image data is truncated: 4x4 RGB at 8 bits needs 52 bytes, got 39/);
  rejects(Uint8Array.from([...SIGNATURE, ...ihdr(1, 1, 8, 0), ...chunk('IDAT', [0x12, 0x34, 5, 6]), ...chunk('IEND')]), /image data cannot be decompressed \(invalid zlib data\)/);
  const cut = Array.from(deflateSync(Uint8Array.from({ length: 1001 }, (_, i) => (i * 7) % 256))).slice(0, 20);
  rejects(Uint8Array.from([...SIGNATURE, ...ihdr(1000, 1, 8, 0), ...chunk('IDAT', cut), ...chunk('IEND')]), /image data cannot be decompressed \(unexpected EOF\)/);
});

test('rejects structural problems with a precise message', () => {
  const raw = filterRows([[1, 2, 3]], 3, [0]);
  rejects(Uint8Array.from([...SIGNATURE, ...chunk('IDAT', Array.from(deflateSync(Uint8Array.from(raw)))), ...chunk('IEND')]), /first chunk is 'IDAT', expected 'IHDR'/);
  rejects(Uint8Array.from([...SIGNATURE, ...ihdr(1, 1, 8, 2, 1), ...chunk('IDAT', Array.from(deflateSync(Uint8Array.from(raw)))), ...chunk('IEND')]), /interlaced PNG is not supported/);
  rejects(makePng(1, 1, 4, 2, [0, 0]), /bit depth 4 is not allowed for RGB PNGs \(allowed: 8, 16\)/);
  rejects(makePng(1, 1, 8, 5, [0, 0]), /unknown PNG color type 5/);
  rejects(makePng(1, 1, 8, 2, [5, 1, 2, 3]), /row 0 uses unknown filter type 5/);
  rejects(makePng(0, 1, 8, 2, []), /PNG size is 0x1/);
  rejects(Uint8Array.from([...SIGNATURE, ...ihdr(1, 1, 8, 0), ...chunk('IEND')]), /has no IDAT/);
  rejects(makePng(1, 1, 8, 0, [0, 7], chunk('ABCD', [1])), /unknown critical chunk 'ABCD'/);
});

test('encodePng checks its input', () => {
  assert.throws(() => encodePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(11) }), /a 2x2 image with 3 channels needs 12 bytes, got 11/);
  assert.throws(() => encodePng({ width: 0, height: 2, channels: 1, data: new Uint8Array(0) }), /positive integers/);
});
