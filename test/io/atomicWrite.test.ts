import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../src/io/atomicWrite.js';

test('writeFileAtomic creates missing folders, replaces files and leaves no temp files', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'waldo-atomic-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'runs', 'a', 'model.safetensors');
  writeFileAtomic(path, Uint8Array.from([1, 2, 3]));
  assert.deepEqual(Array.from(readFileSync(path)), [1, 2, 3]);
  writeFileAtomic(path, 'héllo');
  assert.equal(readFileSync(path, 'utf8'), 'héllo');
  assert.deepEqual(readdirSync(join(dir, 'runs', 'a')), ['model.safetensors']);
});

test('writeFileAtomic removes its temp file and rethrows when the rename fails', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'waldo-atomic-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = join(dir, 'taken');
  mkdirSync(join(target, 'inside'), { recursive: true }); // a non-empty folder cannot be renamed over
  assert.throws(() => writeFileAtomic(target, 'x'), (error: NodeJS.ErrnoException) => typeof error.code === 'string');
  assert.deepEqual(readdirSync(dir), ['taken']);
});
