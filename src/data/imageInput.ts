/**
 * Turns an image file into the input a trained model expects: decoded (PNG or JPEG), converted to
 * the model's channel count (luminance for one channel), resized to its height and width by area
 * averaging (bilinear when enlarging), scaled to [0, 1] and normalized with the training statistics.
 */
import { FormatError } from '../errors.js';
import { decodeImage } from '../io/image.js';

/** Channel c of pixel (x, y) as a value in [0, 1] (alpha ignored; gray repeated for colour models). */
function reader(image: { width: number; channels: number; data: Uint8Array }, outChannels: number) {
  const { width, channels, data } = image;
  return (x: number, y: number, c: number): number => {
    const p = (y * width + x) * channels;
    if (channels <= 2) return data[p] / 255;
    if (outChannels === 1) return (0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2]) / 255; // ITU-R 601 luma, as PIL's convert('L')
    return data[p + c] / 255;
  };
}

/** Samples the source at output pixel (i, j): the mean of the covered source block, or a bilinear blend when enlarging. */
function resample(read: (x: number, y: number, c: number) => number, srcW: number, srcH: number, outW: number, outH: number, c: number, i: number, j: number): number {
  const sy = srcH / outH;
  const sx = srcW / outW;
  if (sy >= 1 && sx >= 1) {
    const y0 = Math.floor(i * sy), y1 = Math.max(y0 + 1, Math.floor((i + 1) * sy));
    const x0 = Math.floor(j * sx), x1 = Math.max(x0 + 1, Math.floor((j + 1) * sx));
    let s = 0;
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) s += read(x, y, c);
    return s / ((y1 - y0) * (x1 - x0));
  }
  const fy = Math.min(Math.max((i + 0.5) * sy - 0.5, 0), srcH - 1);
  const fx = Math.min(Math.max((j + 0.5) * sx - 0.5, 0), srcW - 1);
  const y0 = Math.floor(fy), x0 = Math.floor(fx);
  const y1 = Math.min(y0 + 1, srcH - 1), x1 = Math.min(x0 + 1, srcW - 1);
  const dy = fy - y0, dx = fx - x0;
  const top = read(x0, y0, c) * (1 - dx) + read(x1, y0, c) * dx;
  const bottom = read(x0, y1, c) * (1 - dx) + read(x1, y1, c) * dx;
  return top * (1 - dy) + bottom * dy;
}

/**
 * @example
 * imageToInput(readFileSync('digit.png'), 'digit.png', [1, 28, 28], [0.1307], [0.3081]); // Float32Array(784)
 */
export function imageToInput(bytes: Uint8Array, file: string, inputShape: readonly number[], mean: readonly number[], std: readonly number[]): Float32Array {
  if (inputShape.length !== 3) throw new FormatError(file, `the model expects input [${inputShape.join(', ')}], not an image [C, H, W]`);
  const [channels, height, width] = inputShape;
  const image = decodeImage(bytes, file);
  const read = reader(image, channels);
  const out = new Float32Array(channels * height * width);
  for (let c = 0; c < channels; c++) {
    const m = mean[c] ?? mean[0] ?? 0;
    const s = std[c] ?? std[0] ?? 1;
    for (let i = 0; i < height; i++) {
      for (let j = 0; j < width; j++) {
        out[(c * height + i) * width + j] = (resample(read, image.width, image.height, width, height, c, i, j) - m) / s;
      }
    }
  }
  return out;
}
