/**
 * Pointwise activations. Each is a forward formula and its derivative, written from the output
 * where that is cheaper (sigmoid' = y(1 − y), tanh' = 1 − y²), so backward needs no recomputation.
 */
import { record } from '../autograd/node.js';
import { allocate } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { checkFloat } from './convGeometry.js';

/**
 * y = f(x) elementwise with dy/dx = derivative(x, y); the gradient is dL/dy · dy/dx.
 */
function pointwise(op: string, x: Tensor, f: (v: number) => number, derivative: (v: number, y: number) => number): Tensor {
  checkFloat(op, 'input', x);
  const X = x.data;
  const Y = allocate(x.dtype, X.length);
  for (let i = 0; i < X.length; i++) Y[i] = f(X[i]);
  return record(new Tensor(Y, x.shape), op, [x], (gradOut) => {
    const G = gradOut.data;
    const dx = allocate(x.dtype, X.length);
    for (let i = 0; i < X.length; i++) dx[i] = G[i] * derivative(X[i], Y[i]);
    return [new Tensor(dx, x.shape)];
  });
}

/**
 * max(0, x); the gradient at 0 is 0, as in PyTorch.
 *
 * @example
 * import { functional as F, tensor } from 'waldo';
 * F.relu(tensor([-1, 0, 2])).toArray(); // [0, 0, 2]
 */
export function relu(x: Tensor): Tensor {
  return pointwise('relu', x, (v) => (v > 0 ? v : 0), (v) => (v > 0 ? 1 : 0));
}

/**
 * x for x > 0, negativeSlope·x otherwise (PyTorch's default slope 0.01).
 *
 * @example
 * import { functional as F, tensor } from 'waldo';
 * F.leakyRelu(tensor([-2, 3]), 0.1).toArray(); // [-0.2, 3]
 */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return pointwise('leakyRelu', x, (v) => (v > 0 ? v : v * negativeSlope), (v) => (v > 0 ? 1 : negativeSlope));
}

/**
 * 1 / (1 + e^−x), computed without overflow for large |x|.
 *
 * @example
 * import { functional as F, tensor } from 'waldo';
 * F.sigmoid(tensor([0, 1000, -1000])).toArray(); // [0.5, 1, 0]
 */
export function sigmoid(x: Tensor): Tensor {
  return pointwise('sigmoid', x, (v) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v))), (_v, y) => y * (1 - y));
}

/**
 * The hyperbolic tangent; the gradient is 1 − tanh²(x).
 *
 * @example
 * import { functional as F, tensor } from 'waldo';
 * F.tanh(tensor([0, 1])).toArray(); // [0, 0.7616]
 */
export function tanh(x: Tensor): Tensor {
  return pointwise('tanh', x, Math.tanh, (_v, y) => 1 - y * y);
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
    'gelu',
    x,
    (v) => 0.5 * v * (1 + erf(v * Math.SQRT1_2)),
    (v) => 0.5 * (1 + erf(v * Math.SQRT1_2)) + (v * Math.exp(-0.5 * v * v)) / Math.sqrt(2 * Math.PI),
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
