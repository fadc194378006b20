import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError, ValueError } from '../../src/errors.js';
import { tensor, type Tensor } from '../../src/tensor/index.js';
import {
  Adam, AdamW, CosineAnnealingLR, type Optimizer, type OptimizerStateDict, RMSprop, SGD, StepLR,
} from '../../src/optim/index.js';
import { joinArrays, separateArrays } from '../../src/train/stateTree.js';
import type { TypedArray } from '../../src/tensor/dtype.js';

const arr = (t: Tensor | ArrayLike<number>) => Array.from(t instanceof Float32Array || t instanceof Float64Array || Array.isArray(t) ? t : (t as Tensor).toArray());
const f64 = (values: number[]) => tensor(values, [values.length], { dtype: 'float64', requiresGrad: true });
const withGrad = (p: Tensor, g: number[]) => { p.grad = tensor(g, p.shape as number[], { dtype: p.dtype }); return p; };

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what = ''): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

test('SGD: one step is p − lr·g, in place, without recording a graph', () => {
  const p = withGrad(f64([1, 2, -3]), [0.5, -1, 2]);
  const data = p.data;
  new SGD([p], { lr: 0.1 }).step();
  assert.equal(p.data, data, 'the same array is updated');
  assertClose(p.data, [0.95, 2.1, -3.2], 1e-15);
  assert.equal(p.gradFn, null);
  assert.ok(p.isLeaf);
});

test('SGD: weight decay adds weightDecay·p to the gradient; maximize ascends', () => {
  const p = withGrad(f64([1, -2]), [0.5, 0.5]);
  new SGD([p], { lr: 0.1, weightDecay: 0.2 }).step();
  // g + 0.2p = [0.7, 0.1]
  assertClose(p.data, [0.93, -2.01], 1e-15);
  const q = withGrad(f64([1, -2]), [0.5, 0.5]);
  new SGD([q], { lr: 0.1, maximize: true }).step();
  assertClose(q.data, [1.05, -1.95], 1e-15);
});

test('SGD momentum: the first buffer is the gradient (no dampening), then b ← m·b + (1 − d)·g', () => {
  const p = withGrad(f64([1, 1]), [1, -2]);
  const opt = new SGD([p], { lr: 0.1, momentum: 0.9, dampening: 0.5 });
  opt.step();
  assert.deepEqual(arr(opt.state.get(p)!.momentumBuffer!), [1, -2]);
  assertClose(p.data, [0.9, 1.2], 1e-15);
  withGrad(p, [3, 4]);
  opt.step();
  // b = 0.9·[1, −2] + 0.5·[3, 4] = [2.4, 0.2]
  assertClose(opt.state.get(p)!.momentumBuffer!, [2.4, 0.2], 1e-15);
  assertClose(p.data, [0.9 - 0.24, 1.2 - 0.02], 1e-15);
});

test('SGD nesterov: the step is g + m·b', () => {
  const p = withGrad(f64([0]), [1]);
  const opt = new SGD([p], { lr: 1, momentum: 0.5, nesterov: true });
  opt.step(); // b = 1, step 1 + 0.5 = 1.5
  assertClose(p.data, [-1.5], 1e-15);
  withGrad(p, [2]);
  opt.step(); // b = 0.5 + 2 = 2.5, step 2 + 1.25 = 3.25
  assertClose(opt.state.get(p)!.momentumBuffer!, [2.5], 1e-15);
  assertClose(p.data, [-4.75], 1e-15);
});

test('Adam: the first step moves each parameter by about lr·sign(g), whatever the gradient scale', () => {
  const g = [1e-3, -5, 200, -0.02];
  const p = withGrad(f64([0.5, 0.5, 0.5, 0.5]), g);
  const opt = new Adam([p], { lr: 0.01 });
  opt.step();
  assertClose(arr(p.data).map((v) => v - 0.5), g.map((x) => -0.01 * Math.sign(x)), 1e-7);
  const s = opt.state.get(p)!;
  assert.equal(s.step, 1);
  assertClose(s.expAvg, g.map((x) => 0.1 * x), 1e-15);
  assertClose(s.expAvgSq, g.map((x) => 0.001 * x * x), 1e-12);
});

