// convnetjs (Karpathy, pure JS, one sample at a time): its own LeNet-like net — conv 5×5 ×6 pad 2,
// pool 2, conv 5×5 ×16, pool 2, fc 120, fc 84, softmax 10 (ReLU) — trained with SGD, batch_size 64.
// One timed run is one weight update: 64 train() calls.
import { createRequire } from 'node:module';
import { randomFloats, type Timing, timeSync } from '../timing.js';

interface Vol { w: Float64Array | number[] }
interface ConvnetJs {
  Net: new () => { makeLayers(defs: object[]): void };
  Vol: new (sx: number, sy: number, depth: number, c?: number) => Vol;
  Trainer: new (net: object, options: object) => { train(x: Vol, label: number): unknown };
}

export function lenetTrain(batch: number): Timing {
  const convnetjs = createRequire(import.meta.url)('convnetjs') as ConvnetJs;
  const net = new convnetjs.Net();
  net.makeLayers([
    { type: 'input', out_sx: 28, out_sy: 28, out_depth: 1 },
    { type: 'conv', sx: 5, filters: 6, stride: 1, pad: 2, activation: 'relu' },
    { type: 'pool', sx: 2, stride: 2 },
    { type: 'conv', sx: 5, filters: 16, stride: 1, pad: 0, activation: 'relu' },
    { type: 'pool', sx: 2, stride: 2 },
    { type: 'fc', num_neurons: 120, activation: 'relu' },
    { type: 'fc', num_neurons: 84, activation: 'relu' },
    { type: 'softmax', num_classes: 10 },
  ]);
  const trainer = new convnetjs.Trainer(net, { method: 'sgd', learning_rate: 0.01, batch_size: batch, l2_decay: 0 });
  const data = randomFloats(batch * 784, 3);
  const samples = Array.from({ length: batch }, (_, i) => {
    const v = new convnetjs.Vol(28, 28, 1, 0);
    for (let j = 0; j < 784; j++) v.w[j] = data[i * 784 + j]!;
    return v;
  });
  return timeSync(() => {
    for (let i = 0; i < batch; i++) trainer.train(samples[i]!, (i * 7 + 3) % 10);
  }, { minRuns: 5, minMs: 1000, capMs: 4000 });
}
