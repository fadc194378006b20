import assert from 'node:assert/strict';
import { Generator, Tensor, noGrad, tensor } from '../../src/index.js';

export interface GradCheckOptions {
  /** Finite-difference step. */
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Seed of the random weights R in the scalar L = Σ R ⊙ f(inputs). */
  seed?: number;
}

/**
 * Checks backward() against central differences in float64: with L = Σ R ⊙ f(inputs) for a fixed
 * random R, every element of every input that requires a gradient must satisfy
 * |analytic − (L(x+ε) − L(x−ε)) / 2ε| ≤ atol + rtol·|numeric|.
 * Inputs must be float64 tensors; they are perturbed in place and restored.
 */
export function gradCheck(f: (...inputs: Tensor[]) => Tensor, inputs: Tensor[], options: GradCheckOptions = {}): void {
  const { eps = 1e-6, atol = 1e-6, rtol = 1e-5, seed = 7 } = options;
  for (const x of inputs) {
    if (x.requiresGrad) assert.equal(x.dtype, 'float64', 'gradCheck needs float64 inputs');
    x.grad = null;
  }
  const out = f(...inputs);
  const g = new Generator(seed);
  const weights = tensor(Array.from({ length: out.numel() }, () => g.uniform() * 2 - 1), out.shape, { dtype: 'float64' });
  const loss = (): number => noGrad(() => f(...inputs).mul(weights).sum().item());
  out.mul(weights).sum().backward();
  inputs.forEach((x, k) => {
    if (!x.requiresGrad) return;
    assert.ok(x.grad !== null, `input ${k} received no gradient`);
    const analytic = x.grad.data;
    const data = x.data;
    for (let i = 0; i < data.length; i++) {
      const saved = data[i];
      data[i] = saved + eps;
      const plus = loss();
      data[i] = saved - eps;
      const minus = loss();
      data[i] = saved;
      const numeric = (plus - minus) / (2 * eps);
      const diff = Math.abs(analytic[i] - numeric);
      if (diff > atol + rtol * Math.abs(numeric)) {
        assert.fail(`gradient of input ${k} ${JSON.stringify(x.shape)} at flat index ${i}: analytic ${analytic[i]} vs numeric ${numeric} (difference ${diff})`);
      }
    }
  });
}

/** A float64 tensor of uniform values in [low, high) that requires a gradient, from a seeded generator. */
export function randomInput(shape: number[], seed: number, low = -1, high = 1): Tensor {
  const g = new Generator(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Array.from({ length: n }, () => low + (high - low) * g.uniform()), shape, { dtype: 'float64', requiresGrad: true });
}
