/**
 * Translation, measured. A convolution commutes with shifts (equivariance): conv(shift(x)) =
 * shift(conv(x)) exactly with circular padding, and away from the border with zero padding, where
 * the shifted-in zeros are seen. Pooling and whole classifiers are only approximately invariant:
 * their outputs change a little (or not at all) when the input moves. These functions report by how much.
 */
import { noGrad } from '../autograd/gradMode.js';
import { ShapeError } from '../errors.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';

export type ShiftMode = 'circular' | 'zeros';

/**
 * x [..., H, W] moved by dy rows and dx columns (positive: down and right). 'circular' wraps
 * around; 'zeros' fills the vacated rows and columns with 0.
 *
 * @example
 * import { explain, tensor } from 'waldo';
 * explain.shift2d(tensor([1, 2, 3, 4], [1, 1, 2, 2]), 0, 1, 'circular').toArray(); // [2, 1, 4, 3]
 */
export function shift2d(x: Tensor, dy: number, dx: number, mode: ShiftMode = 'zeros'): Tensor {
  if (x.ndim < 2) throw new ShapeError(`shift2d: needs at least 2 dimensions [..., H, W], got ${formatShape(x.shape)}`);
  const h = x.shape[x.ndim - 2];
  const w = x.shape[x.ndim - 1];
  const planes = x.numel() / (h * w);
  const X = x.data;
  const out = new (X.constructor as new (n: number) => typeof X)(X.length);
  const wrap = (v: number, n: number) => ((v % n) + n) % n;
  for (let p = 0; p < planes; p++) {
    for (let y = 0; y < h; y++) {
      for (let c = 0; c < w; c++) {
        let sy = y - dy;
        let sx = c - dx;
        if (mode === 'circular') {
          sy = wrap(sy, h);
          sx = wrap(sx, w);
        } else if (sy < 0 || sy >= h || sx < 0 || sx >= w) {
          continue;
        }
        out[p * h * w + y * w + c] = X[p * h * w + sy * w + sx];
      }
    }
  }
  return new Tensor(out, x.shape);
}

export interface EquivarianceReport {
  shift: [number, number];
  /** max |module(shift(x)) − shift(module(x))| over the whole output. */
  maxDifference: number;
  /** The same, over output positions at least `margin` away from every border (zero padding's effect stays near the border). */
  interiorMaxDifference: number;
  /** max |module(x)|, to read the differences against. */
  outputScale: number;
}

/**
 * For each shift (in input pixels), how far module(shift(x)) is from shift(module(x)). The module
 * must keep the spatial size (stride 1, 'same'-style padding) so the two can be compared
 * position by position. `margin` (default: the shift's size plus the kernel reach you pass)
 * sets the border excluded from `interiorMaxDifference`.
 *
 * @example
 * import { explain, nn, randn } from 'waldo';
 * const conv = new nn.Conv2d(1, 4, 3, { padding: 1, paddingMode: 'circular' });
 * explain.shiftEquivariance(conv, randn([1, 1, 16, 16]), [[2, 3]], { mode: 'circular' })[0]!.maxDifference; // 0 (up to float rounding): circular convolution commutes with circular shifts
 */
export function shiftEquivariance(
  module: Module,
  input: Tensor,
  shifts: [number, number][],
  { mode = 'zeros', margin }: { mode?: ShiftMode; margin?: number } = {},
): EquivarianceReport[] {
  return noGrad(() => {
    const base = module.call(input);
    if (base.shape[base.ndim - 1] !== input.shape[input.ndim - 1] || base.shape[base.ndim - 2] !== input.shape[input.ndim - 2]) {
      throw new ShapeError(`shiftEquivariance: the module changes the spatial size (${formatShape(input.shape)} → ${formatShape(base.shape)}); compare shifts on a size-preserving module`);
    }
    const h = base.shape[base.ndim - 2];
    const w = base.shape[base.ndim - 1];
    const outputScale = Math.max(...Array.from(base.data, Math.abs));
    return shifts.map(([dy, dx]) => {
      const a = module.call(shift2d(input, dy, dx, mode)).data;
      const b = shift2d(base, dy, dx, mode).data;
      const m = margin ?? Math.max(Math.abs(dy), Math.abs(dx)) + 2;
      let maxDifference = 0;
      let interiorMaxDifference = 0;
      for (let i = 0; i < a.length; i++) {
        const d = Math.abs(a[i] - b[i]);
        maxDifference = Math.max(maxDifference, d);
        const y = Math.floor(i / w) % h;
        const x = i % w;
        if (y >= m && y < h - m && x >= m && x < w - m) interiorMaxDifference = Math.max(interiorMaxDifference, d);
      }
      return { shift: [dy, dx] as [number, number], maxDifference, interiorMaxDifference, outputScale };
    });
  });
}

export interface InvarianceReport {
  shift: [number, number];
  /** max |module(shift(x)) − module(x)|. */
  maxDifference: number;
  /** For outputs [N, classes]: the fraction of examples whose predicted class (argmax) did not change. */
  samePrediction: number | null;
}

/**
 * For each shift, how much module(shift(x)) differs from module(x): 0 means exactly invariant.
 * Max pooling is invariant to shifts that stay inside its windows; a classifier is invariant
 * when its predictions do not change.
 *
 * @example
 * import { explain, models, randn } from 'waldo';
 * const lenet = models.lenet5().eval();
 * const images = randn([16, 1, 28, 28]);
 * explain.shiftInvariance(lenet, images, [[0, 1], [0, 2]]).map((r) => r.samePrediction); // e.g. [0.99, 0.96] once trained
 */
export function shiftInvariance(module: Module, input: Tensor, shifts: [number, number][], { mode = 'zeros' }: { mode?: ShiftMode } = {}): InvarianceReport[] {
  return noGrad(() => {
    const base = module.call(input);
    const classes = base.ndim === 2 ? base.shape[1] : 0;
    const argmax = (t: Tensor) => (classes > 0 ? Array.from(t.argmax(1).data) : []);
    const basePredictions = argmax(base);
    return shifts.map(([dy, dx]) => {
      const moved = module.call(shift2d(input, dy, dx, mode));
      let maxDifference = 0;
      for (let i = 0; i < moved.data.length; i++) maxDifference = Math.max(maxDifference, Math.abs(moved.data[i] - base.data[i]));
      const predictions = argmax(moved);
      const same = predictions.filter((p, i) => p === basePredictions[i]).length;
      return { shift: [dy, dx] as [number, number], maxDifference, samePrediction: classes > 0 ? same / predictions.length : null };
    });
  });
}
