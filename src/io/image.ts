import { FormatError } from '../errors.js';
import { decodeJpeg } from './jpeg.js';
import { decodePng } from './png.js';

/**
 * Decodes an image file by its contents rather than its extension (datasets are full of
 * '.jpg' files that are really PNGs): PNG by its 8-byte signature, JPEG by its SOI marker.
 */
export function decodeImage(bytes: Uint8Array, fileName: string): { width: number; height: number; channels: number; data: Uint8Array } {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return decodePng(bytes, fileName);
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return decodeJpeg(bytes, fileName);
  const first = [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new FormatError(fileName, `is neither a PNG nor a JPEG image (first bytes ${first || 'none: the file is empty'}; expected 89 50 4e 47 for PNG or ff d8 ff for JPEG)`);
}
