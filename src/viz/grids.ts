/**
 * Pictures of what a CNN learned and computes: first-layer filters and feature maps as grids of
 * small grayscale tiles (each scaled to its own range, so weak and strong channels both show),
 * and heatmaps blended over an image.
 */
import { ShapeError } from '../errors.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { Canvas, type Rgb } from './canvas.js';

/**
 * Draws planes [count, h, w] as tiles, `columns` per row, each pixel a scale×scale square, min→black, max→white.
 *
 * @example
 * import { viz } from 'waldo';
 * const planes = Float32Array.from({ length: 4 * 5 * 5 }, (_, i) => i % 7);
 * viz.tileGrid(planes, 4, 5, 5, { scale: 4 }).toPng();
 */
export function tileGrid(planes: ArrayLike<number>, count: number, h: number, w: number, { scale = 8, columns = Math.min(count, 8), gap = 2 } = {}): Canvas {
  const rows = Math.ceil(count / columns);
  const canvas = new Canvas(columns * (w * scale + gap) + gap, rows * (h * scale + gap) + gap, [60, 60, 60]);
  for (let k = 0; k < count; k++) {
    let low = Infinity, high = -Infinity;
    for (let i = 0; i < h * w; i++) {
      low = Math.min(low, planes[k * h * w + i]);
      high = Math.max(high, planes[k * h * w + i]);
    }
    const x0 = gap + (k % columns) * (w * scale + gap);
    const y0 = gap + Math.floor(k / columns) * (h * scale + gap);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = high > low ? Math.round((255 * (planes[k * h * w + y * w + x] - low)) / (high - low)) : 128;
        canvas.fillRect(x0 + x * scale, y0 + y * scale, scale, scale, [v, v, v]);
      }
    }
  }
  return canvas;
}

/**
 * The filters of a conv weight [Cout, Cin, kh, kw], one tile per (output, input) channel pair
 * (colour filters of 3 input channels are shown per channel).
 *
 * @example
 * import { viz, models } from 'waldo';
 * viz.filterGrid(models.lenet5().stateDict().get('features.0.weight')!).toPng(); // six 5×5 filters
 */
export function filterGrid(weight: Tensor, scale = 12): Canvas {
  if (weight.ndim !== 4) throw new ShapeError(`filterGrid: expected a conv weight [Cout, Cin, kh, kw], got ${formatShape(weight.shape)}`);
  const [cout, cin, kh, kw] = weight.shape;
  return tileGrid(weight.data, cout * cin, kh, kw, { scale, columns: cin === 1 ? Math.min(cout, 8) : cin });
}

/**
 * Feature maps [C, H, W] (one example) as tiles.
 *
 * @example
 * import { viz, explain, models, randn } from 'waldo';
 * const [first] = explain.featureMaps(models.lenet5(), randn([1, 1, 28, 28]));
 * viz.featureMapGrid(first!.output.select(0, 0)).toPng(); // the six maps of the first conv layer
 */
export function featureMapGrid(maps: Tensor, scale = 3): Canvas {
  if (maps.ndim !== 3) throw new ShapeError(`featureMapGrid: expected maps [C, H, W], got ${formatShape(maps.shape)}`);
  const [c, h, w] = maps.shape;
  return tileGrid(maps.data, c, h, w, { scale, columns: Math.min(c, 8) });
}

/**
 * An RGB image [3, H, W] in [0, 1] (or gray [1, H, W]) with a heat map [h, w] in [0, 1] laid over it
 * in red (nearest-neighbour upsampled to the image size), `alpha` of the heat where it is hottest.
 *
 * @example
 * import { viz, rand } from 'waldo';
 * const heat = new Float32Array(16 * 16).fill(0);
 * heat[8 * 16 + 8] = 1;
 * viz.heatmapOverlay(rand([3, 64, 64]), heat, 16, 16).toPng();
 */
export function heatmapOverlay(image: Tensor, heat: ArrayLike<number>, heatHeight: number, heatWidth: number, alpha = 0.6, hot: Rgb = [255, 0, 0]): Canvas {
  const [channels, height, width] = image.shape;
  const canvas = new Canvas(width, height);
  const X = image.data;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const base = [0, 1, 2].map((c) => X[(channels === 1 ? 0 : c) * height * width + y * width + x] * 255);
      const hv = Math.min(1, Math.max(0, heat[Math.floor((y * heatHeight) / height) * heatWidth + Math.floor((x * heatWidth) / width)]));
      const a = alpha * hv;
      canvas.setPixel(x, y, [0, 1, 2].map((c) => Math.round((1 - a) * base[c] + a * hot[c])) as unknown as Rgb);
    }
  }
  return canvas;
}
