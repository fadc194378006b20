import type { FloatArray, Pool2dGeometry } from '../backend.js';

/**
 * Reference pooling kernels. A window of output (i, j) covers input rows i·sH − pT + a·dH and
 * columns j·sW − pL + b·dW; padding is −∞ for max pooling and zero (counted or not) for averages.
 */

export function maxPool2dForward(g: Pool2dGeometry, x: FloatArray, out: FloatArray, argmax: Int32Array): void {
  const { inHeight: H, inWidth: W, outHeight: Ho, outWidth: Wo } = g;
  for (let plane = 0; plane < g.batch * g.channels; plane++) {
    for (let i = 0; i < Ho; i++) {
      for (let j = 0; j < Wo; j++) {
        let best = -Infinity;
        let where = -1;
        for (let a = 0; a < g.kernelHeight; a++) {
          const y = i * g.strideH - g.padTop + a * g.dilationH;
          if (y < 0 || y >= H) continue;
          for (let b = 0; b < g.kernelWidth; b++) {
            const x0 = j * g.strideW - g.padLeft + b * g.dilationW;
            if (x0 < 0 || x0 >= W) continue;
            const v = x[plane * H * W + y * W + x0];
            // As PyTorch: NaN propagates (a NaN is taken over any number), otherwise the first max wins.
            if (v > best || Number.isNaN(v) || where < 0) {
              best = v;
              where = y * W + x0;
            }
          }
        }
        const oi = plane * Ho * Wo + i * Wo + j;
        out[oi] = best;
        argmax[oi] = where;
      }
    }
  }
}

export function maxPool2dBackward(g: Pool2dGeometry, dy: FloatArray, argmax: Int32Array, dx: FloatArray): void {
  dx.fill(0);
  const inPlane = g.inHeight * g.inWidth;
  const outPlane = g.outHeight * g.outWidth;
  for (let oi = 0; oi < dy.length; oi++) {
    const plane = Math.floor(oi / outPlane);
    if (argmax[oi] >= 0) dx[plane * inPlane + argmax[oi]] += dy[oi];
  }
}

/**
 * The window of output (i, j) clipped two ways, as PyTorch's avg_pool2d: to the padded input (the
 * divisor when countIncludePad) and to the real input (the summed elements, and the divisor otherwise).
 */
function averageWindow(g: Pool2dGeometry, i: number, j: number, countIncludePad: boolean) {
  // Pooling pads symmetrically, so the far side has as much padding as the near side.
  const padBottom = g.padTop;
  const padRight = g.padLeft;
  let y0 = i * g.strideH - g.padTop;
  let x0 = j * g.strideW - g.padLeft;
  let y1 = Math.min(y0 + g.kernelHeight, g.inHeight + padBottom);
  let x1 = Math.min(x0 + g.kernelWidth, g.inWidth + padRight);
  const paddedCount = (y1 - y0) * (x1 - x0);
  y0 = Math.max(y0, 0);
  x0 = Math.max(x0, 0);
  y1 = Math.min(y1, g.inHeight);
  x1 = Math.min(x1, g.inWidth);
  const divisor = countIncludePad ? paddedCount : (y1 - y0) * (x1 - x0);
  return { y0, y1, x0, x1, divisor };
}

export function avgPool2dForward(g: Pool2dGeometry, countIncludePad: boolean, x: FloatArray, out: FloatArray): void {
  const { inHeight: H, inWidth: W, outHeight: Ho, outWidth: Wo } = g;
  for (let plane = 0; plane < g.batch * g.channels; plane++) {
    for (let i = 0; i < Ho; i++) {
      for (let j = 0; j < Wo; j++) {
        const { y0, y1, x0, x1, divisor } = averageWindow(g, i, j, countIncludePad);
        let sum = 0;
        for (let y = y0; y < y1; y++) for (let xx = x0; xx < x1; xx++) sum += x[plane * H * W + y * W + xx];
        out[plane * Ho * Wo + i * Wo + j] = sum / divisor;
      }
    }
  }
}

export function avgPool2dBackward(g: Pool2dGeometry, countIncludePad: boolean, dy: FloatArray, dx: FloatArray): void {
  dx.fill(0);
  const { inHeight: H, inWidth: W, outHeight: Ho, outWidth: Wo } = g;
  for (let plane = 0; plane < g.batch * g.channels; plane++) {
    for (let i = 0; i < Ho; i++) {
      for (let j = 0; j < Wo; j++) {
        const { y0, y1, x0, x1, divisor } = averageWindow(g, i, j, countIncludePad);
        const share = dy[plane * Ho * Wo + i * Wo + j] / divisor;
        for (let y = y0; y < y1; y++) for (let xx = x0; xx < x1; xx++) dx[plane * H * W + y * W + xx] += share;
      }
    }
  }
}
