import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValueError } from '../../src/errors.js';
import { tensor, type Tensor } from '../../src/tensor/index.js';
import {
  Adam, CosineAnnealingLR, type LRScheduler, OneCycleLR, type Optimizer, ReduceLROnPlateau, RMSprop, SGD, StepLR, lrScheduler,
} from '../../src/optim/index.js';

const param = (): Tensor => tensor([1], [1], { requiresGrad: true });
const sgd = (lr = 0.1, extra: Partial<{ momentum: number }> = {}) => new SGD([param()], { lr, ...extra });

/** The lr after construction, then after each of `steps` further steps. */
function lrSequence(scheduler: LRScheduler, steps: number): number[] {
  const lrs = [scheduler.getLastLr()[0]];
  for (let i = 0; i < steps; i++) {
    scheduler.step();
    lrs.push(scheduler.getLastLr()[0]);
  }
  return lrs;
}

function assertClose(actual: number[], expected: number[], tol: number, what = ''): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])), `${what}[${i}]: ${a} vs ${expected[i]}`));
}

test('constructing a scheduler records initialLr in each group and takes the initial step (lastEpoch 0)', () => {
  const opt = new SGD([{ params: [param()] }, { params: [param()], lr: 0.5 }], { lr: 0.1 });
  const s = new StepLR(opt, { stepSize: 3 });
  assert.equal(s.lastEpoch, 0);
  assert.deepEqual(opt.paramGroups.map((g) => g.initialLr), [0.1, 0.5]);
  assert.deepEqual(s.baseLrs, [0.1, 0.5]);
  assert.deepEqual(s.getLastLr(), [0.1, 0.5]);
  assert.equal(lrScheduler.StepLR, StepLR, 'also reachable as optim.lrScheduler');
});

test('StepLR multiplies by gamma every stepSize epochs', () => {
  const lrs = lrSequence(new StepLR(sgd(1), { stepSize: 2, gamma: 0.5 }), 7);
  assert.deepEqual(lrs, [1, 1, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125]);
  const opt = sgd(0.1);
  new StepLR(opt, { stepSize: 1 }).step();
  assert.equal(opt.paramGroups[0].lr, 0.1 * 0.1, 'the optimizer group is what changes; the default gamma is 0.1');
});

test('CosineAnnealingLR follows etaMin + (base − etaMin)(1 + cos(πt/tMax))/2, then rises again past tMax', () => {
  const tMax = 6;
  const etaMin = 0.001;
  const lrs = lrSequence(new CosineAnnealingLR(sgd(0.1), { tMax, etaMin }), 2 * tMax + 2);
  const closed = lrs.map((_, t) => etaMin + (0.1 - etaMin) * (1 + Math.cos((Math.PI * t) / tMax)) / 2);
  assertClose(lrs, closed, 1e-14, 'lr');
  assert.ok(Math.abs(lrs[tMax] - etaMin) < 1e-15);
  assert.ok(Math.abs(lrs[2 * tMax] - 0.1) < 1e-14, 'back at the base lr after a full period');
  assert.ok(lrs[tMax + 1] > lrs[tMax]);
});

test('OneCycleLR, linear: lr rises from maxLr/divFactor to maxLr, then falls to minLr; momentum moves the other way', () => {
  const opt = sgd(123, { momentum: 0.9 });
  const s = new OneCycleLR(opt, { maxLr: 1, totalSteps: 10, pctStart: 0.3, annealStrategy: 'linear', divFactor: 4, finalDivFactor: 100 });
  const g = opt.paramGroups[0];
  assert.deepEqual([g.initialLr, g.maxLr, g.minLr, g.maxMomentum, g.baseMomentum], [0.25, 1, 0.0025, 0.95, 0.85]);
  // Phases end at steps 0.3·10 − 1 = 2 and 9: up linearly over steps 0..2, down over 2..9.
  const expected = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((k) => (k <= 2 ? 0.25 + 0.75 * (k / 2) : 1 + (0.0025 - 1) * ((k - 2) / 7)));
  const momenta = [g.momentum];
  const lrs = [s.getLastLr()[0]];
  for (let k = 1; k < 10; k++) {
    s.step();
    lrs.push(s.getLastLr()[0]);
    momenta.push(g.momentum);
  }
  assertClose(lrs, expected, 1e-15, 'lr');
  const expectedMomenta = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((k) => (k <= 2 ? 0.95 - 0.1 * (k / 2) : 0.85 + 0.1 * ((k - 2) / 7)));
  assertClose(momenta, expectedMomenta, 1e-15, 'momentum');
  s.step(); // step 10 = totalSteps is still allowed, as in PyTorch
  assert.throws(() => s.step(), /OneCycleLR: tried to step 12 times; the specified number of total steps is 10/);
});

