import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { FormatError, ValueError } from '../../src/errors.js';
import { exportOnnx } from '../../src/io/onnx/export.js';
import { importOnnx } from '../../src/io/onnx/import.js';
import { decodeModel, encodeModel } from '../../src/io/onnx/proto.js';
import { lenet5 } from '../../src/models/index.js';
import * as nn from '../../src/nn/index.js';
import { noGrad } from '../../src/autograd/gradMode.js';
import { crossEntropy } from '../../src/ops/loss.js';
import { Generator } from '../../src/tensor/random.js';
import { rand, randn } from '../../src/tensor/creation.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { fixturePath, repoRoot } from '../helpers/paths.js';
import { loadModelFile, saveModel } from '../../src/io/modelFile.js';
import { trainedMetadata } from '../../src/cli/trainedModel.js';

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

const TOL = 1e-4;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'lengths differ');
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** Runs ONNX bytes in ONNX Runtime on x and compares with the waldo model's output. */
async function checkWithOrt(model: nn.Module, bytes: Uint8Array, inputShape: number[], batches = [1, 3], seed = 1): Promise<void> {
  const session = await ort.InferenceSession.create(bytes);
  assert.deepEqual(session.inputNames, ['input']);
  assert.deepEqual(session.outputNames, ['output']);
  for (const n of batches) {
    const x = randn([n, ...inputShape.slice(1)], { generator: new Generator(seed + n) });
    const result = await session.run({ input: new ort.Tensor('float32', x.data as Float32Array, [...x.shape]) });
    const expected = noGrad(() => model.call(x));
    assert.deepEqual(result.output.dims, expected.shape, `batch ${n}: output shape`);
    const diff = maxAbsDiff(result.output.data as Float32Array, expected.data);
    assert.ok(diff <= TOL, `batch ${n}: ONNX Runtime differs from waldo by ${diff}`);
  }
}

/** Non-trivial batch-norm statistics and affine parameters, so eval-mode export is really tested. */
function randomizeBatchNorms(model: nn.Module, seed: number): void {
  const g = new Generator(seed);
  for (const m of model.modules()) {
    if (m instanceof nn.BatchNorm1d || m instanceof nn.BatchNorm2d) {
      const c = m.numFeatures;
      m.weight!.data.set(rand([c], { generator: g }).data.map((v) => 0.5 + v));
      m.bias!.data.set(randn([c], { generator: g }).data.map((v) => 0.2 * v));
      m.runningMean!.data.set(randn([c], { generator: g }).data.map((v) => 0.2 * v));
      m.runningVar!.data.set(rand([c], { generator: g }).data.map((v) => 0.5 + v));
    }
  }
}

/** Every 2-D layer kind exportOnnx supports, for [N, 3, 11, 12] inputs. */
function everyLayer2d(): nn.Sequential {
  const g = { generator: new Generator(7) };
  const model = new nn.Sequential({
    features: new nn.Sequential(
      new nn.Conv2d(3, 8, 3, { padding: 1, ...g }), new nn.BatchNorm2d(8), new nn.ReLU(),
      new nn.Conv2d(8, 8, 3, { padding: 'same', dilation: 2, groups: 2, ...g }), new nn.LeakyReLU(0.1),
      new nn.Conv2d(8, 8, 3, { padding: 1, paddingMode: 'reflect', ...g }), new nn.Sigmoid(),
      new nn.Conv2d(8, 8, [3, 2], { padding: [1, 0], paddingMode: 'replicate', bias: false, ...g }), new nn.Tanh(),
      new nn.ConvTranspose2d(8, 6, 3, { stride: 2, padding: 1, outputPadding: 1, ...g }), new nn.GELU(),
      new nn.MaxPool2d(3, { stride: 2, padding: 1, dilation: 1 }),
      new nn.AvgPool2d(3, { stride: 1, padding: 1, countIncludePad: false }),
      new nn.AvgPool2d(2, { stride: 1, padding: 1, countIncludePad: true }),
      new nn.Dropout(0.3), new nn.Identity(),
      new nn.AdaptiveAvgPool2d(3),
    ),
    classifier: new nn.Sequential(new nn.Flatten(), new nn.Linear(54, 16, g), new nn.BatchNorm1d(16), new nn.ReLU(), new nn.Linear(16, 4, g)),
  });
  randomizeBatchNorms(model, 3);
  return model.eval();
}