test('Adam: the second step follows the bias-corrected formula', () => {
  const p = withGrad(f64([1]), [2]);
  const opt = new Adam([p], { lr: 0.1, betas: [0.5, 0.75], eps: 0.01 });
  opt.step();
  withGrad(p, [-1]);
  opt.step();
  // m = 0.5·(0.5·2) + 0.5·(−1) = 0; v = 0.75·(0.25·4) + 0.25·1 = 1
  // p1 = 1 − (0.1/0.5)·1 / (√1/√0.25 + 0.01) = 1 − 0.2/2.01
  const p1 = 1 - 0.2 / (1 / Math.sqrt(0.25) + 0.01);
  assertClose(opt.state.get(p)!.expAvg, [0], 1e-15);
  assertClose(opt.state.get(p)!.expAvgSq, [1], 1e-15);
  assertClose(p.data, [p1], 1e-15);
});

test('Adam weightDecay is L2 on the gradient; AdamW decays the parameter itself by lr·weightDecay', () => {
  // With a zero gradient Adam's step comes from weightDecay·p alone: ≈ lr·sign(p).
  const a = withGrad(f64([2, -3]), [0, 0]);
  new Adam([a], { lr: 0.01, weightDecay: 0.1 }).step();
  assertClose(a.data, [1.99, -2.99], 1e-7);
  // AdamW with a zero gradient: m = v = 0, so only the decay p·(1 − lr·wd) acts.
  const w = withGrad(f64([2, -3]), [0, 0]);
  new AdamW([w], { lr: 0.01, weightDecay: 0.5 }).step();
  assertClose(w.data, [2 * 0.995, -3 * 0.995], 1e-15);
  assert.equal(new AdamW([f64([1])]).paramGroups[0].weightDecay, 1e-2, 'AdamW default weightDecay');
  assert.equal(new Adam([f64([1])]).paramGroups[0].weightDecay, 0, 'Adam default weightDecay');
});

test('Adam amsgrad keeps the largest second moment and divides by it', () => {
  const p = withGrad(f64([0]), [10]);
  const opt = new Adam([p], { lr: 0.1, amsgrad: true });
  opt.step();
  const vAfter1 = opt.state.get(p)!.expAvgSq[0];
  withGrad(p, [0]);
  opt.step();
  const s = opt.state.get(p)!;
  assert.ok(s.expAvgSq[0] < vAfter1);
  assert.equal(s.maxExpAvgSq![0], vAfter1);
});

test('RMSprop: first steps by hand, plain, centered and with momentum', () => {
  // s = 0.01·g², avg = 0.1·|g| + eps: the first step is lr·g/(0.1|g| + eps) ≈ 10·lr·sign(g).
  const p = withGrad(f64([1, 1]), [4, -0.5]);
  new RMSprop([p], { lr: 0.01, eps: 0 }).step();
  assertClose(p.data, [0.9, 1.1], 1e-14);
  // centered: s − ḡ² = 0.01g² − 0.0001g² = 0.0099g²
  const c = withGrad(f64([1]), [2]);
  const centered = new RMSprop([c], { lr: 0.01, eps: 0, centered: true });
  centered.step();
  assertClose(c.data, [1 - 0.01 / Math.sqrt(0.0099)], 1e-14);
  assertClose(centered.state.get(c)!.gradAvg!, [0.02], 1e-15);
  // momentum: b ← m·b + g/avg
  const m = withGrad(f64([0]), [3]);
  const withMomentum = new RMSprop([m], { lr: 0.1, alpha: 0.75, eps: 0, momentum: 0.5 });
  withMomentum.step(); // s = 0.25·9, avg = 1.5, b = 2
  assertClose(m.data, [-0.2], 1e-15);
  withGrad(m, [3]);
  withMomentum.step(); // s = 0.75·2.25 + 2.25 = 3.9375, b = 1 + 3/√3.9375
  const b2 = 1 + 3 / Math.sqrt(3.9375);
  assertClose(withMomentum.state.get(m)!.momentumBuffer!, [b2], 1e-15);
  assertClose(m.data, [-0.2 - 0.1 * b2], 1e-15);
});

test('parameters without a gradient are skipped and get no state; zeroGrad sets grads to null or zero', () => {
  const a = withGrad(f64([1]), [1]);
  const b = f64([5]);
  const opt = new Adam([a, b], { lr: 0.1 });
  opt.step();
  assert.deepEqual(arr(b), [5]);
  assert.equal(opt.state.has(b), false);
  assert.deepEqual(Object.keys(opt.stateDict().state), ['0']);
  opt.zeroGrad(false);
  assert.deepEqual(arr(a.grad!), [0]);
  opt.zeroGrad();
  assert.equal(a.grad, null);
  opt.step(); // no gradients: nothing moves, the step count stays
  assert.equal(opt.state.get(a)!.step, 1);
});

