import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

let counter = 0;

/**
 * Writes a file so that readers see either the old contents or the complete new ones, never a
 * half-written file: a crash or Ctrl-C while saving a checkpoint must not destroy the previous
 * one. The bytes go to a temporary file next to `path`, are flushed to disk, and the temporary
 * file is renamed over `path` (atomic on POSIX file systems). The parent folder is created if
 * missing.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.tmp-${process.pid}-${counter++}`;
  try {
    const fd = openSync(temp, 'w');
    try {
      const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
      let written = 0;
      while (written < data.length) written += writeSync(fd, data, written, data.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