test('OneCycleLR, cos, with Adam: beta1 cycles, beta2 stays; epochs × stepsPerEpoch gives the length', () => {
  const opt = new Adam([param()], { betas: [0.9, 0.99] });
  const s = new OneCycleLR(opt, { maxLr: 0.01, epochs: 2, stepsPerEpoch: 5 });
  assert.deepEqual(opt.paramGroups[0].betas, [0.95, 0.99]);
  assertClose(s.getLastLr(), [0.01 / 25], 1e-15);
  for (let i = 0; i < 2; i++) s.step(); // step 2 = 0.3·10 − 1: the peak
  assertClose(s.getLastLr(), [0.01], 1e-15);
  assertClose(opt.paramGroups[0].betas, [0.85, 0.99], 1e-15);
  for (let i = 0; i < 7; i++) s.step();
  assertClose(s.getLastLr(), [0.01 / 25 / 1e4], 1e-12);
  assertClose(opt.paramGroups[0].betas, [0.95, 0.99], 1e-15);
});

test('OneCycleLR three phases goes back to initialLr at 2·pctStart, then down to minLr', () => {
  const s = new OneCycleLR(sgd(), { maxLr: 1, totalSteps: 11, pctStart: 0.25, threePhase: true, annealStrategy: 'linear', cycleMomentum: false });
  // Phase ends: 0.25·11 − 1 = 1.75, 2·0.25·11 − 2 = 3.5, 10.
  const lrs = lrSequence(s, 10);
  const expected = lrs.map((_, k) => (k <= 1.75 ? 0.04 + 0.96 * (k / 1.75) : k <= 3.5 ? 1 + (0.04 - 1) * ((k - 1.75) / 1.75) : 0.04 + (4e-6 - 0.04) * ((k - 3.5) / 6.5)));
  assertClose(lrs, expected, 1e-14);
});

test('ReduceLROnPlateau, worked by hand: patience 2, factor 0.5, cooldown 1, relative threshold 1e-4', () => {
  const opt = sgd(1);
  const s = new ReduceLROnPlateau(opt, { patience: 2, factor: 0.5, cooldown: 1 });
  // epoch: metric → best, bad epochs, lr
  //  1: 10      → 10, 0
  //  2: 9       → 9 (9 < 10·0.9999), 0
  //  3–4: 9     → not below 9·0.9999: bad 1, 2
  //  5: 9       → bad 3 > patience: lr 0.5, cooldown 1, bad 0
  //  6: 8.9999  → not better (> 8.9991): bad 1, but in cooldown: reset to 0
  //  7: 5       → best 5
  //  8–10: 5    → bad 1, 2, 3: lr 0.25 at epoch 10
  const metrics = [10, 9, 9, 9, 9, 8.9999, 5, 5, 5, 5];
  const lrs = metrics.map((m) => { s.step(m); return s.getLastLr()[0]; });
  assert.deepEqual(lrs, [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25]);
  assert.equal(s.best, 5);
  assert.equal(s.lastEpoch, 10);
  assert.equal(s.inCooldown, true);
});

test('ReduceLROnPlateau: max mode with an absolute threshold; minLr bounds; reductions below eps are skipped', () => {
  const opt = new SGD([{ params: [param()] }, { params: [param()], lr: 0.02 }], { lr: 1 });
  const s = new ReduceLROnPlateau(opt, { mode: 'max', thresholdMode: 'abs', threshold: 0.5, patience: 0, factor: 0.1, minLr: [0.05, 0] , eps: 0.0015 });
  s.step(1); // best 1
  s.step(1.4); // not > 1.5: reduce: [max(0.1, 0.05), 0.002] (0.018 > eps)
  assert.deepEqual(s.getLastLr(), [0.1, 0.002]);
  s.step(1.6); // better
  s.step(0); // reduce: [max(0.01, 0.05) = 0.05, 0.0002 changes by 0.0018 > eps]
  assertClose(s.getLastLr(), [0.05, 0.0002], 1e-15);
  s.step(0); // [0.05 unchanged, 0.00002 would change by 0.00018 < eps: kept]
  assertClose(s.getLastLr(), [0.05, 0.0002], 1e-15);
});

