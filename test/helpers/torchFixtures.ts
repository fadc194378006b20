import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { type Tensor, tensor } from '../../src/index.js';
import { fixturePath } from './paths.js';

// Readers and checks for the PyTorch reference fixtures under test/fixtures/, written by
// tools/make_fixtures.py (see tools/README.md for the file formats and how to regenerate them).

/** A tensor in a fixture: its shape and its elements, flat and row-major. */
export interface FixtureTensor {
  shape: number[];
  data: number[];
}

/** One positional tensor argument of a case, in waldo's argument order. */
export interface FixtureInput extends FixtureTensor {
  name: string;
  dtype: 'float32' | 'int32';
  requiresGrad: boolean;
}

/** One call of a functional op or tensor method, with PyTorch's output and gradients. */
export interface FixtureCase {
  /** Unique, e.g. 'conv2d_stride2_pad1_groups2'. */
  name: string;
  /** waldo's name of the op, e.g. 'conv2d', 'maxPool2d', 'crossEntropy', 'matmul'. */
  op: string;
  inputs: FixtureInput[];
  /** The op's options object, in waldo's camelCase ({} when PyTorch's defaults were used). */
  options: Record<string, any>;
  output: FixtureTensor;
  /** The gradient fed to backward: the grads are those of sum(output ⊙ gradOutput). Absent when no input requires a gradient. */
  gradOutput?: FixtureTensor;
  /** The gradient of every input with requiresGrad, by input name. */
  grads?: Record<string, FixtureTensor>;
  /** Inputs the op updates in place (batchNorm's runningMean, runningVar), by input name, after the call. */
  after?: Record<string, FixtureTensor>;
}

/** test/fixtures/functional.json */
export interface FunctionalFixtures {
  torch: string;
  cases: FixtureCase[];
}

/** One optimizer run of test/fixtures/optim.json; arrays are indexed by step. */
export interface OptimTrajectory {
  name: string;
  optimizer: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop';
  /** Constructor options in waldo's camelCase ({} for all defaults). */
  options: Record<string, any>;
  /** A scheduler stepped after every optimizer step, if any. */
  scheduler?: { type: string; options: Record<string, any> };
  /** lr[k]: the learning rate used by step k. */
  lr: number[];
  /** loss[k]: the loss at the parameters before step k. */
  loss: number[];
  /** grads[k]: [dL/dw, dL/db] (flat) at the parameters before step k. */
  grads: number[][][];
  /** params[k]: [w, b] (flat) after step k. */
  params: number[][][];
}

/** One learning-rate schedule of test/fixtures/optim.json. */
export interface LRSchedule {
  name: string;
  scheduler: 'StepLR' | 'CosineAnnealingLR' | 'OneCycleLR' | 'ReduceLROnPlateau';
  options: Record<string, any>;
  optimizer: 'SGD' | 'Adam';
  optimizerOptions: Record<string, any>;
  /** ReduceLROnPlateau only: the metric passed to the k-th step(). */
  metrics?: number[];
  /** lr[k]: the group's lr after k calls of scheduler.step() (lr[0]: after construction). */
  lr: number[];
  /** OneCycleLR with SGD: the group's momentum, indexed like lr. */
  momentum?: number[];
  /** OneCycleLR with Adam: betas[0], indexed like lr. */
  beta1?: number[];
}

/** test/fixtures/optim.json (all numbers are float64, computed in double precision). */
export interface OptimFixtures {
  torch: string;
  problem: {
    /** mean((X·w + b − T)²) + 0.1·sum(w⁴) */
    loss: string;
    dtype: 'float64';
    X: FixtureTensor;
    T: FixtureTensor;
    /** The starting values of w [3, 4] and b [4]. */
    params: (FixtureTensor & { name: string })[];
  };
  steps: number;
  trajectories: OptimTrajectory[];
  scheduleSteps: number;
  schedules: LRSchedule[];
}

/** test/fixtures/lenet5_io.json (weights in lenet5.safetensors). */
export interface LeNetIOFixture {
  torch: string;
  model: string;
  weights: string;
  inputSeed: string;
  /** Smallest distance of a ReLU input from 0, or of a max-pool winner from the runner-up. */
  branchMargin: number;
  input: FixtureTensor;
  target: FixtureTensor & { dtype: 'int32' };
  logits: FixtureTensor;
  lossFunction: string;
  loss: number;
  /** Gradient of the loss for every parameter, by state-dict key ('features.0.weight', …). */
  grads: Record<string, FixtureTensor>;
}

/** Allowed difference: |actual − expected| ≤ atol + rtol·|expected|, elementwise. */
export interface Tolerance {
  atol?: number;
  rtol?: number;
}

/** Options of checkAgainstTorch: the tolerance, and the dtype to build the float inputs in. */
export interface CheckOptions extends Tolerance {
  /** Build float inputs as float64 instead of float32 (e.g. for the reference backend's double path). */
  dtype?: 'float32' | 'float64';
}

/**
 * The default tolerance, for float32 results against fixtures that are correctly rounded: the
 * fixtures are computed in float64, so the whole budget is waldo's float32 rounding error.
 * PyTorch's own float32 CPU results use at most 15% of it on every case in functional.json.
 */
export const FLOAT32_TOLERANCE: Required<Tolerance> = { atol: 1e-5, rtol: 1e-4 };

const cache = new Map<string, unknown>();