test('exportOnnx: LeNet-5 runs in ONNX Runtime with waldo’s outputs, batch 1 and 3', async () => {
  const model = lenet5({ generator: new Generator(0) }).eval();
  const bytes = exportOnnx(model, [1, 1, 28, 28]);
  const proto = decodeModel(bytes, 'lenet5.onnx');
  assert.equal(proto.ir_version, 7);
  assert.deepEqual(proto.opset_import?.map((o) => o.version), [13]);
  assert.deepEqual(proto.graph!.initializer.map((t) => t.name), [...model.stateDict().keys()]);
  assert.equal(proto.graph!.input[0].type?.tensor_type?.shape?.dim?.[0].dim_param, 'batch');
  assert.deepEqual(proto.graph!.node.map((n) => n.op_type), ['Conv', 'Relu', 'MaxPool', 'Conv', 'Relu', 'MaxPool', 'Flatten', 'Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm']);
  await checkWithOrt(model, bytes, [1, 1, 28, 28]);
});

test('exportOnnx: every 2-D layer kind (conv modes, pooling, batch norm, activations) matches ONNX Runtime', async () => {
  const model = everyLayer2d();
  const bytes = exportOnnx(model, [1, 3, 11, 12]);
  const ops = new Set(decodeModel(bytes, 'm.onnx').graph!.node.map((n) => n.op_type));
  for (const op of ['Conv', 'Pad', 'ConvTranspose', 'BatchNormalization', 'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Erf', 'MaxPool', 'AveragePool', 'Identity', 'Flatten', 'Gemm']) {
    assert.ok(ops.has(op), `expected a ${op} node`);
  }
  await checkWithOrt(model, bytes, [1, 3, 11, 12]);
});

