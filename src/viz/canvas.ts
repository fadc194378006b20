/**
 * A small RGB raster for the pictures waldo writes (charts, filters, feature maps, heatmaps):
 * rectangles, lines, text in the built-in bitmap font, and PNG output through io/png.
 */
import { encodePng } from '../io/png.js';
import { ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyph } from './font.js';

export type Rgb = readonly [number, number, number];

/**
 * An RGB raster with rectangles, lines and bitmap-font text, written out as PNG.
 *
 * @example
 * import { viz } from 'waldo';
 * const canvas = new viz.Canvas(120, 40);
 * canvas.fillRect(0, 0, 120, 4, [200, 0, 0]);
 * canvas.text(4, 12, 'waldo', [0, 0, 0], 2);
 * const png = canvas.toPng(); // PNG bytes, e.g. for writeFileSync('title.png', png)
 */
export class Canvas {
  readonly data: Uint8Array;

  constructor(readonly width: number, readonly height: number, background: Rgb = [255, 255, 255]) {
    this.data = new Uint8Array(width * height * 3);
    this.fillRect(0, 0, width, height, background);
  }

  setPixel(x: number, y: number, color: Rgb): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const p = (y * this.width + x) * 3;
    this.data[p] = color[0];
    this.data[p + 1] = color[1];
    this.data[p + 2] = color[2];
  }

  fillRect(x: number, y: number, w: number, h: number, color: Rgb): void {
    for (let j = Math.max(0, Math.floor(y)); j < Math.min(this.height, Math.floor(y + h)); j++) {
      for (let i = Math.max(0, Math.floor(x)); i < Math.min(this.width, Math.floor(x + w)); i++) this.setPixel(i, j, color);
    }
  }

  /** A line `thickness` pixels wide, stepped one pixel at a time along its longer axis. */
  line(x0: number, y0: number, x1: number, y1: number, color: Rgb, thickness = 1): void {
    const steps = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1);
    const r = (thickness - 1) / 2;
    for (let s = 0; s <= steps; s++) {
      const x = x0 + ((x1 - x0) * s) / steps;
      const y = y0 + ((y1 - y0) * s) / steps;
      this.fillRect(x - r, y - r, thickness, thickness, color);
    }
  }

  /** Text with its top-left corner at (x, y), each font pixel drawn as a scale×scale square. */
  text(x: number, y: number, text: string, color: Rgb = [0, 0, 0], scale = 1): void {
    [...text].forEach((char, k) => {
      const rows = glyph(char);
      for (let row = 0; row < GLYPH_HEIGHT; row++) {
        for (let col = 0; col < GLYPH_WIDTH; col++) {
          if (rows[row] & (1 << (GLYPH_WIDTH - 1 - col))) this.fillRect(x + (k * ADVANCE + col) * scale, y + row * scale, scale, scale, color);
        }
      }
    });
  }

  toPng(): Uint8Array {
    return encodePng({ width: this.width, height: this.height, channels: 3, data: this.data });
  }
}
