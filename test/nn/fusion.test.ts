// nn.Sequential fuses Conv → BatchNorm (→ ReLU) in training into one op, and a convolution or batch norm
// followed by ReLU into one kernel call (src/nn/fusion.ts).
// The fused model must be indistinguishable from the layers run one by one: same outputs, gradients and
// running statistics, bit for bit, on every backend; and layers that override forward are not fused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, type Tensor, functional as F, getBackend, models, nn, randn, setBackend, tensor } from '../../src/index.js';

const { Sequential, Conv1d, Conv2d, BatchNorm1d, BatchNorm2d, ReLU, MaxPool2d, Flatten, Linear } = nn;

/** Runs a Sequential's layers one at a time through call(): the unfused reference. */
function layerByLayer(model: nn.Module, x: Tensor): Tensor {
  if (!(model instanceof Sequential)) return model.call(x);
  let out = x;
  for (const child of model.children()) out = layerByLayer(child, out);
  return out;
}

/** The names of the autograd nodes that produced t (depth first). */
function opNames(t: Tensor, seen = new Set<Tensor>()): string[] {
  if (t.gradFn === null || seen.has(t)) return [];
  seen.add(t);
  return [t.gradFn.name, ...t.gradFn.inputs.flatMap((i) => opNames(i, seen))];
}

/** Output, every parameter's gradient and every buffer after one training step's forward and backward. */
function step(model: nn.Module, x: Tensor, target: Tensor, run: (m: nn.Module, x: Tensor) => Tensor): { out: number[]; grads: number[][]; buffers: number[][] } {
  for (const p of model.parameters()) p.grad = null;
  const out = run(model, x);
  F.crossEntropy(out, target).backward();
  return {
    out: Array.from(out.data),
    grads: model.parameters().map((p) => Array.from(p.grad!.data)),
    buffers: [...model.namedBuffers()].map(([, b]) => Array.from(b!.data)),
  };
}

/** The fused ops expected in both modes, or per mode (Conv → BatchNorm fuses in training only). */
type FusedOps = string[] | { train: string[]; eval: string[] };

function compareFusedToLayerByLayer(name: string, build: () => nn.Module, inputShape: number[], fusedOps: FusedOps): void {
  const fused = build(), plain = build();
  const x = randn(inputShape, { generator: new Generator(3) });
  const target = tensor(Array.from({ length: inputShape[0]! }, (_, i) => i % 10)).to('int32');
  // Two training steps: the second normalizes with running statistics the first updated.
  for (const mode of ['train', 'train', 'eval'] as const) {
    fused[mode]();
    plain[mode]();
    let ops: string[] = [];
    const a = step(fused, x, target, (m, v) => { const out = m.call(v); ops = opNames(out); return out; });
    for (const op of Array.isArray(fusedOps) ? fusedOps : fusedOps[mode]) assert.ok(ops.includes(op), `${name} (${mode}): ${op} was fused (ops: ${[...new Set(ops)].join(', ')})`);
    if (mode === 'train' && !Array.isArray(fusedOps)) assert.ok(!ops.includes('batchNorm') && !ops.includes('batchNorm+relu'), `${name}: no batch norm left unfused in training (ops: ${[...new Set(ops)].join(', ')})`);
    assert.ok(!ops.includes('relu') || name === 'LeNet-5', `${name} (${mode}): no ReLU left unfused (ops: ${[...new Set(ops)].join(', ')})`);
    const b = step(plain, x, target, layerByLayer);
    assert.deepEqual(a.out, b.out, `${name} (${mode}, ${getBackend().name}): outputs`);
    assert.deepEqual(a.grads, b.grads, `${name} (${mode}, ${getBackend().name}): parameter gradients`);
    assert.deepEqual(a.buffers, b.buffers, `${name} (${mode}, ${getBackend().name}): running statistics`);
  }
}

