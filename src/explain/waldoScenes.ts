/**
 * Where's Waldo, synthetic edition: seeded scenes of cluttered shapes in random colours, with zero
 * or one small figure in a red-and-white striped jumper hidden among them.
 *
 * The clutter is chosen so that colour alone does not find him: some shapes are pure red, some
 * white, some skin-coloured, and red shapes often touch white ones. What no clutter shape has is
 * his pattern, one-pixel horizontal red/white stripes under a round head, so a detector must look
 * at texture and shape, which is what small convolutions are good at.
 *
 * @example
 * import { explain, Generator } from 'waldo';
 * const scene = explain.generateScene(new Generator(7), { width: 96, height: 96, withWaldo: true });
 * scene.waldo; // { x: 71, y: 45 }: his centre, in pixels
 */
import type { Generator } from '../tensor/random.js';
import { ValueError } from '../errors.js';

/** Waldo's bounding box in pixels; his location is the centre pixel (3, 5) of this box. */
export const WALDO_WIDTH = 7;
export const WALDO_HEIGHT = 11;

export interface SceneOptions {
  width: number;
  height: number;
  withWaldo: boolean;
  /** Clutter shapes per 100 pixels of area (default 1.2: about 28 shapes in a 48×48 scene). */
  clutter?: number;
}

export interface Scene {
  /** Channels-first RGB, [3, height, width], values in [0, 1]. */
  image: Float32Array;
  width: number;
  height: number;
  /** Waldo's centre (column x, row y), or null when he is not in the scene. */
  waldo: { x: number; y: number } | null;
}

type RGB = readonly [number, number, number];

const RED: RGB = [0.86, 0.08, 0.1];
const WHITE: RGB = [0.97, 0.97, 0.97];
const SKIN: RGB = [0.96, 0.78, 0.62];
const BLUE: RGB = [0.15, 0.25, 0.7];

/** Waldo's pixels: '.' transparent, 'h' hair/hat, 's' skin, 'r' red, 'w' white, 'b' blue trousers. */
const WALDO_SPRITE = [
  '..rrr..',
  '..sss..',
  '.sssss.',
  '..sss..',
  'rrrrrrr',
  'wwwwwww',
  'rrrrrrr',
  'wwwwwww',
  'rrrrrrr',
  '.bb.bb.',
  '.bb.bb.',
];

