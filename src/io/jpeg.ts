import jpeg from 'jpeg-js';
import { FormatError } from '../errors.js';

/**
 * Decodes a baseline or progressive JPEG to 8-bit interleaved RGB via the pure-JavaScript
 * jpeg-js, so photo folders load without native modules. Grayscale and CMYK JPEGs come out as
 * RGB too, so every JPEG has 3 channels. jpeg-js's errors (and its memory and resolution limits)
 * are reported as FormatErrors naming the file.
 */
export function decodeJpeg(bytes: Uint8Array, fileName: string): { width: number; height: number; channels: 3; data: Uint8Array } {
  let image: { width: number; height: number; data: Uint8Array };
  try {
    image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
  } catch (error) {
    throw new FormatError(fileName, `cannot decode JPEG (${(error as Error).message})`);
  }
  const { width, height, data } = image;
  if (!(width > 0 && height > 0) || data.length !== width * height * 3) {
    throw new FormatError(fileName, `JPEG decoded to ${width}x${height} with ${data.length} bytes, expected ${width * height * 3} RGB bytes`);
  }
  return { width, height, channels: 3, data };
}