test('exportOnnx: 1-D layers, ceil mode, global pooling, Flatten ranges and Linear on 3-D input match ONNX Runtime', async () => {
  const g = { generator: new Generator(11) };
  const oneD = new nn.Sequential(
    new nn.Conv1d(2, 4, 4, { padding: 'same', ...g }), new nn.BatchNorm1d(4), new nn.ReLU(),
    new nn.Conv1d(4, 4, 3, { padding: 1, paddingMode: 'reflect', stride: 2, ...g }),
    new nn.MaxPool1d(2, { ceilMode: true }), new nn.AvgPool1d(3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
    new nn.Linear(3, 5, g), new nn.Flatten(), new nn.Linear(20, 3, g),
  );
  randomizeBatchNorms(oneD, 5);
  oneD.eval();
  await checkWithOrt(oneD, exportOnnx(oneD, [1, 2, 15]), [1, 2, 15]);

  const pooled = new nn.Sequential(new nn.Conv2d(1, 4, 3, g), new nn.MaxPool2d(2, { ceilMode: true }), new nn.Flatten(2, 3), new nn.Flatten(0, 1), new nn.Identity());
  // Flatten(0, 1) folds the batch in: the output's first dimension is batch·4.
  await checkWithOrt(pooled.eval(), exportOnnx(pooled, [1, 1, 9, 9]), [1, 1, 9, 9]);

  const global = new nn.Sequential(new nn.Conv2d(1, 4, 3, g), new nn.AdaptiveAvgPool2d(1), new nn.Flatten());
  await checkWithOrt(global.eval(), exportOnnx(global, [1, 1, 7, 9]), [1, 1, 7, 9]);
});

test('exportOnnx: circular padding fails before opset 19 naming the layer, and runs from opset 19', async () => {
  const model = new nn.Sequential({ features: new nn.Sequential(new nn.Conv2d(1, 2, 3, { padding: 1, paddingMode: 'circular', generator: new Generator(2) })) });
  assert.throws(() => exportOnnx(model, [1, 1, 6, 6]), (e: unknown) => {
    assert.ok(e instanceof ValueError);
    assert.match(e.message, /features\.0 \(Conv2d\): paddingMode 'circular' has no ONNX equivalent before opset 19/);
    return true;
  });
  const bytes = exportOnnx(model, [1, 1, 6, 6], { opset: 19 });
  assert.equal(decodeModel(bytes, 'c.onnx').ir_version, 9);
  await checkWithOrt(model.eval(), bytes, [1, 1, 6, 6]);
});

test('exportOnnx: custom modules, batch norm without statistics and uneven adaptive pooling are refused by path', () => {
  class Custom extends nn.Module {
    forward(x: Tensor): Tensor { return x; }
  }
  const model = new nn.Sequential({ body: new nn.Sequential(new nn.ReLU(), new Custom()) });
  assert.throws(() => exportOnnx(model, [1, 3]), (e: unknown) => e instanceof ValueError && /body\.1 \(Custom\)/.test(e.message));
  assert.throws(() => exportOnnx(new nn.Sequential(new nn.AdaptiveAvgPool2d(3)), [1, 1, 7, 7]), (e: unknown) => e instanceof ValueError && /^exportOnnx: 0 \(AdaptiveAvgPool2d\)/.test(e.message));
  assert.throws(() => exportOnnx(new nn.Sequential(new nn.BatchNorm2d(2, { trackRunningStats: false })), [1, 2, 3, 3]), (e: unknown) => e instanceof ValueError && /running statistics/.test(e.message));
});

test('exportOnnx → importOnnx round trip keeps state-dict names and outputs', () => {
  const model = everyLayer2d();
  const imported = importOnnx(exportOnnx(model, [1, 3, 11, 12]), 'every.onnx');
  for (const key of model.stateDict().keys()) {
    if (key.endsWith('num_batches_tracked')) continue;
    assert.ok(imported.stateDict().has(key), `imported state dict lacks ${key}`);
  }
  assert.ok([...imported.modules()].some((m) => m instanceof nn.GELU), 'the Erf subgraph becomes a GELU layer');
  const x = randn([3, 3, 11, 12], { generator: new Generator(4) });
  const diff = maxAbsDiff(noGrad(() => imported.call(x)).data, noGrad(() => model.call(x)).data);
  assert.ok(diff <= TOL, `round trip differs by ${diff}`);
});

interface OnnxIo {
  input: { shape: number[]; data: number[] };
  models: Record<string, { file: string; output: { shape: number[]; data: number[] } }>;
}

const io = JSON.parse(readFileSync(fixturePath('onnx_io.json'), 'utf8')) as OnnxIo;
const fixtureInput = () => new Tensor(Float32Array.from(io.input.data), io.input.shape);

for (const name of ['lenet5', 'resnet_small']) {
  test(`importOnnx: PyTorch's ${name}.onnx gives PyTorch's outputs and fine-tunes`, () => {
    const { file, output } = io.models[name];
    const model = importOnnx(readFileSync(fixturePath(file)), file);
    const y = noGrad(() => model.call(fixtureInput()));
    assert.deepEqual(y.shape, output.shape);
    const diff = maxAbsDiff(y.data, output.data);
    assert.ok(diff <= TOL, `${name}: differs from PyTorch by ${diff}`);

    model.train();
    const target = new Tensor(Int32Array.from([1, 4, 7]), [3]);
    crossEntropy(model.call(fixtureInput()), target).backward();
    const params = [...model.namedParameters()];
    assert.ok(params.length > 0);
    for (const [key, p] of params) {
      assert.ok(p.grad !== null, `${key} has no gradient`);
      assert.ok(p.grad.data.some((v) => v !== 0), `${key} has an all-zero gradient`);
    }
  });
}

test('importOnnx: PyTorch LeNet-5 has waldo lenet5’s state-dict names; residual model names follow torch modules', () => {
  const imported = importOnnx(readFileSync(fixturePath('lenet5.onnx')), 'lenet5.onnx');
  assert.deepEqual([...imported.stateDict().keys()], [...lenet5().stateDict().keys()]);
  const waldo = lenet5();
  waldo.loadStateDict(imported.stateDict());
  const x = fixtureInput();
  assert.ok(maxAbsDiff(noGrad(() => waldo.call(x)).data, io.models.lenet5.output.data) <= TOL);
  const resnet = importOnnx(readFileSync(fixturePath('resnet_small.onnx')), 'resnet_small.onnx');
  for (const key of ['stem.0.weight', 'stem.1.running_var', 'block.conv1.weight', 'block.bn2.bias', 'fc.weight']) assert.ok(resnet.stateDict().has(key), key);
});

test('importOnnx: an unsupported op is a FormatError naming the node, the op and the supported list', () => {
  const proto = decodeModel(exportOnnx(lenet5(), [1, 1, 28, 28]), 'x');
  proto.graph!.node[1] = { ...proto.graph!.node[1], name: 'my_softmax', op_type: 'Softmax' };
  assert.throws(() => importOnnx(encodeModel(proto), 'odd.onnx'), (e: unknown) => {
    assert.ok(e instanceof FormatError);
    assert.equal(e.file, 'odd.onnx');
    assert.match(e.message, /^odd\.onnx: node 'my_softmax' uses op 'Softmax', which waldo cannot import; supported: Add, .*Conv, /);
    return true;
  });
});

test('importOnnx: corrupt or truncated bytes are a FormatError naming the file', () => {
  const bytes = exportOnnx(lenet5(), [1, 1, 28, 28]);
  const cases = [bytes.slice(0, 1000), new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]), new TextEncoder().encode('not an onnx file at all'), new Uint8Array(0)];
  for (const bad of cases) {
    assert.throws(() => importOnnx(bad, 'broken.onnx'), (e: unknown) => e instanceof FormatError && e.file === 'broken.onnx' && e.message.startsWith('broken.onnx: '));
  }
});