test('a real backward pass: SGD with momentum minimises a quadratic', () => {
  const target = tensor([1, -2, 3], [3]);
  const p = tensor([0, 0, 0], [3], { requiresGrad: true });
  const opt = new SGD([p], { lr: 0.1, momentum: 0.5 });
  for (let i = 0; i < 100; i++) {
    opt.zeroGrad();
    p.sub(target).pow(2).sum().backward();
    opt.step();
  }
  assertClose(p.data, [1, -2, 3], 1e-5);
  assert.equal(p.dtype, 'float32');
  assert.ok(opt.state.get(p)!.momentumBuffer instanceof Float32Array, 'state buffers take the parameter dtype');
});

test('parameter groups: own options, the rest from the defaults; state dict numbers parameters across groups', () => {
  const a = withGrad(f64([1]), [1]);
  const b = withGrad(f64([1]), [1]);
  const c = withGrad(f64([1]), [1]);
  const opt = new SGD([{ params: [a, b] }, { params: [c], lr: 1, momentum: 0.5 }], { lr: 0.1 });
  assert.equal(opt.paramGroups[0].lr, 0.1);
  assert.equal(opt.paramGroups[0].momentum, 0);
  assert.equal(opt.paramGroups[1].lr, 1);
  opt.step();
  assertClose([a.data[0], b.data[0], c.data[0]], [0.9, 0.9, 0], 1e-15);
  const dict = opt.stateDict();
  assert.deepEqual(dict.paramGroups.map((g) => g.params), [[0, 1], [2]]);
  assert.deepEqual(Object.keys(dict.state), ['0', '1', '2']);
  assert.equal(dict.state['0'].momentumBuffer, null);
  assert.deepEqual(arr(dict.state['2'].momentumBuffer as Float64Array), [1]);
  // paramGroups[i].lr is writable (schedulers do this) and used by the next step.
  opt.paramGroups[0].lr = 0.5;
  withGrad(a, [1]);
  opt.step();
  assertClose([a.data[0]], [0.4], 1e-15);
});

/** A small deterministic problem: params of two shapes and a loss whose gradient changes each step. */
function makeProblem(dtype: 'float32' | 'float64' = 'float32'): { params: Tensor[]; computeGrads: (step: number) => void } {
  const w = tensor([0.3, -0.7, 1.1, 0.05, -0.4, 0.9], [2, 3], { dtype, requiresGrad: true });
  const bias = tensor([0.2, -0.1], [2], { dtype, requiresGrad: true });
  const x = tensor([1, 2, -1, 0.5, -1.5, 2], [3, 2], { dtype });
  const computeGrads = (step: number) => {
    w.grad = null;
    bias.grad = null;
    // loss = Σ (w·x + b − y)² + Σ w³/3, with y changing with the step so moments differ per step.
    const y = tensor([Math.sin(step), Math.cos(step), step / 10, -1], [2, 2], { dtype });
    w.matmul(x).add(bias.reshape(2, 1)).sub(y).pow(2).sum().add(w.pow(3).sum().div(3)).backward();
  };
  return { params: [w, bias], computeGrads };
}

const optimizerCases: { name: string; make: (params: Tensor[]) => Optimizer }[] = [
  { name: 'SGD momentum nesterov + weightDecay', make: (p) => new SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 }) },
  { name: 'SGD momentum dampening', make: (p) => new SGD(p, { lr: 0.05, momentum: 0.8, dampening: 0.3 }) },
  { name: 'Adam amsgrad', make: (p) => new Adam(p, { lr: 0.02, amsgrad: true, weightDecay: 0.1 }) },
  { name: 'AdamW', make: (p) => new AdamW(p, { lr: 0.02, betas: [0.8, 0.9] }) },
  { name: 'RMSprop centered momentum', make: (p) => new RMSprop(p, { lr: 0.01, momentum: 0.9, centered: true, weightDecay: 0.05 }) },
  { name: 'RMSprop', make: (p) => new RMSprop(p) },
];

/** Typed arrays as plain arrays, as a JSON round trip without the checkpoint's binary side would leave them. */
function throughJson(dict: unknown): OptimizerStateDict {
  return JSON.parse(JSON.stringify(dict, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v))) as OptimizerStateDict;
}

