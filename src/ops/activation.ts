/**
 * Pointwise activations. Each is a forward formula and its derivative, written from the output
 * where that is cheaper (sigmoid' = y(1 − y), tanh' = 1 − y²), so backward needs no recomputation.
 */
import { record } from '../autograd/node.js';
import type { FloatArray } from '../backend/backend.js';
import { backendFor } from '../backend/index.js';
import { allocate } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { checkFloat } from './convGeometry.js';

/** Fills y with f(x). */
type ForwardLoop = (x: FloatArray, y: FloatArray) => void;
/** Fills dx with g · f'(x), given x and y = f(x). */
type BackwardLoop = (g: FloatArray, x: FloatArray, y: FloatArray, dx: FloatArray) => void;

/**
 * y = f(x) elementwise, with the gradient dx = g · f'(x). Each activation passes its own loops
 * rather than per-element callbacks: one call per tensor, so V8 inlines the arithmetic into each
 * loop (a shared loop calling f per element was megamorphic and ran at a few ns per element).
 */
function pointwise(op: string, x: Tensor, forward: ForwardLoop, backward: BackwardLoop): Tensor {
  checkFloat(op, 'input', x);
  const X = x.data as FloatArray;
  const Y = allocate(x.dtype, X.length) as FloatArray;
  forward(X, Y);
  return record(new Tensor(Y, x.shape), op, [x], (gradOut) => {
    const dx = allocate(x.dtype, X.length) as FloatArray;
    backward(gradOut.data as FloatArray, X, Y, dx);
    return [new Tensor(dx, x.shape)];
  });
}

/**
 * max(0, x); the gradient at 0 is 0 and NaN passes through, as in PyTorch.
 *
 * @example
 * import { functional as F, tensor } from 'waldo';
 * F.relu(tensor([-1, 0, 2])).toArray(); // [0, 0, 2]
 */
export function relu(x: Tensor): Tensor {
  // The kernels of the float32 backend (wasm: SIMD, threads); float64 on the reference loops.
  const backend = backendFor(x.dtype === 'float64' ? 'float64' : 'float32');
  return pointwise('relu', x, (X, Y) => backend.relu(X, Y), (G, X, _Y, dx) => backend.reluBackward(G, X, dx));
}

/**
 * x for x > 0, negativeSlope·x otherwise (PyTorch's default slope 0.01).
 *
 * @example
 * import { functional as F, tensor } from 'waldo';
 * F.leakyRelu(tensor([-2, 3]), 0.1).toArray(); // [-0.2, 3]
 */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return pointwise(
    'leakyRelu', x,
    (X, Y) => { for (let i = 0; i < X.length; i++) { const v = X[i]; Y[i] = v > 0 ? v : v * negativeSlope; } },
    (G, X, _Y, dx) => { for (let i = 0; i < X.length; i++) dx[i] = X[i] > 0 ? G[i] : G[i] * negativeSlope; },
  );
}

/**
 * 1 / (1 + e^−x), computed without overflow for large |x|.
 *
 * @example
 * import { functional as F, tensor } from 'waldo';
 * F.sigmoid(tensor([0, 1000, -1000])).toArray(); // [0.5, 1, 0]
 */
export function sigmoid(x: Tensor): Tensor {
  return pointwise(
    'sigmoid', x,
    (X, Y) => {
      for (let i = 0; i < X.length; i++) {
        const v = X[i];
        Y[i] = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
      }
    },
    (G, _X, Y, dx) => { for (let i = 0; i < Y.length; i++) dx[i] = G[i] * Y[i] * (1 - Y[i]); },
  );
}

/**
 * The hyperbolic tangent; the gradient is 1 − tanh²(x).
 *
 * @example
 * import { functional as F, tensor } from 'waldo';
 * F.tanh(tensor([0, 1])).toArray(); // [0, 0.7616]
 */
export function tanh(x: Tensor): Tensor {
  return pointwise(
    'tanh', x,
    (X, Y) => { for (let i = 0; i < X.length; i++) Y[i] = Math.tanh(X[i]); },
    (G, _X, Y, dx) => { for (let i = 0; i < Y.length; i++) dx[i] = G[i] * (1 - Y[i] * Y[i]); },
  );
}

/**
 * GELU in its exact form x·Φ(x) = x/2 · (1 + erf(x/√2)) (PyTorch's default approximate='none');
 * the derivative is Φ(x) + x·φ(x).
 *
 * @example
 * import { functional as F, tensor } from 'waldo';
 * F.gelu(tensor([-1, 0, 1])).toArray(); // [-0.1587, 0, 0.8413]
 */
export function gelu(x: Tensor): Tensor {
  return pointwise(
    'gelu', x,
    (X, Y) => { for (let i = 0; i < X.length; i++) { const v = X[i]; Y[i] = 0.5 * v * (1 + erf(v * Math.SQRT1_2)); } },
    (G, X, _Y, dx) => {
      for (let i = 0; i < X.length; i++) {
        const v = X[i];
        dx[i] = G[i] * (0.5 * (1 + erf(v * Math.SQRT1_2)) + (v * Math.exp(-0.5 * v * v)) / Math.sqrt(2 * Math.PI));
      }
    },
  );
}

/**
 * The error function to double precision: a Taylor series near 0 and a continued fraction for the
 * complementary function elsewhere (float32 GELU needs ~1e-7 relative accuracy; this gives ~1e-15).
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // erf(x) = 2/√π · Σ (−1)^n x^(2n+1) / (n! (2n+1))
    let term = ax;
    let sum = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 80; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    const r = (2 / Math.sqrt(Math.PI)) * sum;
    return x < 0 ? -r : r;
  }
  if (ax > 6) return x < 0 ? -1 : 1;
  // erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), evaluated bottom-up.
  let f = ax;
  for (let k = 60; k >= 1; k--) f = ax + k / 2 / f;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return x < 0 ? erfc - 1 : 1 - erfc;
}
