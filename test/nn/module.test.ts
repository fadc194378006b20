import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, functional as F, nn, models, randn, tensor } from '../../src/index.js';

const { Sequential, Conv2d, Linear, ReLU, BatchNorm2d, Dropout, MaxPool2d } = nn;

test('state-dict keys are PyTorch\'s: nested Sequential names, positions, buffers after parameters', () => {
  const keys = [...models.lenet5().stateDict().keys()];
  assert.deepEqual(keys, [
    'features.0.weight', 'features.0.bias', 'features.3.weight', 'features.3.bias',
    'classifier.1.weight', 'classifier.1.bias', 'classifier.3.weight', 'classifier.3.bias', 'classifier.5.weight', 'classifier.5.bias',
  ]);
  const cnn = [...models.smallCnn().stateDict().keys()];
  assert.deepEqual(cnn.slice(0, 6), [
    'features.0.weight', 'features.1.weight', 'features.1.bias', 'features.1.running_mean', 'features.1.running_var', 'features.1.num_batches_tracked',
  ]);
  assert.equal(models.lenet5().numParameters(), 61706); // 156 + 2416 + 48120 + 10164 + 850
  assert.ok(models.smallCnn().numParameters() < 100_000);
});

test('parameters() and namedParameters() list trained tensors only, all requiring gradients', () => {
  const model = new Sequential(new Conv2d(1, 2, 3, { bias: false }), new BatchNorm2d(2));
  assert.deepEqual([...model.namedParameters()].map(([n]) => n), ['0.weight', '1.weight', '1.bias']);
  assert.ok(model.parameters().every((p) => p.requiresGrad));
  assert.deepEqual([...model.namedBuffers()].map(([n]) => n), ['1.running_mean', '1.running_var', '1.num_batches_tracked']);
});

test('initialisation follows PyTorch: U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for weight and bias, seeded', () => {
  const conv = new Conv2d(6, 16, 5, { generator: new Generator(1) });
  const bound = 1 / Math.sqrt(6 * 25);
  const w = Array.from(conv.weight.toArray());
  assert.ok(w.every((v) => Math.abs(v) <= bound));
  // A uniform on [-b, b] has variance b²/3; 2,400 draws pin it within a few percent.
  const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
  assert.ok(Math.abs(variance / (bound * bound / 3) - 1) < 0.08, `variance ratio ${variance / (bound * bound / 3)}`);
  assert.ok(conv.bias!.toArray().every((v) => Math.abs(v) <= bound));
  const again = new Conv2d(6, 16, 5, { generator: new Generator(1) });
  assert.deepEqual(again.weight.toArray(), conv.weight.toArray());
  const grouped = new Conv2d(8, 8, 3, { groups: 4, generator: new Generator(2) });
  assert.deepEqual(grouped.weight.shape, [8, 2, 3, 3]);
  assert.ok(grouped.weight.toArray().every((v) => Math.abs(v) <= 1 / Math.sqrt(18)));
  const bn = new BatchNorm2d(3);
  assert.deepEqual(Array.from(bn.weight!.toArray()), [1, 1, 1]);
  assert.deepEqual(Array.from(bn.runningVar!.toArray()), [1, 1, 1]);
});

test('loadStateDict copies values, and refuses missing, unexpected and mis-shaped entries without changing anything', () => {
  const a = models.lenet5({ generator: new Generator(1) });
  const b = models.lenet5({ generator: new Generator(2) });
  b.loadStateDict(a.stateDict());
  assert.deepEqual(b.stateDict().get('classifier.5.bias')!.toArray(), a.stateDict().get('classifier.5.bias')!.toArray());
  const before = models.lenet5({ generator: new Generator(3) });
  const snapshot = before.stateDict().get('features.0.weight')!.toArray();
  const partial = new Map(a.stateDict());
  partial.delete('features.0.bias');
  partial.set('extra.weight', randn([2]));
  assert.throws(() => before.loadStateDict(partial), /missing keys: features\.0\.bias; unexpected keys: extra\.weight/);
  const wrong = new Map(a.stateDict());
  wrong.set('classifier.5.weight', randn([9, 84]));
  assert.throws(() => before.loadStateDict(wrong), /'classifier\.5\.weight' has shape \[9, 84\] in the state dict but \[10, 84\] in the model/);
  assert.deepEqual(before.stateDict().get('features.0.weight')!.toArray(), snapshot);
  partial.delete('extra.weight');
  before.loadStateDict(partial, { strict: false });
  assert.deepEqual(before.stateDict().get('features.0.weight')!.toArray(), a.stateDict().get('features.0.weight')!.toArray());
});

test('train() and eval() reach every descendant; dropout and batch norm follow the mode', () => {
  const model = new Sequential(new Sequential(new Dropout(0.5)), new BatchNorm2d(1));
  model.eval();
  assert.ok(model.modules().every((m) => !m.training));
  const x = randn([2, 1, 3, 3], { generator: new Generator(4) });
  assert.deepEqual(model.call(x).toArray(), x.toArray().map((v) => v / Math.sqrt(1 + 1e-5)).map((v) => Math.fround(v)));
  model.train();
  assert.ok(model.modules().every((m) => m.training));
});

