import { test } from 'node:test';
import assert from 'node:assert/strict';
import { functional as F, models, tensor } from '../../src/index.js';
import { loadModelFile } from '../../src/io/modelFile.js';
import { type LeNetIOFixture, assertClose, loadFixtureJson } from '../helpers/torchFixtures.js';
import { fixturePath } from '../helpers/paths.js';

// lenet5.safetensors was written by PyTorch (tools/fixtures_lenet.py): waldo must load it under the
// same names and reproduce PyTorch's logits, loss and every parameter gradient.

test('a PyTorch-written LeNet-5 loads by state-dict name and gives PyTorch\'s logits, loss and gradients', () => {
  const io = loadFixtureJson<LeNetIOFixture>('lenet5_io.json');
  const { stateDict } = loadModelFile(fixturePath('lenet5.safetensors'));
  const model = models.lenet5();
  model.loadStateDict(stateDict);
  const x = tensor(io.input.data, io.input.shape);
  const target = tensor(io.target.data, io.target.shape, { dtype: 'int32' });
  const logits = model.call(x);
  assertClose(logits.toArray(), io.logits.data, { atol: 1e-5, rtol: 1e-4 }, 'logits', io.logits.shape);
  const loss = F.crossEntropy(logits, target);
  assert.ok(Math.abs(loss.item() - io.loss) < 1e-5, `loss ${loss.item()} vs ${io.loss}`);
  loss.backward();
  const params = new Map(model.namedParameters());
  assert.deepEqual([...params.keys()].sort(), Object.keys(io.grads).sort());
  for (const [name, g] of Object.entries(io.grads)) {
    assertClose(params.get(name)!.grad!.toArray(), g.data, { atol: 1e-5, rtol: 1e-4 }, `gradient of ${name}`, g.shape);
  }
});
