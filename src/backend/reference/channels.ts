import type { ChannelAffineTerm, ChannelGeometry, Epilogue, FloatArray } from '../backend.js';
import { applyEpilogue } from './relu.js';

// Per-channel loops over [batch, channels, spatial]: each channel is `batch` contiguous planes.
// Sums run in float64 with four accumulators (one running sum is a chain of dependent adds).

/** Σ over channel ch of (v − center), or of (v − center)² when `squares` (also the conv ops' bias gradient). */
export function channelSum(X: FloatArray, g: ChannelGeometry, ch: number, center: number, squares: boolean): number {
  const { batch, channels, spatial } = g;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let b = 0; b < batch; b++) {
    const start = (b * channels + ch) * spatial, end = start + spatial;
    let i = start;
    if (squares) {
      for (; i + 4 <= end; i += 4) {
        const d0 = X[i] - center, d1 = X[i + 1] - center, d2 = X[i + 2] - center, d3 = X[i + 3] - center;
        s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
      }
      for (; i < end; i++) { const d = X[i] - center; s0 += d * d; }
    } else {
      for (; i + 4 <= end; i += 4) { s0 += X[i] - center; s1 += X[i + 1] - center; s2 += X[i + 2] - center; s3 += X[i + 3] - center; }
      for (; i < end; i++) s0 += X[i] - center;
    }
  }
  return (s0 + s1) + (s2 + s3);
}

export function channelMoments(g: ChannelGeometry, x: FloatArray, mean: Float64Array, squares: Float64Array): void {
  const count = g.batch * g.spatial;
  for (let ch = 0; ch < g.channels; ch++) {
    mean[ch] = count === 0 ? NaN : channelSum(x, g, ch, 0, false) / count;
    squares[ch] = channelSum(x, g, ch, mean[ch], true);
  }
}

export function channelDots(g: ChannelGeometry, dy: FloatArray, x: FloatArray, center: Float64Array, sums: Float64Array, dots: Float64Array): void {
  const { batch, channels, spatial } = g;
  for (let ch = 0; ch < channels; ch++) {
    const m = center[ch];
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let b = 0; b < batch; b++) {
      const start = (b * channels + ch) * spatial, end = start + spatial;
      let i = start;
      for (; i + 4 <= end; i += 4) {
        s0 += dy[i] * (x[i] - m); s1 += dy[i + 1] * (x[i + 1] - m);
        s2 += dy[i + 2] * (x[i + 2] - m); s3 += dy[i + 3] * (x[i + 3] - m);
      }
      for (; i < end; i++) s0 += dy[i] * (x[i] - m);
    }
    sums[ch] = channelSum(dy, g, ch, 0, false);
    dots[ch] = (s0 + s1) + (s2 + s3);
  }
}

export function channelAffine(
  g: ChannelGeometry, src: FloatArray, scale: Float64Array, shift: Float64Array, term: ChannelAffineTerm | null, out: FloatArray,
  epilogue: Epilogue = null,
): void {
  const { batch, channels, spatial } = g;
  for (let b = 0; b < batch; b++) {
    for (let ch = 0; ch < channels; ch++) {
      const start = (b * channels + ch) * spatial, end = start + spatial;
      const ka = scale[ch], kc = shift[ch];
      if (term === null) {
        for (let i = start; i < end; i++) out[i] = src[i] * ka + kc;
      } else {
        const { x } = term, kb = term.coef[ch], m = term.center[ch];
        for (let i = start; i < end; i++) out[i] = src[i] * ka + (x[i] - m) * kb + kc;
      }
    }
  }
  applyEpilogue(epilogue, out);
}