/** Parses a JSON fixture file of test/fixtures/ (parsed once per process). */
export function loadFixtureJson<T>(file: string): T {
  if (!cache.has(file)) cache.set(file, JSON.parse(readFileSync(fixturePath(file), 'utf8')));
  return cache.get(file) as T;
}

/**
 * The cases of a functional fixture file, optionally only those of one op.
 *
 * @example
 * for (const c of loadFixtureCases('functional.json', 'conv2d')) {
 *   test(c.name, () => checkAgainstTorch(c, ([x, w, b], o) => F.conv2d(x, w, b ?? null, o)));
 * }
 */
export function loadFixtureCases(file: string, op?: string): FixtureCase[] {
  const cases = loadFixtureJson<FunctionalFixtures>(file).cases;
  if (op === undefined) return cases;
  const selected = cases.filter((c) => c.op === op);
  if (selected.length === 0) throw new Error(`${file} has no cases of op '${op}'`);
  return selected;
}

/** The inputs of a case as waldo tensors (float inputs as `dtype`, class indices as int32). */
export function fixtureInputs(c: FixtureCase, dtype: 'float32' | 'float64' = 'float32'): Tensor[] {
  return c.inputs.map((i) =>
    tensor(i.data, i.shape, { dtype: i.dtype === 'int32' ? 'int32' : dtype, requiresGrad: i.requiresGrad }),
  );
}

/**
 * Runs one fixture case through waldo and compares with PyTorch: the output's shape and values,
 * then (after backward with the case's gradOutput) the shape and values of every gradient in
 * `grads`, then the in-place updated inputs in `after`. Throws an AssertionError naming the case,
 * the tensor and the worst element. Returns the inputs and output for further checks.
 *
 * @example
 * checkAgainstTorch(c, ([x], o) => F.maxPool2d(x, o));
 */
export function checkAgainstTorch(
  c: FixtureCase,
  run: (inputs: Tensor[], options: any) => Tensor,
  tol: CheckOptions = {},
): { inputs: Tensor[]; output: Tensor } {
  const inputs = fixtureInputs(c, tol.dtype);
  const output = run(inputs, structuredClone(c.options));
  assertShape(output.shape, c.output.shape, `${c.name}: output`);
  assertClose(output.toArray(), c.output.data, tol, `${c.name}: output`, c.output.shape);

  const grads = Object.entries(c.grads ?? {});
  if (grads.length > 0) {
    const g = c.gradOutput!;
    output.backward(tensor(g.data, g.shape, { dtype: output.dtype }));
    for (const [name, expected] of grads) {
      const input = inputs[indexOf(c, name)];
      const label = `${c.name}: gradient of ${name}`;
      assert.ok(input.grad !== null, `${label}: .grad is null after backward`);
      assertShape(input.grad.shape, expected.shape, label);
      assertClose(input.grad.toArray(), expected.data, tol, label, expected.shape);
    }
  }
  for (const [name, expected] of Object.entries(c.after ?? {})) {
    const input = inputs[indexOf(c, name)];
    const label = `${c.name}: ${name} after the call`;
    assertShape(input.shape, expected.shape, label);
    assertClose(input.toArray(), expected.data, tol, label, expected.shape);
  }
  return { inputs, output };
}

/**
 * Asserts |actual[i] − expected[i]| ≤ atol + rtol·|expected[i]| for every i (defaults
 * FLOAT32_TOLERANCE); NaN never passes. On failure the message names `label`, the worst element
 * (the largest excess over its bound, as a multi-index when `shape` is given), both values, and
 * how many elements fail.
 */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance = {},
  label = 'values',
  shape?: readonly number[],
): void {
  const atol = tol.atol ?? FLOAT32_TOLERANCE.atol;
  const rtol = tol.rtol ?? FLOAT32_TOLERANCE.rtol;
  if (actual.length !== expected.length) {
    assert.fail(`${label}: ${actual.length} elements, expected ${expected.length}`);
  }
  let worst = -1;
  let worstExcess = -Infinity;
  let failures = 0;
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i] - expected[i]);
    const excess = Number.isNaN(diff) ? Infinity : diff - (atol + rtol * Math.abs(expected[i]));
    if (excess > 0) {
      failures++;
      if (excess > worstExcess) {
        worstExcess = excess;
        worst = i;
      }
    }
  }
  if (failures === 0) return;
  const at = shape ? `[${unravel(worst, shape).join(', ')}] (flat ${worst})` : `${worst}`;
  const diff = Math.abs(actual[worst] - expected[worst]);
  assert.fail(
    `${label}: ${failures} of ${expected.length} elements out of tolerance; worst at index ${at}: ` +
      `actual ${actual[worst]}, expected ${expected[worst]}, |difference| ${diff} > ${atol} + ${rtol}·|expected|`,
  );
}

function assertShape(actual: readonly number[], expected: readonly number[], label: string): void {
  if (actual.length !== expected.length || actual.some((d, i) => d !== expected[i])) {
    assert.fail(`${label}: shape [${actual.join(', ')}], expected [${expected.join(', ')}]`);
  }
}

function indexOf(c: FixtureCase, name: string): number {
  const k = c.inputs.findIndex((i) => i.name === name);
  if (k < 0) throw new Error(`${c.name}: the fixture names '${name}' but has no input of that name`);
  return k;
}

/** Row-major multi-index of flat index i in shape. */
function unravel(i: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return index;
}
