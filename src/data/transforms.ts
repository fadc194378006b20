import { ValueError } from '../errors.js';
import type { Generator } from '../tensor/random.js';
import type { Sample } from './dataset.js';

/**
 * A per-example transform: gets the example and the loader's seeded generator, returns a new example
 * (inputs are never modified in place, since datasets hand out views of their storage).
 */
export type Transform = (sample: Sample, generator: Generator) => Sample;

/** Applies transforms left to right. @example compose(randomShift(2), normalize([0.1307], [0.3081])) */
export function compose(...transforms: Transform[]): Transform {
  return (sample, generator) => transforms.reduce((s, t) => t(s, generator), sample);
}

/**
 * (x − mean[c]) / std[c] per channel, channel being the first dimension of the example.
 *
 * @example normalize([0.1307], [0.3081]) // the usual MNIST statistics
 */
export function normalize(mean: readonly number[], std: readonly number[]): Transform {
  if (mean.length !== std.length || std.some((s) => s <= 0)) throw new ValueError('normalize: mean and std need one entry per channel and std > 0');
  return (sample) => {
    const channels = sample.shape[0];
    if (channels !== mean.length) throw new ValueError(`normalize: the example has ${channels} channels but ${mean.length} means were given`);
    const per = sample.input.length / channels;
    const out = new Float32Array(sample.input.length);
    for (let c = 0; c < channels; c++) {
      for (let i = c * per; i < (c + 1) * per; i++) out[i] = (sample.input[i] - mean[c]) / std[c];
    }
    return { ...sample, input: out };
  };
}

/**
 * Pads the last two dimensions by `padding` with `fill` and crops a random window of the original
 * size: a random shift of up to ±padding pixels (torchvision's RandomCrop(size, padding)).
 */
export function randomShift(padding: number, fill = 0): Transform {
  if (!Number.isInteger(padding) || padding < 0) throw new ValueError(`randomShift: padding must be a non-negative integer, got ${padding}`);
  return (sample, generator) => {
    const dy = generator.integer(2 * padding + 1) - padding;
    const dx = generator.integer(2 * padding + 1) - padding;
    return { ...sample, input: shiftImage(sample.input, sample.shape, dy, dx, fill) };
  };
}

/**
 * The image moved by (dy, dx) pixels (positive = down/right), vacated pixels set to `fill`.
 * Layout: [..., H, W] row-major; every leading index (channel) is shifted alike.
 */
export function shiftImage(input: Float32Array, shape: readonly number[], dy: number, dx: number, fill = 0): Float32Array {
  const h = shape[shape.length - 2];
  const w = shape[shape.length - 1];
  const planes = input.length / (h * w);
  const out = new Float32Array(input.length).fill(fill);
  for (let p = 0; p < planes; p++) {
    for (let y = Math.max(0, dy); y < Math.min(h, h + dy); y++) {
      const src = p * h * w + (y - dy) * w;
      const dst = p * h * w + y * w;
      for (let x = Math.max(0, dx); x < Math.min(w, w + dx); x++) out[dst + x] = input[src + x - dx];
    }
  }
  return out;
}

/** Mirrors the last dimension with probability p. */
export function randomHorizontalFlip(p = 0.5): Transform {
  return (sample, generator) => {
    if (generator.uniform() >= p) return sample;
    const w = sample.shape[sample.shape.length - 1];
    const out = new Float32Array(sample.input.length);
    for (let row = 0; row < out.length; row += w) {
      for (let x = 0; x < w; x++) out[row + x] = sample.input[row + w - 1 - x];
    }
    return { ...sample, input: out };
  };
}
