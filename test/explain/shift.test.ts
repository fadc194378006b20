import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, explain, models, nn, randn, tensor } from '../../src/index.js';

const { shift2d, shiftEquivariance, shiftInvariance, denseEquivalent, denseLayerParameters } = explain;

test('shift2d moves the last two dimensions, wrapping or filling with zeros', () => {
  const x = tensor([1, 2, 3, 4, 5, 6], [1, 1, 2, 3]);
  assert.deepEqual(Array.from(shift2d(x, 0, 1, 'circular').toArray()), [3, 1, 2, 6, 4, 5]);
  assert.deepEqual(Array.from(shift2d(x, 1, 0, 'zeros').toArray()), [0, 0, 0, 1, 2, 3]);
  assert.deepEqual(Array.from(shift2d(x, -1, -1, 'zeros').toArray()), [5, 6, 0, 0, 0, 0]);
});

test('a circular-padded conv commutes with every circular shift; a zero-padded one away from the border', () => {
  const g = new Generator(1);
  const x = randn([2, 3, 16, 20], { generator: g });
  const circular = new nn.Conv2d(3, 5, 3, { padding: 1, paddingMode: 'circular', generator: g });
  for (const r of shiftEquivariance(circular, x, [[1, 0], [3, -2], [-5, 7]], { mode: 'circular' })) {
    assert.ok(r.maxDifference < 1e-5 * r.outputScale, `circular ${r.shift}: ${r.maxDifference}`);
  }
  const zeros = new nn.Conv2d(3, 5, 3, { padding: 1, generator: g });
  for (const r of shiftEquivariance(zeros, x, [[2, 1], [-1, 3]])) {
    assert.ok(r.interiorMaxDifference < 1e-5 * r.outputScale, `interior ${r.shift}: ${r.interiorMaxDifference}`);
    assert.ok(r.maxDifference > 1e-2 * r.outputScale, `the border must differ for ${r.shift}: ${r.maxDifference}`);
  }
});

test('a dense layer in the path breaks equivariance: the same check fails for it', () => {
  const g = new Generator(2);
  // A "conv" that mixes all positions: flatten, linear, reshape back — not translation-equivariant.
  class Mixer extends nn.Module {
    readonly fc = this.registerModule('fc', new nn.Linear(64, 64, { generator: g }));
    forward(x: ReturnType<typeof randn>) { return this.fc.call(x.reshape(x.shape[0], 64)).reshape(x.shape[0], 1, 8, 8); }
    override describe(s: readonly number[]) { return { outputShape: [...s], macs: 0 }; }
  }
  const [r] = shiftEquivariance(new Mixer(), randn([1, 1, 8, 8], { generator: g }), [[1, 1]], { mode: 'circular' });
  assert.ok(r.maxDifference > 0.1 * r.outputScale, `${r.maxDifference}`);
});

test('max pooling is invariant to shifts inside its window; a classifier\'s predictions mostly survive small shifts', () => {
  // Each 2×2 window holds one bright pixel at its top-left; moving it right by one stays in the window.
  const x = tensor(Array.from({ length: 16 }, (_, i) => (Math.floor(i / 4) % 2 === 0 && i % 2 === 0 ? 1 : 0)), [1, 1, 4, 4]);
  const [inside] = shiftInvariance(new nn.MaxPool2d(2), x, [[0, 1]]);
  assert.equal(inside.maxDifference, 0);
  const model = models.lenet5({ generator: new Generator(3) });
  const reports = shiftInvariance(model, randn([8, 1, 28, 28], { generator: new Generator(4) }), [[0, 0], [0, 1]]);
  assert.equal(reports[0].maxDifference, 0);
  assert.equal(reports[0].samePrediction, 1);
  assert.ok(reports[1].maxDifference > 0);
});

test('dense equivalents: the worked examples of the docs', () => {
  const conv = denseEquivalent(new nn.Conv2d(64, 64, 3, { padding: 1 }), [1, 64, 32, 32]);
  assert.equal(conv.parameters, 36928);
  assert.equal(conv.denseParameters, 4_295_032_832);
  assert.equal(denseLayerParameters(1_000_000, 1000), 1_000_001_000);
  const lenetFirst = denseEquivalent(new nn.Conv2d(1, 6, 5, { padding: 2 }), [1, 1, 28, 28]);
  assert.equal(lenetFirst.denseParameters, 784 * 4704 + 4704);
  assert.equal(lenetFirst.parameters, 156);
});
