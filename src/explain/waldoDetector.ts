/**
 * A fully convolutional Waldo detector. There is no dense layer anywhere: the network maps an
 * H×W scene to a score map at half resolution (one logit per 2×2 block of pixels: "is Waldo centred
 * here?"), so the same weights run on scenes of any size. Global max pooling over the score map
 * answers "is he there?" and the position of the maximum answers "where?".
 *
 * Training (on small scenes, generated on the fly) adds two binary cross-entropies:
 * - presence: the global maximum logit against 1 (Waldo in the scene) or 0;
 * - localisation: every cell of the score map against a small target blob around Waldo's centre
 *   (all zeros when he is absent), with the rare positive cells weighted up.
 *
 * @example
 * // not run: trains for 1,500 steps (minutes); trainWaldoDetector's example runs a short version
 * import { explain, Generator } from 'waldo';
 * const { model } = explain.trainWaldoDetector({ steps: 1500, seed: 1 });
 * const scene = explain.generateScene(new Generator(5), { width: 128, height: 128, withWaldo: true });
 * explain.findWaldo(model, scene.image, 128, 128); // { present: true, probability: 0.99, x: 40.6, y: 77.2, ... }
 */
import { BatchNorm2d, Conv2d, MaxPool2d, ReLU, Sequential } from '../nn/index.js';
import { Adam } from '../optim/adam.js';
import { Generator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/gradMode.js';
import { binaryCrossEntropyWithLogits } from '../ops/loss.js';
import { ValueError } from '../errors.js';
import { generateScene } from './waldoScenes.js';

/** Score-map cells are this many pixels apart: cell (i, j) is centred on pixel (2j + 0.5, 2i + 0.5). */
export const SCORE_MAP_STRIDE = 2;

/**
 * The detector: a 3×3 convolution at full resolution (colours, edges, and the one-pixel stripes:
 * a 3×3 window sees red over white over red), a 2×2 max pool, a 3×3 convolution and two dilated
 * 3×3 convolutions (dilation 2 and 4) that widen the receptive field to 32×32 pixels (Waldo and
 * his surroundings) at little cost, and a 1×1 convolution to one channel: the score map. Padding keeps every stage at its input's size, so an H×W scene gives a
 * ⌊H/2⌋×⌊W/2⌋ map.
 *
 * @example
 * import { explain, zeros, Generator } from 'waldo';
 * explain.waldoDetector(new Generator(0)).call(zeros([1, 3, 64, 96])).shape; // [1, 1, 32, 48]
 */
export function waldoDetector(generator?: Generator): Sequential {
  const g = generator === undefined ? {} : { generator };
  return new Sequential(
    new Conv2d(3, 16, 3, { padding: 1, ...g }),
    new BatchNorm2d(16),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(16, 32, 3, { padding: 1, ...g }),
    new BatchNorm2d(32),
    new ReLU(),
    new Conv2d(32, 32, 3, { padding: 2, dilation: 2, ...g }),
    new BatchNorm2d(32),
    new ReLU(),
    new Conv2d(32, 32, 3, { padding: 4, dilation: 4, ...g }),
    new BatchNorm2d(32),
    new ReLU(),
    new Conv2d(32, 1, 1, g),
  );
}

/** "Is he there?": the global max pool of a [N, 1, h, w] score map, one logit per scene ([N]). */
export function presenceLogit(scoreMap: Tensor): Tensor {
  return scoreMap.flatten(1).max(1);
}

/**
 * The localisation target for one scene: 1 on the score-map cells whose centres lie within 2 px
 * (on both axes) of Waldo's centre, 0 elsewhere and everywhere when he is absent.
 */
export function targetBlob(waldo: { x: number; y: number } | null, mapWidth: number, mapHeight: number): Float32Array {
  const t = new Float32Array(mapWidth * mapHeight);
  if (waldo === null) return t;
  for (let i = 0; i < mapHeight; i++) {
    for (let j = 0; j < mapWidth; j++) {
      const cx = SCORE_MAP_STRIDE * j + 0.5;
      const cy = SCORE_MAP_STRIDE * i + 0.5;
      if (Math.abs(cx - waldo.x) <= 2 && Math.abs(cy - waldo.y) <= 2) t[i * mapWidth + j] = 1;
    }
  }
  return t;
}

export interface WaldoTrainingOptions {
  /** Optimiser steps (default 1500). */
  steps?: number;
  /** Scenes per step, half of them (in expectation) with Waldo (default 16). */
  batchSize?: number;
  /** Training scenes are sceneSize×sceneSize (default 48). */
  sceneSize?: number;
  /** Seeds the initial weights and every training scene (default 0). */
  seed?: number;
  /** Adam's learning rate (default 0.003, cosine-decayed to 5% of it over the run). */
  lr?: number;
  /** Weight of each positive score-map cell in the localisation loss (default 20). */
  positiveWeight?: number;
  /** Called after every step with the step number (1-based) and the loss. */
  onStep?: (step: number, loss: number) => void;
}

/**
 * Trains a fresh detector on freshly generated scenes (so there is no fixed training set to overfit).
 *
 * @example
 * import { explain } from 'waldo';
 * // A few steps to show the call; `steps: 1500` (the default) trains a detector that finds him.
 * const { model, losses } = explain.trainWaldoDetector({ steps: 3, batchSize: 4, seed: 1 });
 * losses.length; // 3
 */
export function trainWaldoDetector(options: WaldoTrainingOptions = {}): { model: Sequential; losses: number[] } {
  const { steps = 1500, batchSize = 16, sceneSize = 48, seed = 0, lr = 0.003, positiveWeight = 20, onStep } = options;
  if (!Number.isInteger(steps) || steps < 0) throw new ValueError(`trainWaldoDetector: steps must be a non-negative integer, got ${steps}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ValueError(`trainWaldoDetector: batchSize must be a positive integer, got ${batchSize}`);
  const g = new Generator(seed);
  const model = waldoDetector(g);
  model.train();
  const optimizer = new Adam(model.parameters(), { lr });
  const size = sceneSize;
  const mapSize = Math.floor(size / SCORE_MAP_STRIDE);
  const cells = mapSize * mapSize;
  const losses: number[] = [];
  for (let step = 1; step <= steps; step++) {
    const input = new Float32Array(batchSize * 3 * size * size);
    const presence = new Float32Array(batchSize);
    const target = new Float32Array(batchSize * cells);
    const weight = new Float32Array(batchSize * cells);
    for (let b = 0; b < batchSize; b++) {
      const scene = generateScene(g, { width: size, height: size, withWaldo: g.uniform() < 0.5 });
      input.set(scene.image, b * 3 * size * size);
      presence[b] = scene.waldo === null ? 0 : 1;
      const blob = targetBlob(scene.waldo, mapSize, mapSize);
      target.set(blob, b * cells);
      for (let k = 0; k < cells; k++) weight[b * cells + k] = blob[k] === 1 ? positiveWeight : 1;
    }
    const scores = model.call(new Tensor(input, [batchSize, 3, size, size]));
    const presenceLoss = binaryCrossEntropyWithLogits(presenceLogit(scores), new Tensor(presence, [batchSize]));
    const mapLoss = binaryCrossEntropyWithLogits(scores, new Tensor(target, [batchSize, 1, mapSize, mapSize]), { reduction: 'none' })
      .mul(new Tensor(weight, [batchSize, 1, mapSize, mapSize]))
      .sum()
      .div(weight.reduce((a, w) => a + w, 0) / 4);
    const loss = presenceLoss.add(mapLoss);
    // Cosine decay from lr to 5% of lr.
    const progress = steps <= 1 ? 0 : (step - 1) / (steps - 1);
    for (const group of optimizer.paramGroups) group.lr = lr * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * progress)));
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    const value = loss.item();
    losses.push(value);
    onStep?.(step, value);
  }
  model.eval();
  return { model, losses };
}

export interface WaldoFinding {
  /** Whether the detector says Waldo is in the scene (probability ≥ 0.5). */
  present: boolean;
  /** sigmoid of the global maximum of the score map. */
  probability: number;
  /** Where the score map peaks (refined to sub-pixel by a weighted centroid of the 3×3 cells around the peak), in pixels. */
  x: number;
  y: number;
  /** The score map as logits, [h, w] with h = ⌊H/2⌋, w = ⌊W/2⌋. */
  scoreMap: Tensor;
}

/**
 * Runs the detector on one channels-first RGB scene ([3, height, width], values in [0, 1]) of any size.
 *
 * @example
 * import { explain, Generator } from 'waldo';
 * const model = explain.waldoDetector(new Generator(0)); // untrained here: see trainWaldoDetector
 * const scene = explain.generateScene(new Generator(5), { width: 128, height: 128, withWaldo: true });
 * explain.findWaldo(model, scene.image, 128, 128); // { present, probability, x, y, scoreMap }
 */
export function findWaldo(model: Sequential, image: Float32Array, width: number, height: number): WaldoFinding {
  if (image.length !== 3 * width * height) throw new ValueError(`findWaldo: a ${width}×${height} RGB scene has ${3 * width * height} values, got ${image.length}`);
  if (width < 2 || height < 2) throw new ValueError(`findWaldo: the scene must be at least 2×2 pixels, got ${width}×${height}`);
  model.eval();
  const scores = noGrad(() => model.call(new Tensor(image, [1, 3, height, width])));
  const h = scores.shape[2]!;
  const w = scores.shape[3]!;
  const S = scores.data;
  let best = 0;
  for (let k = 1; k < S.length; k++) if (S[k]! > S[best]!) best = k;
  const bi = Math.floor(best / w);
  const bj = best % w;
  const peak = S[best]!;
  let total = 0;
  let sx = 0;
  let sy = 0;
  for (let i = Math.max(0, bi - 1); i <= Math.min(h - 1, bi + 1); i++) {
    for (let j = Math.max(0, bj - 1); j <= Math.min(w - 1, bj + 1); j++) {
      const wgt = Math.exp(S[i * w + j]! - peak);
      total += wgt;
      sx += wgt * j;
      sy += wgt * i;
    }
  }
  const probability = 1 / (1 + Math.exp(-peak));
  return {
    present: probability >= 0.5,
    probability,
    x: SCORE_MAP_STRIDE * (sx / total) + 0.5,
    y: SCORE_MAP_STRIDE * (sy / total) + 0.5,
    scoreMap: new Tensor(Float32Array.from(S), [h, w]),
  };
}

export interface DetectorEvaluation {
  scenes: number;
  /** Fraction of scenes where present/absent is decided correctly. */
  presenceAccuracy: number;
  /** Among scenes with Waldo, the fraction where the score map's peak is within 4 px (Euclidean) of his centre. */
  locatedWithin4px: number;
  /** Among scenes with Waldo, the fraction both detected (probability ≥ 0.5) and located within 4 px. */
  foundWithin4px: number;
}

/**
 * Scores a detector on `scenes` fresh size×size scenes from Generator(seed), alternately with and
 * without Waldo (so exactly half have him when `scenes` is even).
 *
 * @example
 * import { explain, Generator } from 'waldo';
 * const model = explain.waldoDetector(new Generator(0)); // untrained here: see trainWaldoDetector
 * explain.evaluateDetector(model, { scenes: 4, size: 64 }).presenceAccuracy; // about 0.5 untrained
 */
export function evaluateDetector(model: Sequential, { scenes = 200, size = 128, seed = 1_000_003 }: { scenes?: number; size?: number; seed?: number } = {}): DetectorEvaluation {
  if (!Number.isInteger(scenes) || scenes < 1) throw new ValueError(`evaluateDetector: scenes must be a positive integer, got ${scenes}`);
  const g = new Generator(seed);
  let correct = 0;
  let withWaldo = 0;
  let located = 0;
  let found = 0;
  for (let s = 0; s < scenes; s++) {
    const scene = generateScene(g, { width: size, height: size, withWaldo: s % 2 === 0 });
    const r = findWaldo(model, scene.image, size, size);
    if (r.present === (scene.waldo !== null)) correct++;
    if (scene.waldo !== null) {
      withWaldo++;
      const near = Math.hypot(r.x - scene.waldo.x, r.y - scene.waldo.y) <= 4;
      if (near) located++;
      if (near && r.present) found++;
    }
  }
  return { scenes, presenceAccuracy: correct / scenes, locatedWithin4px: withWaldo === 0 ? 0 : located / withWaldo, foundWithin4px: withWaldo === 0 ? 0 : found / withWaldo };
}

/**
 * The scene (dimmed) blended with a red heatmap of the score map's probabilities, bilinearly
 * upsampled to the scene's size, as 8-bit interleaved RGB; when `mark` is given, a yellow box
 * the size of Waldo is drawn around that point.
 */
export function heatmapOverlay(image: Float32Array, width: number, height: number, scoreMap: Tensor, mark?: { x: number; y: number }): Uint8Array {
  const [h, w] = scoreMap.shape as [number, number];
  const P = Float32Array.from(scoreMap.data, (v) => 1 / (1 + Math.exp(-v)));
  const plane = width * height;
  const out = new Uint8Array(3 * plane);
  const sample = (v: number, n: number) => {
    const c = Math.min(Math.max((v - 0.5) / SCORE_MAP_STRIDE, 0), n - 1);
    const lo = Math.floor(c);
    return [lo, Math.min(lo + 1, n - 1), c - lo] as const;
  };
  for (let y = 0; y < height; y++) {
    const [i0, i1, fy] = sample(y, h);
    for (let x = 0; x < width; x++) {
      const [j0, j1, fx] = sample(x, w);
      const p = (1 - fy) * ((1 - fx) * P[i0 * w + j0]! + fx * P[i0 * w + j1]!) + fy * ((1 - fx) * P[i1 * w + j0]! + fx * P[i1 * w + j1]!);
      const a = 0.8 * p;
      const k = y * width + x;
      const heat = [1, 0, 0];
      for (let c = 0; c < 3; c++) out[3 * k + c] = Math.round(255 * Math.min(1, Math.max(0, (1 - a) * 0.6 * image[c * plane + k]! + a * heat[c]!)));
    }
  }
  if (mark !== undefined) {
    const cx = Math.round(mark.x);
    const cy = Math.round(mark.y);
    const put = (x: number, y: number) => {
      if (x < 0 || y < 0 || x >= width || y >= height) return;
      const k = y * width + x;
      out[3 * k] = 255;
      out[3 * k + 1] = 230;
      out[3 * k + 2] = 0;
    };
    for (let x = cx - 5; x <= cx + 5; x++) {
      put(x, cy - 7);
      put(x, cy + 7);
    }
    for (let y = cy - 7; y <= cy + 7; y++) {
      put(cx - 5, y);
      put(cx + 5, y);
    }
  }
  return out;
}