for (const { name, make } of optimizerCases) {
  test(`${name}: save after 3 steps, load into a new optimizer, and the next 4 steps are bit-identical`, () => {
    const first = makeProblem();
    const opt = make(first.params);
    const scheduler = new CosineAnnealingLR(opt, { tMax: 5 });
    for (let s = 0; s < 3; s++) { first.computeGrads(s); opt.step(); scheduler.step(); }
    const saved = opt.stateDict();
    const savedScheduler = scheduler.stateDict();
    const json = throughJson(saved);
    const savedParams = first.params.map((p) => p.toArray());
    for (let s = 3; s < 7; s++) { first.computeGrads(s); opt.step(); scheduler.step(); }

    for (const dict of [saved, json]) {
      const second = makeProblem();
      second.params.forEach((p, i) => p.data.set(savedParams[i]));
      const resumed = make(second.params);
      const resumedScheduler = new CosineAnnealingLR(resumed, { tMax: 5 });
      resumed.loadStateDict(dict);
      resumedScheduler.loadStateDict(JSON.parse(JSON.stringify(savedScheduler)));
      for (let s = 3; s < 7; s++) { second.computeGrads(s); resumed.step(); resumedScheduler.step(); }
      second.params.forEach((p, i) => assert.deepEqual(arr(p), arr(first.params[i]), `parameter ${i}`));
      assert.deepEqual(resumedScheduler.getLastLr(), scheduler.getLastLr());
      assert.deepEqual(resumed.paramGroups.map((g) => g.lr), opt.paramGroups.map((g) => g.lr));
    }
    // The snapshot does not change as training goes on.
    assert.notDeepEqual(Object.values(saved.state).map((s) => Object.values(s).map((v) => (ArrayBuffer.isView(v) ? arr(v as Float32Array) : v))),
      Object.values(opt.stateDict().state).map((s) => Object.values(s).map((v) => (ArrayBuffer.isView(v) ? arr(v as Float32Array) : v))));
  });
}

test('the state dict survives the checkpoint split into JSON text and binary arrays (train/stateTree)', () => {
  const first = makeProblem();
  const opt = new Adam(first.params, { lr: 0.05, amsgrad: true });
  for (let s = 0; s < 2; s++) { first.computeGrads(s); opt.step(); }
  const arrays = new Map<string, TypedArray>();
  const text = JSON.stringify(separateArrays({ optimizer: opt.stateDict() }, 'state', arrays));
  assert.ok(arrays.has('state/optimizer/state/0/expAvg'));
  const restored = (joinArrays(JSON.parse(text), arrays, 'checkpoint') as { optimizer: OptimizerStateDict }).optimizer;
  const second = makeProblem();
  second.params.forEach((p, i) => p.data.set(first.params[i].data));
  const resumed = new Adam(second.params, { lr: 0.05, amsgrad: true });
  resumed.loadStateDict(restored);
  for (let s = 2; s < 5; s++) { first.computeGrads(s); opt.step(); second.computeGrads(s); resumed.step(); }
  second.params.forEach((p, i) => assert.deepEqual(arr(p), arr(first.params[i])));
});

test('the state dict is plain data: typed arrays in the parameter dtype, numbers, booleans, arrays', () => {
  const { params, computeGrads } = makeProblem('float32');
  const opt = new Adam(params, { lr: 0.01 });
  new StepLR(opt, { stepSize: 2 });
  computeGrads(0);
  opt.step();
  const dict = opt.stateDict();
  assert.deepEqual(Object.keys(dict.state['0']).sort(), ['expAvg', 'expAvgSq', 'step']);
  assert.ok(dict.state['0'].expAvg instanceof Float32Array);
  assert.equal((dict.state['0'].expAvg as Float32Array).length, 6);
  assert.deepEqual(dict.paramGroups, [{ params: [0, 1], lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, initialLr: 0.01 }]);
});

