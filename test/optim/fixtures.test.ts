// Optimizer trajectories and learning-rate schedules against PyTorch 1.13 (test/fixtures/optim.json,
// written by tools/fixtures_optim.py; see that file for the problem and the recording order).
//
// Tolerances, all |waldo − torch| ≤ atol + rtol·|torch| per element (measured worst cases in brackets,
// over all 20 trajectories × 8 steps × 16 parameters):
// - float64, fed the gradients PyTorch recorded: atol 1e-15, rtol 1e-14 [abs 2.4e-16; 76% of the
//   values bit-identical]. Same formulas in the same order; what remains is an ulp from PyTorch's
//   vectorised kernels (fused multiply-adds) and `x ** n`.
// - float64, gradients from waldo's own ops: atol 1e-15, rtol 1e-13 [abs 3.3e-16]: summation order
//   in matmul and mean moves gradients by ulps.
// - float32 (parameters, gradients and state buffers float32, from the float32-representable
//   starting values), gradients from waldo: atol 1e-5, rtol 1e-4 against PyTorch's float64 run
//   [abs 7.9e-7, relative 1.8e-5]. Every step rounds loss, gradients and buffers to float32
//   (2^-24 ≈ 6e-8); Adam and RMSprop divide by √v, which makes a small gradient's absolute rounding
//   error a relative error of the step, so errors grow over the 8 steps. The bound leaves a factor
//   of ~10 for other backends' summation orders.
// - learning rates and momenta: 1e-15 relative [291 of 294 values bit-identical; the other 3, in
//   OneCycleLR, are 3 ulp off because glibc's cos(π·11/14) and V8's differ in the last bit].
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tensor, type Tensor } from '../../src/tensor/index.js';
import {
  Adam, AdamW, CosineAnnealingLR, OneCycleLR, type Optimizer, ReduceLROnPlateau, RMSprop, SGD, StepLR,
} from '../../src/optim/index.js';
import { fixturePath } from '../helpers/paths.js';

interface TensorJson { shape: number[]; data: number[] }
interface SchedulerSpec { type: string; options: Record<string, unknown> }
interface Trajectory {
  name: string;
  optimizer: string;
  options: Record<string, unknown>;
  scheduler?: SchedulerSpec;
  lr: number[];
  loss: number[];
  /** Per step: [w.grad flat, b.grad flat] at the parameters before the step. */
  grads: number[][][];
  /** Per step: [w flat, b flat] after the step. */
  params: number[][][];
}
interface Schedule {
  name: string;
  scheduler: string;
  options: Record<string, unknown>;
  optimizer: string;
  optimizerOptions: Record<string, unknown>;
  metrics?: number[];
  lr: number[];
  momentum?: number[];
  beta1?: number[];
}
interface OptimFixture {
  torch: string;
  problem: { X: TensorJson; T: TensorJson; params: (TensorJson & { name: string })[] };
  steps: number;
  trajectories: Trajectory[];
  scheduleSteps: number;
  schedules: Schedule[];
}

const fixture = JSON.parse(readFileSync(fixturePath('optim.json'), 'utf8')) as OptimFixture;

function makeOptimizer(name: string, params: Tensor[], options: Record<string, unknown>): Optimizer {
  switch (name) {
    case 'SGD': return new SGD(params, options);
    case 'Adam': return new Adam(params, options);
    case 'AdamW': return new AdamW(params, options);
    case 'RMSprop': return new RMSprop(params, options);
    default: throw new Error(`fixture names an unknown optimizer ${name}`);
  }
}

type AnyScheduler = { step(metric?: number): void; getLastLr(): number[] };
function makeScheduler(name: string, optimizer: Optimizer, options: Record<string, unknown>): AnyScheduler {
  switch (name) {
    case 'StepLR': return new StepLR(optimizer, options as never);
    case 'CosineAnnealingLR': return new CosineAnnealingLR(optimizer, options as never);
    case 'OneCycleLR': return new OneCycleLR(optimizer, options as never);
    case 'ReduceLROnPlateau': return new ReduceLROnPlateau(optimizer, options as never);
    default: throw new Error(`fixture names an unknown scheduler ${name}`);
  }
}

/** The largest error beyond the tolerance, or 0 if all elements are within it; and the largest error. */
function check(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number, what: string): number {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    assert.ok(err <= atol + rtol * Math.abs(expected[i]), `${what}[${i}]: waldo ${actual[i]} vs torch ${expected[i]} (error ${err})`);
    worst = Math.max(worst, err / (atol + rtol * Math.abs(expected[i])));
  }
  return worst;
}

type GradSource = 'torch' | 'waldo';

