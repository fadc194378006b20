import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSummary, models, nn, summary } from '../../src/index.js';

test('LeNet-5 summary: shapes, parameters, MACs, receptive fields and dense equivalents', () => {
  const s = summary(models.lenet5(), [1, 1, 28, 28]);
  const row = (path: string) => s.rows.find((r) => r.path === path)!;
  assert.deepEqual(row('features.0').outputShape, [1, 6, 28, 28]);
  assert.equal(row('features.0').parameters, 156);
  assert.equal(row('features.0').macs, 6 * 28 * 28 * 25);
  assert.deepEqual(row('features.0').receptiveField, [5, 5]);
  assert.equal(row('features.0').denseEquivalent, 784 * 4704 + 4704);
  // Pooling 2×2 adds one input pixel; the next 5×5 conv then steps over pixels two apart: 6 + 4·2.
  assert.deepEqual(row('features.2').receptiveField, [6, 6]);
  assert.deepEqual(row('features.3').receptiveField, [14, 14]);
  assert.deepEqual(row('features.5').receptiveField, [16, 16]);
  assert.deepEqual(row('features.5').outputShape, [1, 16, 5, 5]);
  assert.equal(row('classifier.0').receptiveField, null);
  assert.equal(row('features.1').denseEquivalent, null);
  assert.deepEqual(s.outputShape, [1, 10]);
  assert.equal(s.totalParameters, 61706);
  assert.equal(s.totalMacs, 117600 + 240000 + 48000 + 10080 + 840);
});

test('a 3×3, 64→64 conv on 32×32 has 36,928 parameters; its dense equivalent 4,295,032,832', () => {
  const s = summary(new nn.Sequential(new nn.Conv2d(64, 64, 3, { padding: 1 })), [1, 64, 32, 32]);
  assert.equal(s.rows[0].parameters, 36928);
  assert.equal(s.rows[0].denseEquivalent, 4_295_032_832);
});

test('a model that cannot fit an input fails in summary, naming the layer path and the arithmetic', () => {
  assert.throws(() => summary(models.lenet5(), [1, 1, 8, 8]), (e: Error) => {
    assert.equal(e.message, 'features.3 (Conv2d): input [1, 6, 4, 4] is too small: height floor((4 + 2*0 - 1*(5-1) - 1)/1) + 1 = 0');
    return true;
  });
  assert.throws(() => summary(models.lenet5(), [1, 3, 28, 28]), /features\.0 \(Conv2d\): expects 1 input channels, got input \[1, 3, 28, 28\] with 3/);
  assert.throws(() => summary(models.lenet5(), [1, 1, 32, 32]), /classifier\.1 \(Linear\): input \[1, 576\] must end in 400 features, got 576/);
});

test('formatSummary prints a row per layer and the totals', () => {
  const text = formatSummary(summary(models.lenet5(), [1, 1, 28, 28]));
  const lines = text.split('\n');
  assert.match(lines[0], /^layer\s+type\s+output shape\s+parameters\s+MACs\s+receptive field\s+dense equivalent$/);
  assert.match(text, /features\.0\s+Conv2d\s+\[1, 6, 28, 28\]\s+156\s+117,600\s+5×5\s+3,692,640/);
  assert.match(lines[lines.length - 1], /^total\s+\[1, 10\]\s+61,706\s+416,520/);
});