test('invalid options are ValueErrors naming the optimizer and the option', () => {
  const p = () => [f64([1])];
  assert.throws(() => new SGD(p(), { lr: -0.1 }), (e: Error) => e instanceof ValueError && /^SGD: lr must be a number ≥ 0, got -0\.1/.test(e.message));
  assert.throws(() => new SGD(p()), /SGD: lr is required/);
  assert.throws(() => new SGD(p(), { lr: 0.1, momentum: -1 }), /SGD: momentum must be a number ≥ 0, got -1/);
  assert.throws(() => new SGD(p(), { lr: 0.1, nesterov: true }), /SGD: nesterov momentum requires a momentum > 0 and zero dampening, got momentum 0 and dampening 0/);
  assert.throws(() => new SGD(p(), { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }), /SGD: nesterov .* dampening 0\.1/);
  assert.throws(() => new Adam(p(), { lr: -1 }), /^ValueError|Adam: lr must be a number ≥ 0, got -1/);
  assert.throws(() => new Adam(p(), { betas: [1, 0.999] }), /Adam: betas\[0\] must be in \[0, 1\), got 1/);
  assert.throws(() => new AdamW(p(), { betas: [0.9, -0.1] }), /AdamW: betas\[1\] must be in \[0, 1\), got -0\.1/);
  assert.throws(() => new Adam(p(), { eps: -1e-8 }), /Adam: eps must be a number ≥ 0/);
  assert.throws(() => new AdamW(p(), { weightDecay: -0.01 }), /AdamW: weightDecay must be a number ≥ 0, got -0\.01/);
  assert.throws(() => new RMSprop(p(), { alpha: -0.5 }), /RMSprop: alpha must be a number ≥ 0, got -0\.5/);
  assert.throws(() => new RMSprop(p(), { lr: NaN }), /RMSprop: lr must be a number ≥ 0, got NaN/);
  assert.throws(() => new SGD([{ params: [f64([1])] }, { params: [f64([1])], lr: -2 }], { lr: 0.1 }), /SGD: lr must be a number ≥ 0, got -2 \(parameter group 1\)/);
});

test('bad parameter lists are ValueErrors that say what is wrong', () => {
  assert.throws(() => new SGD([], { lr: 0.1 }), /SGD: got an empty parameter list/);
  const a = f64([1]);
  assert.throws(() => new SGD([a, a], { lr: 0.1 }), /SGD: parameter group 0: params\[1\] \[1\] appears more than once/);
  assert.throws(() => new Adam([{ params: [a] }, { params: [a] }]), /Adam: parameter group 1: params\[0\] \[1\] appears more than once/);
  assert.throws(() => new Adam([a.mul(2)]), /Adam: parameter group 0: params\[0\] is not a leaf tensor/);
  assert.throws(() => new Adam([tensor([1], [1], { dtype: 'int32' })]), /only floating-point tensors can be optimized/);
  assert.throws(() => new Adam(a as never), /Adam: params must be an array of tensors/);
  const opt = new SGD([a], { lr: 0.1 });
  a.grad = tensor([1, 2], [2], { dtype: 'float64' });
  assert.throws(() => opt.step(), (e: Error) => e instanceof ShapeError && /SGD\.step: parameter 0 has shape \[1\] but its gradient has shape \[2\]/.test(e.message));
});

test('loadStateDict rejects a state dict of another optimizer or other parameters, leaving the optimizer unchanged', () => {
  const { params, computeGrads } = makeProblem();
  const adam = new Adam(params);
  computeGrads(0);
  adam.step();
  const sgd = new SGD(makeProblem().params, { lr: 0.1 });
  assert.throws(() => sgd.loadStateDict(adam.stateDict()), /SGD\.loadStateDict: parameter group 0 of the state dict has no 'momentum'; was it saved from another kind of optimizer\?/);
  const fewer = new Adam([makeProblem().params[0]]);
  assert.throws(() => fewer.loadStateDict(adam.stateDict()), /Adam\.loadStateDict: parameter group 0 holds 2 parameters in the state dict but 1 in the optimizer/);
  const twoGroups = new Adam([{ params: [makeProblem().params[0]] }, { params: [makeProblem().params[1]] }]);
  assert.throws(() => twoGroups.loadStateDict(adam.stateDict()), /the state dict has 1 parameter groups but the optimizer has 2/);
  const swapped = makeProblem().params.reverse();
  const other = new Adam(swapped, { lr: 0.5 });
  assert.throws(() => other.loadStateDict(adam.stateDict()), (e: Error) => e instanceof ShapeError && /state 'expAvg' of parameter 0 has 6 elements but the parameter has shape \[2\]/.test(e.message));
  assert.equal(other.paramGroups[0].lr, 0.5, 'unchanged after a failed load');
  const withoutBuffer = adam.stateDict();
  delete (withoutBuffer.state['1'] as Record<string, unknown>).expAvgSq;
  assert.throws(() => new Adam(makeProblem().params).loadStateDict(withoutBuffer), /the state of parameter 1 has no 'expAvgSq'/);
});
