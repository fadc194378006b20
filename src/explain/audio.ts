/**
 * 1-D convolutions on sound: a seeded synthetic audio set of four event classes at random
 * offsets, and a small Conv1d classifier for it. The events sit anywhere in the clip, so a network
 * that slides the same filters along time and pools globally at the end (shift invariance, as in
 * images) fits the task; a dense layer over raw samples would have to learn every offset.
 */
import { ShapeError } from '../errors.js';
import { ArrayDataset } from '../data/dataset.js';
import { BatchNorm1d, Conv1d, Flatten, MaxPool1d, Module, ReLU, Sequential } from '../nn/index.js';
import type { LayerShape } from '../nn/shapeInference.js';
import { Generator } from '../tensor/random.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';

/** Class names of `syntheticAudio`, in label order. */
export const audioClasses = ['tone', 'chirp', 'click', 'noiseBurst'] as const;

/**
 * Mean over the time axis: [N, C, L] → [N, C, 1] (like AdaptiveAvgPool1d(1)), so a classifier
 * after it is the same whatever the input length.
 *
 * @example
 * import { explain, randn } from 'waldo';
 * new explain.GlobalAvgPool1d().call(randn([2, 16, 100])).shape; // [2, 16, 1]
 */
export class GlobalAvgPool1d extends Module {
  forward(x: Tensor): Tensor {
    if (x.ndim !== 3) throw new ShapeError(`GlobalAvgPool1d: input ${formatShape(x.shape)} must be [N, C, L]`);
    return x.mean(2, true);
  }

  override describe(inputShape: readonly number[], path: string): LayerShape {
    if (inputShape.length !== 3) throw new ShapeError(`${path} (GlobalAvgPool1d): input ${formatShape(inputShape)} must be [N, C, L]`);
    return { outputShape: [inputShape[0], inputShape[1], 1], macs: 0, global: true };
  }
}

export interface SyntheticAudioOptions {
  /** Number of clips (balanced: label i mod 4, then shuffled). */
  count: number;
  /** Samples per clip (default 256; at least 64). */
  length?: number;
  seed?: number;
  /** Standard deviation of the background noise added to every clip (default 0.1). */
  noise?: number;
}

/** A Hann bump over [start, start+len): smooth onset and release. */
function hann(i: number, len: number): number {
  return 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / len);
}

/**
 * Clips [1, length] of four classes, each event at a random offset with a random amplitude in
 * [0.5, 1], over Gaussian background noise:
 * - tone: a sinusoid of constant frequency (0.03–0.2 cycles per sample) under a Hann envelope;
 * - chirp: a sinusoid whose frequency sweeps linearly between two such frequencies (up or down,
 *   spanning at least 0.08 cycles/sample) under the same kind of envelope;
 * - click: 1–3 impulses, each a sharp exponentially decaying spike a few samples long;
 * - noiseBurst: Gaussian noise under a Hann envelope.
 * Tones, chirps and bursts last a quarter to a half of the clip. Seeded: the same options give the
 * same bytes.
 *
 * @example
 * import { explain } from 'waldo';
 * const ds = explain.syntheticAudio({ count: 400, seed: 1 }); // 100 of each class, shape [1, 256]
 * ds.get(0).label; // an index into explain.audioClasses
 */
export function syntheticAudio(options: SyntheticAudioOptions): ArrayDataset {
  const { count, length = 256, seed = 0, noise = 0.1 } = options;
  if (!Number.isInteger(count) || count < 1) throw new ShapeError(`syntheticAudio: count must be a positive integer, got ${count}`);
  if (!Number.isInteger(length) || length < 64) throw new ShapeError(`syntheticAudio: length must be an integer ≥ 64, got ${length}`);
  const g = new Generator(seed);
  const labels = new Int32Array(count);
  const order = g.permutation(count);
  for (let i = 0; i < count; i++) labels[order[i]] = i % audioClasses.length;
  const inputs = new Float32Array(count * length);
  const freq = () => 0.03 + 0.17 * g.uniform();
  for (let n = 0; n < count; n++) {
    const clip = inputs.subarray(n * length, (n + 1) * length);
    const amplitude = 0.5 + 0.5 * g.uniform();
    const duration = Math.floor(length / 4 + g.uniform() * (length / 4));
    const start = g.integer(length - duration + 1);
    switch (labels[n]) {
      case 0: {
        const f = freq();
        const phase = 2 * Math.PI * g.uniform();
        for (let i = 0; i < duration; i++) clip[start + i] += amplitude * hann(i, duration) * Math.sin(2 * Math.PI * f * i + phase);
        break;
      }
      case 1: {
        let f0 = freq();
        let f1 = freq();
        while (Math.abs(f1 - f0) < 0.08) {
          f0 = freq();
          f1 = freq();
        }
        const phase = 2 * Math.PI * g.uniform();
        // Instantaneous frequency f0 + (f1 − f0)·i/duration: phase is its running integral.
        for (let i = 0; i < duration; i++) {
          const cycles = f0 * i + ((f1 - f0) * i * i) / (2 * duration);
          clip[start + i] += amplitude * hann(i, duration) * Math.sin(2 * Math.PI * cycles + phase);
        }
        break;
      }
      case 2: {
        const clicks = 1 + g.integer(3);
        for (let c = 0; c < clicks; c++) {
          const at = g.integer(length - 8);
          const sign = g.uniform() < 0.5 ? -1 : 1;
          const decay = 1 + 2 * g.uniform();
          for (let i = 0; i < 8; i++) clip[at + i] += sign * amplitude * 1.5 * Math.exp(-i / decay);
        }
        break;
      }
      default: {
        for (let i = 0; i < duration; i++) clip[start + i] += amplitude * 0.7 * hann(i, duration) * g.normal();
      }
    }
    for (let i = 0; i < length; i++) clip[i] += noise * g.normal();
  }
  return new ArrayDataset(inputs, [1, length], labels, [...audioClasses]);
}

/**
 * A Conv1d classifier for `syntheticAudio`: four stages of conv (kernel 9, 5, 5, 5) → batch norm →
 * ReLU → max pool 2 (16, 32, 32, 32 channels; each output sees about 100 samples), global average
 * pooling over time, then two 1×1 convolutions with a ReLU between (a small MLP on the pooled
 * vector: telling a chirp from a tone needs more than a linear read-out of which frequency
 * detectors fired), flattened to [N, numClasses]. Any clip length ≥ 16 works.
 *
 * @example
 * import { explain, randn } from 'waldo';
 * explain.audioClassifier().call(randn([8, 1, 256])).shape; // [8, 4]
 */
export function audioClassifier(generator?: Generator, options: { numClasses?: number; inChannels?: number } = {}): Sequential {
  const { numClasses = audioClasses.length, inChannels = 1 } = options;
  const stage = (cin: number, cout: number, k: number): Module[] => [
    new Conv1d(cin, cout, k, { padding: (k - 1) / 2, bias: false, generator }), new BatchNorm1d(cout), new ReLU(), new MaxPool1d(2),
  ];
  return new Sequential({
    features: new Sequential(...stage(inChannels, 16, 9), ...stage(16, 32, 5), ...stage(32, 32, 5), ...stage(32, 32, 5)),
    pool: new GlobalAvgPool1d(),
    classifier: new Sequential(new Conv1d(32, 32, 1, { generator }), new ReLU(), new Conv1d(32, numClasses, 1, { generator }), new Flatten()),
  });
}
