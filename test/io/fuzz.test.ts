import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import jpeg from 'jpeg-js';
import { gzipSync } from 'fflate';
import { FormatError, Generator, nn } from '../../src/index.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { decodeIdx, encodeIdx } from '../../src/io/idx.js';
import { decodePng, encodePng } from '../../src/io/png.js';
import { decodeImage } from '../../src/io/image.js';
import { exportOnnx } from '../../src/io/onnx/export.js';
import { importOnnx } from '../../src/io/onnx/import.js';

// Property-based fuzzing of every reader of untrusted files: truncations, byte flips and huge
// declared sizes. Each mutated file must either decode or fail with waldo's FormatError naming the
// file — never another exception, never a hang. fast-check seeds are fixed so failures reproduce.

const RUNS = 250;
const NAME = 'fuzzed.bin';

interface Reader {
  format: string;
  seed: Uint8Array;
  read: (bytes: Uint8Array, name: string) => unknown;
  /** Where the size fields live: huge values are written at 4-byte offsets inside [0, headerEnd). */
  headerEnd: number;
}

const floats = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i));
const readers: Reader[] = [
  {
    format: 'safetensors',
    seed: encodeSafetensors(new Map([
      ['conv.weight', { dtype: 'float32', shape: [2, 1, 3, 3], data: floats(18) }],
      ['steps', { dtype: 'int64', shape: [], data: BigInt64Array.of(7n) }],
    ]), { format: 'pt' }),
    read: decodeSafetensors,
    headerEnd: 8,
  },
  { format: 'IDX', seed: encodeIdx('uint8', [3, 4, 5], Uint8Array.from({ length: 60 }, (_, i) => i)), read: decodeIdx, headerEnd: 16 },
  { format: 'gzipped IDX', seed: gzipSync(encodeIdx('float32', [2, 3], floats(6))), read: decodeIdx, headerEnd: 12 },
  { format: 'PNG', seed: encodePng({ width: 5, height: 4, channels: 3, data: Uint8Array.from({ length: 60 }, (_, i) => i * 4) }), read: decodePng, headerEnd: 33 },
  {
    format: 'JPEG',
    seed: new Uint8Array(jpeg.encode({ width: 8, height: 8, data: Uint8Array.from({ length: 256 }, (_, i) => (i * 37) % 256) }, 90).data),
    read: decodeImage,
    headerEnd: 40,
  },
  {
    format: 'ONNX',
    seed: exportOnnx(new nn.Sequential(new nn.Conv2d(1, 2, 3, { generator: new Generator(1) }), new nn.ReLU(), new nn.Flatten(), new nn.Linear(8, 3, { generator: new Generator(2) })), [1, 1, 4, 4]),
    read: importOnnx,
    headerEnd: 64,
  },
];

/** Decodes and accepts success or a FormatError that names the file; anything else fails the property. */
function decodesOrNamesTheFile(reader: Reader, bytes: Uint8Array): boolean {
  try {
    reader.read(bytes, NAME);
    return true;
  } catch (error) {
    if (!(error instanceof FormatError)) throw new Error(`${reader.format}: ${(error as Error).name}: ${(error as Error).message}`);
    if (!error.message.includes(NAME)) throw new Error(`${reader.format}: the message does not name the file: ${error.message}`);
    return true;
  }
}

let casesRun = 0;
for (const reader of readers) {
  test(`${reader.format}: the unmodified file decodes`, () => {
    assert.doesNotThrow(() => reader.read(reader.seed, NAME));
  });

  test(`${reader.format}: every truncation decodes or gives a FormatError naming the file`, () => {
    fc.assert(fc.property(fc.nat({ max: reader.seed.length - 1 }), (n) => {
      casesRun++;
      return decodesOrNamesTheFile(reader, reader.seed.slice(0, n));
    }), { numRuns: Math.min(RUNS, reader.seed.length), seed: 1 });
  });

  test(`${reader.format}: byte flips decode or give a FormatError naming the file`, () => {
    const flip = fc.tuple(fc.nat({ max: reader.seed.length - 1 }), fc.integer({ min: 1, max: 255 }));
    fc.assert(fc.property(fc.array(flip, { minLength: 1, maxLength: 6 }), (flips) => {
      casesRun++;
      const bytes = reader.seed.slice();
      for (const [at, mask] of flips) bytes[at] ^= mask;
      return decodesOrNamesTheFile(reader, bytes);
    }), { numRuns: RUNS, seed: 2 });
  });

  test(`${reader.format}: huge declared sizes in the header are refused without allocating them`, () => {
    const offset = fc.nat({ max: Math.max(0, Math.min(reader.headerEnd, reader.seed.length - 4)) });
    const huge = fc.constantFrom(0xffffffff, 0x7fffffff, 0x40000000, 0x00ffffff);
    fc.assert(fc.property(offset, huge, fc.boolean(), (at, value, bigEndian) => {
      casesRun++;
      const bytes = reader.seed.slice();
      new DataView(bytes.buffer).setUint32(at, value, !bigEndian);
      const before = process.memoryUsage().arrayBuffers;
      const ok = decodesOrNamesTheFile(reader, bytes);
      // Nothing near the declared size (≥ 16 MiB) may have been allocated for a file of a few hundred bytes.
      assert.ok(process.memoryUsage().arrayBuffers - before < 16 * 2 ** 20, `${reader.format}: a huge allocation for a ${bytes.length}-byte file`);
      return ok;
    }), { numRuns: RUNS, seed: 3 });
  });
}

test('fuzzing ran the cases it reports', () => {
  assert.ok(casesRun > 3000, `${casesRun} cases`);
  console.log(`# fuzz cases run: ${casesRun}`);
});