/** A random colour; one shape in five is red, white or skin-coloured, the colours Waldo is made of. */
function randomColour(g: Generator): RGB {
  const u = g.uniform();
  const jitter = (c: RGB): RGB => [clamp01(c[0] + 0.06 * (g.uniform() - 0.5)), clamp01(c[1] + 0.06 * (g.uniform() - 0.5)), clamp01(c[2] + 0.06 * (g.uniform() - 0.5))];
  if (u < 0.1) return jitter(RED);
  if (u < 0.17) return jitter(WHITE);
  if (u < 0.2) return jitter(SKIN);
  return [g.uniform(), g.uniform(), g.uniform()];
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

function setPixel(image: Float32Array, width: number, height: number, x: number, y: number, c: RGB): void {
  if (x < 0 || y < 0 || x >= width || y >= height) return;
  const plane = width * height;
  const i = y * width + x;
  image[i] = c[0];
  image[plane + i] = c[1];
  image[2 * plane + i] = c[2];
}

/** One clutter shape: a filled rectangle, disc, ellipse, triangle or thin bar, anywhere (may overhang the edge). */
function drawShape(g: Generator, image: Float32Array, width: number, height: number): void {
  const colour = randomColour(g);
  const kind = g.integer(5);
  const cx = g.integer(width);
  const cy = g.integer(height);
  if (kind === 0) {
    // Rectangle, 2–16 px a side.
    const w = 2 + g.integer(15);
    const h = 2 + g.integer(15);
    for (let y = cy - (h >> 1); y < cy - (h >> 1) + h; y++) for (let x = cx - (w >> 1); x < cx - (w >> 1) + w; x++) setPixel(image, width, height, x, y, colour);
  } else if (kind === 1 || kind === 2) {
    // Disc (kind 1) or axis-aligned ellipse (kind 2), radii 1.5–8 px.
    const rx = 1.5 + 6.5 * g.uniform();
    const ry = kind === 1 ? rx : 1.5 + 6.5 * g.uniform();
    for (let y = Math.floor(cy - ry); y <= Math.ceil(cy + ry); y++) {
      for (let x = Math.floor(cx - rx); x <= Math.ceil(cx + rx); x++) {
        const dx = (x - cx) / rx;
        const dy = (y - cy) / ry;
        if (dx * dx + dy * dy <= 1) setPixel(image, width, height, x, y, colour);
      }
    }
  } else if (kind === 3) {
    // Isosceles triangle pointing up or down, 4–14 px tall.
    const h = 4 + g.integer(11);
    const up = g.uniform() < 0.5;
    for (let r = 0; r < h; r++) {
      const half = Math.floor(((up ? r : h - 1 - r) + 1) / 2);
      for (let x = cx - half; x <= cx + half; x++) setPixel(image, width, height, x, cy - (h >> 1) + r, colour);
    }
  } else {
    // A thin bar (1–2 px thick, 5–20 px long), horizontal or vertical: lines, but never a striped patch.
    const len = 5 + g.integer(16);
    const thick = 1 + g.integer(2);
    const horizontal = g.uniform() < 0.5;
    for (let a = 0; a < len; a++) {
      for (let b = 0; b < thick; b++) {
        if (horizontal) setPixel(image, width, height, cx - (len >> 1) + a, cy + b, colour);
        else setPixel(image, width, height, cx + b, cy - (len >> 1) + a, colour);
      }
    }
  }
}

/**
 * Draws a scene. The same generator state gives the same scene, byte for byte; the generator
 * advances, so successive calls give different scenes.
 *
 * @example
 * import { explain, Generator } from 'waldo';
 * const scene = explain.generateScene(new Generator(7), { width: 96, height: 96, withWaldo: true });
 * scene.waldo; // { x: 71, y: 45 }: his centre, in pixels
 * scene.image.length; // 3 · 96 · 96
 */
export function generateScene(generator: Generator, { width, height, withWaldo, clutter = 1.2 }: SceneOptions): Scene {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < WALDO_WIDTH + 2 || height < WALDO_HEIGHT + 2) {
    throw new ValueError(`generateScene: the scene must be whole pixels and at least ${WALDO_WIDTH + 2}×${WALDO_HEIGHT + 2} to hold Waldo, got ${width}×${height}`);
  }
  if (!(clutter >= 0)) throw new ValueError(`generateScene: clutter must be a non-negative number, got ${clutter}`);
  const g = generator;
  const plane = width * height;
  const image = new Float32Array(3 * plane);
  // A muted background colour.
  const bg: RGB = [0.3 + 0.4 * g.uniform(), 0.3 + 0.4 * g.uniform(), 0.3 + 0.4 * g.uniform()];
  for (let c = 0; c < 3; c++) image.fill(bg[c], c * plane, (c + 1) * plane);
  const shapes = Math.round((clutter * plane) / 100);
  // Half the shapes go under Waldo, half may partly cover the area around him (never him).
  const below = Math.ceil(shapes / 2);
  for (let s = 0; s < below; s++) drawShape(g, image, width, height);
  let waldo: Scene['waldo'] = null;
  let left = 0;
  let top = 0;
  if (withWaldo) {
    left = 1 + g.integer(width - WALDO_WIDTH - 1);
    top = 1 + g.integer(height - WALDO_HEIGHT - 1);
    waldo = { x: left + (WALDO_WIDTH >> 1), y: top + (WALDO_HEIGHT >> 1) };
  }
  for (let s = below; s < shapes; s++) drawShape(g, image, width, height);
  if (waldo !== null) {
    const palette: Record<string, RGB> = { r: RED, w: WHITE, s: SKIN, b: BLUE };
    for (let r = 0; r < WALDO_HEIGHT; r++) {
      for (let c = 0; c < WALDO_WIDTH; c++) {
        const key = WALDO_SPRITE[r]![c]!;
        if (key !== '.') setPixel(image, width, height, left + c, top + r, palette[key]!);
      }
    }
  }
  // A little pixel noise, so no colour is exact.
  for (let i = 0; i < image.length; i++) image[i] = clamp01(image[i]! + 0.04 * (g.uniform() - 0.5));
  return { image, width, height, waldo };
}

/** A scene as 8-bit interleaved RGB, ready for encodePng. */
export function sceneToRgbBytes(image: Float32Array, width: number, height: number): Uint8Array {
  const plane = width * height;
  const out = new Uint8Array(3 * plane);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) out[3 * i + c] = Math.round(255 * clamp01(image[c * plane + i]!));
  return out;
}

/** 8-bit interleaved pixels with 1–4 channels (gray, gray+alpha, RGB, RGBA) as a channels-first RGB image in [0, 1]. */
export function rgbBytesToScene(data: Uint8Array, width: number, height: number, channels: number): Float32Array {
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) out[c * plane + i] = data[i * channels + (channels >= 3 ? c : 0)]! / 255;
  }
  return out;
}