/** Runs one trajectory in waldo and compares every step's gradients (when computed here) and parameters. */
function runTrajectory(t: Trajectory, dtype: 'float32' | 'float64', grads: GradSource, tol: { atol: number; rtol: number }): void {
  const { X, T, params: init } = fixture.problem;
  const x = tensor(X.data, X.shape, { dtype });
  const target = tensor(T.data, T.shape, { dtype });
  const [w, b] = init.map((p) => tensor(p.data, p.shape, { dtype, requiresGrad: true }));
  const opt = makeOptimizer(t.optimizer, [w, b], t.options);
  const scheduler = t.scheduler === undefined ? null : makeScheduler(t.scheduler.type, opt, t.scheduler.options);
  const gradTol = dtype === 'float64' ? { atol: 1e-13, rtol: 1e-12 } : { atol: 1e-5, rtol: 1e-4 };
  for (let k = 0; k < fixture.steps; k++) {
    const at = `${t.name} ${dtype} (${grads} gradients) step ${k}`;
    opt.zeroGrad();
    assert.ok(Math.abs(opt.paramGroups[0].lr - t.lr[k]) <= 1e-15 * t.lr[k], `${at}: lr ${opt.paramGroups[0].lr} vs ${t.lr[k]}`);
    if (grads === 'waldo') {
      // loss = mean((X·w + b − T)²) + 0.1·Σ w⁴
      const loss = x.matmul(w).add(b).sub(target).pow(2).mean().add(w.pow(4).sum().mul(0.1));
      loss.backward();
      check([loss.item()], [t.loss[k]], gradTol.atol, gradTol.rtol, `${at}: loss`);
      check(w.grad!.data, t.grads[k][0], gradTol.atol, gradTol.rtol, `${at}: w.grad`);
      check(b.grad!.data, t.grads[k][1], gradTol.atol, gradTol.rtol, `${at}: b.grad`);
    } else {
      w.grad = tensor(t.grads[k][0], w.shape as number[], { dtype });
      b.grad = tensor(t.grads[k][1], b.shape as number[], { dtype });
    }
    opt.step();
    scheduler?.step();
    check(w.data, t.params[k][0], tol.atol, tol.rtol, `${at}: w`);
    check(b.data, t.params[k][1], tol.atol, tol.rtol, `${at}: b`);
  }
}

test(`the fixture is PyTorch 1.13's, with ${fixture.trajectories.length} trajectories and ${fixture.schedules.length} schedules`, () => {
  assert.match(fixture.torch, /^1\.13/);
  assert.ok(fixture.trajectories.length >= 20 && fixture.schedules.length >= 11);
});

for (const t of fixture.trajectories) {
  test(`trajectory ${t.name}: ${t.optimizer} ${JSON.stringify(t.options)}${t.scheduler ? ` + ${t.scheduler.type}` : ''} matches PyTorch`, () => {
    runTrajectory(t, 'float64', 'torch', { atol: 1e-15, rtol: 1e-14 });
    runTrajectory(t, 'float64', 'waldo', { atol: 1e-15, rtol: 1e-13 });
    runTrajectory(t, 'float32', 'waldo', { atol: 1e-5, rtol: 1e-4 });
  });
}

for (const s of fixture.schedules) {
  test(`schedule ${s.name}: ${s.scheduler} ${JSON.stringify(s.options)} matches PyTorch's lr${s.momentum ? ' and momentum' : s.beta1 ? ' and beta1' : ''}`, () => {
    const p = tensor([0, 0], [2], { dtype: 'float64', requiresGrad: true });
    const opt = makeOptimizer(s.optimizer, [p], s.optimizerOptions);
    const scheduler = makeScheduler(s.scheduler, opt, s.options);
    const group = opt.paramGroups[0] as unknown as { lr: number; momentum?: number; betas?: number[] };
    const lrs = [group.lr];
    const momenta = [s.beta1 ? group.betas![0] : group.momentum!];
    for (let k = 0; k < fixture.scheduleSteps; k++) {
      opt.step();
      if (s.metrics !== undefined) scheduler.step(s.metrics[k]);
      else scheduler.step();
      assert.deepEqual(scheduler.getLastLr(), [group.lr]);
      lrs.push(group.lr);
      momenta.push(s.beta1 ? group.betas![0] : group.momentum!);
    }
    check(lrs, s.lr, 0, 1e-15, `${s.name}: lr`);
    const expectedMomenta = s.momentum ?? s.beta1;
    if (expectedMomenta !== undefined) check(momenta, expectedMomenta, 0, 1e-15, `${s.name}: momentum`);
  });
}