test('scheduler state dicts: a resumed scheduler continues the same sequence', () => {
  const makes: [string, (o: Optimizer) => { step(m?: number): void; getLastLr(): number[]; stateDict(): unknown; loadStateDict(s: never): void }][] = [
    ['StepLR', (o) => new StepLR(o, { stepSize: 2, gamma: 0.3 })],
    ['CosineAnnealingLR', (o) => new CosineAnnealingLR(o, { tMax: 4, etaMin: 0.01 })],
    ['OneCycleLR', (o) => new OneCycleLR(o, { maxLr: 0.5, totalSteps: 12 })],
    ['ReduceLROnPlateau', (o) => new ReduceLROnPlateau(o, { patience: 1, cooldown: 1 })],
  ];
  const metric = (i: number) => [5, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3][i];
  for (const [name, make] of makes) {
    const opt = new RMSprop([param()], { lr: 0.1, momentum: 0.5 });
    const s = make(opt);
    for (let i = 0; i < 4; i++) s.step(metric(i));
    const savedOpt = JSON.parse(JSON.stringify(opt.stateDict()));
    const saved = JSON.parse(JSON.stringify(s.stateDict()));
    const rest: number[][] = [];
    for (let i = 4; i < 11; i++) { s.step(metric(i)); rest.push([...s.getLastLr(), opt.paramGroups[0].momentum]); }

    const opt2 = new RMSprop([param()], { lr: 0.1, momentum: 0.5 });
    const s2 = make(opt2);
    opt2.loadStateDict(savedOpt);
    s2.loadStateDict(saved as never);
    const rest2: number[][] = [];
    for (let i = 4; i < 11; i++) { s2.step(metric(i)); rest2.push([...s2.getLastLr(), opt2.paramGroups[0].momentum]); }
    assert.deepEqual(rest2, rest, name);
    assert.ok(new Set(rest.map((r) => r[0])).size > 1, `${name}: the lr changes over the compared steps`);
  }
});

test('ReduceLROnPlateau state dict keeps an infinite best as a string (JSON has no Infinity)', () => {
  const s = new ReduceLROnPlateau(sgd());
  const dict = s.stateDict();
  assert.equal(dict.best, 'Infinity');
  const s2 = new ReduceLROnPlateau(sgd(), { mode: 'max' });
  s2.loadStateDict(JSON.parse(JSON.stringify(dict)));
  assert.equal(s2.best, Infinity);
});

test('invalid scheduler options are ValueErrors naming the scheduler and the option', () => {
  assert.throws(() => new StepLR(sgd(), { stepSize: 0 }), (e: Error) => e instanceof ValueError && /StepLR: stepSize must be a positive integer, got 0/.test(e.message));
  assert.throws(() => new CosineAnnealingLR(sgd(), { tMax: 0 }), /CosineAnnealingLR: tMax must be a positive number, got 0/);
  assert.throws(() => new OneCycleLR(sgd(), { maxLr: 1 }), /OneCycleLR: give either totalSteps or both epochs and stepsPerEpoch/);
  assert.throws(() => new OneCycleLR(sgd(), { maxLr: 1, totalSteps: 2.5 }), /OneCycleLR: totalSteps must be a positive integer, got 2\.5/);
  assert.throws(() => new OneCycleLR(sgd(), { maxLr: 1, epochs: 0, stepsPerEpoch: 3 }), /OneCycleLR: epochs must be a positive integer, got 0/);
  assert.throws(() => new OneCycleLR(sgd(), { maxLr: 1, totalSteps: 5, pctStart: 1.5 }), /OneCycleLR: pctStart must be a number in \[0, 1\], got 1\.5/);
  assert.throws(() => new OneCycleLR(sgd(), { maxLr: 1, totalSteps: 5, annealStrategy: 'exp' as never }), /OneCycleLR: annealStrategy must be 'cos' or 'linear', got 'exp'/);
  assert.throws(() => new OneCycleLR(sgd(), { maxLr: [1, 2], totalSteps: 5 }), /OneCycleLR: expected 1 values for maxLr \(one per parameter group\), got 2/);
  assert.throws(() => new ReduceLROnPlateau(sgd(), { factor: 1 }), /ReduceLROnPlateau: factor must be a number < 1, got 1/);
  assert.throws(() => new ReduceLROnPlateau(sgd(), { mode: 'lowest' as never }), /ReduceLROnPlateau: mode must be 'min' or 'max', got 'lowest'/);
  assert.throws(() => new ReduceLROnPlateau(sgd(), { thresholdMode: 'pct' as never }), /ReduceLROnPlateau: thresholdMode must be 'rel' or 'abs'/);
  assert.throws(() => new ReduceLROnPlateau(sgd()).step(undefined as never), /ReduceLROnPlateau\.step: expected the metric to watch/);
  assert.throws(() => new StepLR(sgd(), { stepSize: 1 }).loadStateDict(new CosineAnnealingLR(sgd(), { tMax: 3 }).stateDict() as never), /StepLR\.loadStateDict: options 'stepSize', 'gamma' missing/);
});