test('CLI: waldo export --format onnx writes a model ONNX Runtime runs; waldo import saves the state dict', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'waldo-onnx-'));
  try {
    const main = join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
    const waldo = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, WALDO_THREADS: '1' } });
    const model = lenet5({ generator: new Generator(5) }).eval();
    const weights = join(dir, 'model.safetensors');
    saveModel(weights, model, trainedMetadata({ model: 'lenet5', data: 'mnist' }, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], [0.1307], [0.3081], [1, 28, 28]));

    const exported = waldo('export', '--weights', weights, '--format', 'onnx', '--out', 'lenet5.onnx');
    assert.equal(exported.status, 0, exported.stderr);
    assert.match(exported.stdout, /wrote lenet5\.onnx .*input "input" \[batch, 1, 28, 28\] → output "output" \[batch, 10\]/);
    await checkWithOrt(model, readFileSync(join(dir, 'lenet5.onnx')), [1, 1, 28, 28], [2]);

    const imported = waldo('import', 'lenet5.onnx', '--out', 'imported.safetensors');
    assert.equal(imported.status, 0, imported.stderr);
    assert.match(imported.stdout, /^OnnxGraphModule\(\n {2}\(features\.0\): Conv2d\(1, 6/);
    const { stateDict } = loadModelFile(join(dir, 'imported.safetensors'));
    assert.deepEqual([...stateDict.keys()], [...model.stateDict().keys()]);

    const bad = waldo('export', '--weights', weights, '--format', 'onnx');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--out/);
    const pytorch = waldo('export', '--weights', weights, '--format', 'pytorch', '--out', 'model.py');
    if (existsSync(join(repoRoot(), 'dist', 'src', 'io', 'pytorchExport.js'))) assert.equal(pytorch.status, 0, pytorch.stderr);
    else assert.match(pytorch.stderr, /not yet/);
    const broken = waldo('import', join(repoRoot(), 'package.json'));
    assert.equal(broken.status, 1);
    assert.match(broken.stderr, /^FormatError: .*package\.json: not a valid ONNX model/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
