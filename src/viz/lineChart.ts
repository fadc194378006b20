/**
 * Line charts as PNG: training curves (loss and accuracy per epoch) and the accuracy-against-shift
 * curves of `waldo compare`. Axes carry tick values and the series a legend, in the bitmap font.
 */
import { ValueError } from '../errors.js';
import { Canvas, type Rgb } from './canvas.js';
import { GLYPH_HEIGHT, textWidth } from './font.js';

export interface Series {
  name: string;
  /** y values at x = xs[i]. */
  values: number[];
  color?: Rgb;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** The x positions shared by every series (default 0, 1, 2, ...). */
  xs?: number[];
  series: Series[];
  /** Fixed y range; default: the data's range with a little room. */
  yRange?: [number, number];
  width?: number;
  height?: number;
}

const PALETTE: Rgb[] = [[31, 119, 180], [214, 39, 40], [44, 160, 44], [255, 127, 14], [148, 103, 189]];

/**
 * Round tick values covering [low, high]: steps of 1, 2 or 5 times a power of ten.
 *
 * @example
 * import { viz } from 'waldo';
 * viz.niceTicks(0, 0.93); // [0, 0.2, 0.4, 0.6, 0.8]
 */
export function niceTicks(low: number, high: number, target = 5): number[] {
  const span = high - low || Math.abs(high) || 1;
  const raw = span / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  // A span of a few ulps gives a step too small to move a float: then the ends are the ticks.
  if (!(step > 0) || low + step === low || high - step === high) return low === high ? [low] : [low, high];
  const ticks: number[] = [];
  for (let t = Math.ceil(low / step) * step; t <= high + step * 1e-9 && ticks.length <= 4 * target; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function label(v: number): string {
  return Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(0) : String(Number(v.toPrecision(4)));
}

/**
 * A line chart of one or more series with axes, ticks, labels and a legend.
 *
 * @example
 * import { viz } from 'waldo';
 * const png = viz.lineChart({ title: 'loss', xLabel: 'epoch', yLabel: 'loss', series: [{ name: 'train', values: [2.3, 0.4, 0.1] }] }).toPng();
 */
export function lineChart(options: LineChartOptions): Canvas {
  const { title, xLabel, yLabel, series, width = 640, height = 400 } = options;
  const n = Math.max(0, ...series.map((s) => s.values.length));
  if (n === 0) throw new ValueError('lineChart: no data to draw');
  const xs = options.xs ?? Array.from({ length: n }, (_, i) => i);
  const finite = series.flatMap((s) => s.values.filter(Number.isFinite));
  let [yLow, yHigh] = options.yRange ?? [Math.min(...finite), Math.max(...finite)];
  if (options.yRange === undefined) {
    // A flat or nearly flat series (a few ulps wide) gets a visible range around its value.
    const span = yHigh - yLow;
    const pad = span > 1e-6 * Math.max(1, Math.abs(yHigh)) ? span * 0.05 : Math.max(0.05 * Math.abs(yHigh), 0.5);
    yLow -= pad;
    yHigh += pad;
  }
  const [xLow, xHigh] = [Math.min(...xs), Math.max(...xs) === Math.min(...xs) ? Math.min(...xs) + 1 : Math.max(...xs)];
  const canvas = new Canvas(width, height);
  const left = 60, right = width - 20, top = 6 + 12 * series.length + 8, bottom = height - 50;
  const px = (x: number) => left + ((x - xLow) / (xHigh - xLow)) * (right - left);
  const py = (y: number) => bottom - ((y - yLow) / (yHigh - yLow)) * (bottom - top);
  const grid: Rgb = [225, 225, 225];
  const ink: Rgb = [40, 40, 40];
  for (const t of niceTicks(yLow, yHigh)) {
    canvas.line(left, py(t), right, py(t), grid);
    canvas.text(left - 6 - textWidth(label(t)), py(t) - GLYPH_HEIGHT / 2, label(t), ink);
  }
  for (const t of niceTicks(xLow, xHigh, Math.min(10, n))) {
    canvas.line(px(t), bottom, px(t), bottom + 4, ink);
    canvas.text(px(t) - textWidth(label(t)) / 2, bottom + 8, label(t), ink);
  }
  canvas.line(left, top, left, bottom, ink);
  canvas.line(left, bottom, right, bottom, ink);
  canvas.text((width - textWidth(title, 2)) / 2, 10, title, ink, 2);
  canvas.text((left + right - textWidth(xLabel)) / 2, height - 18, xLabel, ink);
  canvas.text(8, top - 14, yLabel, ink);
  series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length];
    let previous: [number, number] | null = null;
    s.values.forEach((v, i) => {
      if (!Number.isFinite(v)) {
        previous = null;
        return;
      }
      const point: [number, number] = [px(xs[i]), py(Math.min(Math.max(v, yLow), yHigh))];
      if (previous !== null) canvas.line(previous[0], previous[1], point[0], point[1], color, 2);
      canvas.fillRect(point[0] - 2, point[1] - 2, 5, 5, color);
      previous = point;
    });
    // The legend sits above the plot area, right of the title, so it never hides a curve.
    const legendY = 6 + k * 12;
    canvas.fillRect(right - 110, legendY, 10, 7, color);
    canvas.text(right - 95, legendY, s.name, ink);
  });
  return canvas;
}
