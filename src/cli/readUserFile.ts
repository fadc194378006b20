import { readFileSync } from 'node:fs';
import { FormatError } from '../errors.js';

/** The bytes of a file the user named, or a FormatError naming it and why it cannot be read (ENOENT, EACCES, …). */
export function readUserFile(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new FormatError(file, `cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}