test('BatchNorm2d in training updates running statistics (unbiased variance) and counts batches', () => {
  const bn = new BatchNorm2d(1, { momentum: 0.5 });
  const x = tensor([1, 2, 3, 4], [4, 1, 1, 1]);
  bn.call(x);
  assert.equal(bn.numBatchesTracked!.item(), 1);
  assert.ok(Math.abs(bn.runningMean!.item() - 0.5 * 2.5) < 1e-6);
  assert.ok(Math.abs(bn.runningVar!.item() - (0.5 + 0.5 * (5 / 3))) < 1e-6);
  const cumulative = new BatchNorm2d(1, { momentum: null });
  cumulative.call(x);
  cumulative.call(tensor([5, 5, 5, 5], [4, 1, 1, 1]));
  assert.ok(Math.abs(cumulative.runningMean!.item() - (2.5 + 5) / 2) < 1e-6);
});

test('toString reads like PyTorch\'s repr', () => {
  const text = new Sequential(new Conv2d(1, 6, 5, { padding: 2 }), new ReLU(), new MaxPool2d(2), new Linear(4, 3, { bias: false })).toString();
  assert.equal(text, [
    'Sequential(',
    '  (0): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))',
    '  (1): ReLU()',
    '  (2): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)',
    '  (3): Linear(in_features=4, out_features=3, bias=False)',
    ')',
  ].join('\n'));
});

test('layers check their options at construction', () => {
  assert.throws(() => new Conv2d(6, 4, 3, { groups: 4 }), /Conv2d: groups 4 must divide inChannels 6/);
  assert.throws(() => new Conv2d(3, 4, 3, { padding: 'same', stride: 2 }), /Conv2d: padding 'same' needs stride 1/);
  assert.throws(() => new Conv2d(3, 4, 0), /Conv2d: kernelSize must be a positive integer or 2 of them, got 0/);
  assert.throws(() => new Conv2d(3, 4, 3, { stride: 0 }), /Conv2d: stride must be a positive integer/);
  assert.throws(() => new Conv2d(3, 4, 3, { padding: -1 }), /Conv2d: padding must be a non-negative integer/);
  assert.throws(() => new Conv2d(3, 4, 3, { paddingMode: 'mirror' as 'reflect' }), /paddingMode must be 'zeros', 'reflect', 'replicate' or 'circular', got 'mirror'/);
  assert.throws(() => new Linear(0, 3), /Linear: inFeatures must be a positive integer, got 0/);
  assert.throws(() => new MaxPool2d(2, { padding: 2 }), /MaxPool2d: padding 2 must be at most half the kernel size 2/);
  assert.throws(() => new nn.ConvTranspose2d(2, 2, 3, { stride: 2, outputPadding: 2 }), /outputPadding 2 must be smaller than stride 2 or dilation 1/);
});

test('a shape mismatch at run time names the layer and both shapes', () => {
  const model = models.lenet5();
  assert.throws(() => model.call(randn([1, 3, 28, 28])), /input has 3 channels but the weight expects 1 \(weight \[6, 1, 5, 5\]/);
  assert.throws(() => new Linear(400, 120).call(randn([2, 300])), /Linear\(400, 120\): input \[2, 300\] must end in 400 features \(weight \[120, 400\]\)/);
});

test('Conv2d paddingMode pads with F.pad then convolves; "same" keeps the size', () => {
  for (const mode of ['reflect', 'replicate', 'circular'] as const) {
    const conv = new Conv2d(2, 3, 3, { padding: 1, paddingMode: mode, generator: new Generator(5) });
    const x = randn([1, 2, 5, 6], { generator: new Generator(6) });
    const expected = F.conv2d(F.pad(x, [1, 1, 1, 1], mode), conv.weight, conv.bias);
    assert.deepEqual(conv.call(x).toArray(), expected.toArray(), mode);
  }
  const same = new Conv2d(2, 3, [3, 4], { padding: 'same', paddingMode: 'circular' });
  assert.deepEqual(same.call(randn([1, 2, 7, 9])).shape, [1, 3, 7, 9]);
});

test('modules are usable end to end: a gradient reaches every parameter of LeNet-5', () => {
  const model = models.lenet5({ generator: new Generator(7) });
  const loss = F.crossEntropy(model.call(randn([4, 1, 28, 28], { generator: new Generator(8) })), tensor([1, 2, 3, 4], [4], { dtype: 'int32' }));
  loss.backward();
  for (const [name, p] of model.namedParameters()) {
    assert.ok(p.grad !== null && p.grad.toArray().some((v) => v !== 0), `${name} got a gradient`);
  }
  model.zeroGrad();
  assert.ok(model.parameters().every((p) => p.grad === null));
});
