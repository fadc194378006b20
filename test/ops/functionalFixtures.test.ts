import { test } from 'node:test';
import { type Tensor, functional as F } from '../../src/index.js';
import { checkAgainstTorch, loadFixtureCases } from '../helpers/torchFixtures.js';

// Every case of test/fixtures/functional.json for the ops not covered by the convolution, padding
// and pooling suites: forward values and every input gradient against PyTorch 1.13 (float32 tolerance).

type Run = (inputs: Tensor[], options: any) => Tensor;

const runners: Record<string, Run> = {
  linear: ([x, w, b]) => F.linear(x, w, b ?? null),
  relu: ([x]) => F.relu(x),
  leakyRelu: ([x], o) => F.leakyRelu(x, o.negativeSlope),
  sigmoid: ([x]) => F.sigmoid(x),
  tanh: ([x]) => F.tanh(x),
  gelu: ([x]) => F.gelu(x),
  softmax: ([x], o) => F.softmax(x, o.dim),
  logSoftmax: ([x], o) => F.logSoftmax(x, o.dim),
  crossEntropy: ([x, t], o) => F.crossEntropy(x, t, o),
  mseLoss: ([a, b], o) => F.mseLoss(a, b, o),
  binaryCrossEntropyWithLogits: ([x, y], o) => F.binaryCrossEntropyWithLogits(x, y, o),
  batchNorm: ([x, rm, rv, w, b], o) => F.batchNorm(x, rm, rv, w ?? null, b ?? null, o),
  add: ([a, b]) => a.add(b),
  sub: ([a, b]) => a.sub(b),
  mul: ([a, b]) => a.mul(b),
  div: ([a, b]) => a.div(b),
  maximum: ([a, b]) => a.maximum(b),
  minimum: ([a, b]) => a.minimum(b),
  pow: ([x], o) => x.pow(o.exponent),
  exp: ([x]) => x.exp(),
  log: ([x]) => x.log(),
  sqrt: ([x]) => x.sqrt(),
  abs: ([x]) => x.abs(),
  clamp: ([x], o) => x.clamp(o.min, o.max),
  sum: ([x], o) => x.sum(o.dim, o.keepdim),
  mean: ([x], o) => x.mean(o.dim, o.keepdim),
  max: ([x], o) => x.max(o.dim, o.keepdim),
  matmul: ([a, b]) => a.matmul(b),
};

for (const [op, run] of Object.entries(runners)) {
  for (const c of loadFixtureCases('functional.json', op)) {
    test(`PyTorch fixture ${c.name}`, () => {
      checkAgainstTorch(c, run);
    });
  }
}