for (const backend of ['wasm', 'reference'] as const) {
  test(`fused conv/batch-norm + ReLU give the same outputs, gradients and running statistics as the layers one by one [${backend}]`, () => {
    const previous = getBackend().name;
    setBackend(backend);
    try {
      // LeNet-5's classifier keeps its Linear + ReLU pairs unfused.
      compareFusedToLayerByLayer('LeNet-5', () => models.lenet5({ generator: new Generator(1) }), [8, 1, 28, 28], ['conv2d+relu']);
      compareFusedToLayerByLayer('small-cnn', () => models.smallCnn({ generator: new Generator(1) }), [6, 1, 28, 28],
        { train: ['conv2d+batchNorm+relu'], eval: ['batchNorm+relu'] });
      // Conv → BatchNorm without ReLU, a conv with a bias, stride and groups, batch norm without affine
      // parameters and with a cumulative average (momentum null), and 1-D layers.
      compareFusedToLayerByLayer('conv → batch norm variants', () => new Sequential(
        new Conv2d(2, 4, 3, { padding: 1, stride: 2, groups: 2, generator: new Generator(9) }), new BatchNorm2d(4, { momentum: null }),
        new Conv2d(4, 6, 3, { padding: 'same', bias: false, generator: new Generator(10) }), new BatchNorm2d(6, { affine: false }), new ReLU(),
        new Flatten(), new Linear(6 * 5 * 5, 10, { generator: new Generator(11) }),
      ), [5, 2, 10, 10], { train: ['conv2d+batchNorm', 'conv2d+batchNorm+relu'], eval: ['batchNorm', 'batchNorm+relu'] });
      compareFusedToLayerByLayer('1-D conv → batch norm', () => new Sequential(
        new Conv1d(2, 4, 3, { padding: 1, generator: new Generator(12) }), new BatchNorm1d(4), new ReLU(),
        new Flatten(), new Linear(4 * 12, 10, { generator: new Generator(13) }),
      ), [5, 2, 12], { train: ['conv1d+batchNorm+relu'], eval: ['conv1d', 'batchNorm+relu'] });
      // 1-D convolution and BatchNorm1d, and a circular-padded conv (padded explicitly, then fused).
      compareFusedToLayerByLayer('1-D', () => new Sequential(
        new Conv1d(2, 4, 3, { padding: 1, generator: new Generator(2) }), new ReLU(),
        new BatchNorm1d(4), new ReLU(), new Flatten(), new Linear(4 * 12, 10, { generator: new Generator(4) }),
      ), [5, 2, 12], ['conv1d+relu', 'batchNorm+relu']);
      compareFusedToLayerByLayer('circular padding', () => new Sequential(
        new Conv2d(1, 3, 3, { padding: 1, paddingMode: 'circular', generator: new Generator(5) }), new ReLU(), new MaxPool2d(2),
        new Flatten(), new Linear(3 * 4 * 4, 10, { generator: new Generator(6) }),
      ), [4, 1, 8, 8], ['conv2d+relu']);
    } finally {
      setBackend(previous);
    }
  });
}

test('fusion only replaces layers whose behaviour it knows: overridden forward or call runs as written', () => {
  class ShiftedConv extends Conv2d {
    override forward(x: Tensor): Tensor { return super.forward(x).add(tensor(-1)); }
  }
  class LoudRelu extends ReLU {
    calls = 0;
    override forward(x: Tensor): Tensor { this.calls++; return super.forward(x); }
  }
  const g = () => ({ generator: new Generator(7) });
  const x = randn([2, 1, 6, 6], { generator: new Generator(8) });
  const shifted = new Sequential(new ShiftedConv(1, 2, 3, g()), new ReLU());
  const reference = new Sequential(new Conv2d(1, 2, 3, g()));
  const want = F.relu(reference.call(x).add(tensor(-1)));
  assert.deepEqual(shifted.call(x).toArray(), want.toArray(), 'the subclass forward ran, then ReLU');
  const loud = new LoudRelu();
  new Sequential(new Conv2d(1, 2, 3, g()), loud).call(x);
  assert.equal(loud.calls, 1, 'a ReLU subclass runs its own forward');
  const conv = new Conv2d(1, 2, 3, g());
  let called = 0;
  conv.call = (input: Tensor) => { called++; return conv.forward(input); };
  new Sequential(conv, new ReLU()).call(x);
  assert.equal(called, 1, 'an instance with its own call is called');
});
