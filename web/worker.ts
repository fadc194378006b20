/**
 * The playground's worker: LeNet-5 training, inference, feature maps and the Waldo finder, all on
 * waldo's own modules. It imports single files of src/ (never src/index.ts, whose data and io
 * modules read files with node:fs) and registers the wasm backend, which runs wherever the page is
 * cross-origin isolated (shared WebAssembly memory); elsewhere waldo falls back to its plain kernels.
 */
import '../src/backend/wasm/index.js';
import { getBackend } from '../src/backend/index.js';
import { getNumThreads } from '../src/backend/wasm/numThreads.js';
import { noGrad } from '../src/autograd/gradMode.js';
import { denseEquivalent } from '../src/explain/denseEquivalent.js';
import { featureMaps, firstConv } from '../src/explain/featureMaps.js';
import { shift2d } from '../src/explain/shift.js';
import { generateScene, sceneToRgbBytes } from '../src/explain/waldoScenes.js';
import { findWaldo, heatmapOverlay, trainWaldoDetector } from '../src/explain/waldoDetector.js';
import { lenet5 } from '../src/models/lenet5.js';
import { Conv2d } from '../src/nn/conv.js';
import type { Sequential } from '../src/nn/sequential.js';
import { crossEntropy } from '../src/ops/loss.js';
import { softmax } from '../src/ops/softmax.js';
import { Adam } from '../src/optim/adam.js';
import { Generator } from '../src/tensor/random.js';
import { Tensor } from '../src/tensor/tensor.js';
import type { Canvas } from '../src/viz/canvas.js';
import { featureMapGrid, filterGrid } from '../src/viz/grids.js';
import { lineChart } from '../src/viz/lineChart.js';
import type { Reply, Request, RgbImage } from './protocol.js';

const scope = self as unknown as {
  postMessage(message: Reply, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<Request>) => void) | null;
};

const SIDE = 28;
const PIXELS = SIDE * SIDE;
/** Like bundledMnist.ts: the last 200 images of each digit are held out. */
const HELD_OUT_PER_CLASS = 200;
/** Held-out examples scored at each evaluation (the first of each digit, class-balanced). */
const EVAL_SIZE = 500;

interface Split {
  inputs: Float32Array;
  labels: Int32Array;
  n: number;
}

let train: Split | null = null;
let test: Split | null = null;
let model: Sequential;
let optimizer: Adam;
let generator: Generator;
let globalStep = 0;
let losses: number[] = [];
let evalSteps: number[] = [];
let testAccuracies: number[] = [];
let batchAccuracies: number[] = [];
let stopRequested = false;
let training = false;
let detector: { model: Sequential; steps: number } | null = null;

function post(message: Reply, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer);
}

function image(canvas: Canvas): RgbImage {
  return { width: canvas.width, height: canvas.height, data: canvas.data };
}

function freshModel(): void {
  generator = new Generator(0);
  model = lenet5({ generator });
  optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  globalStep = 0;
  losses = [];
  evalSteps = [];
  testAccuracies = [];
  batchAccuracies = [];
}

async function loadDigits(url: string): Promise<void> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot load the digits from ${url}: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const view = new DataView(bytes.buffer);
  const counts = Array.from({ length: 10 }, (_, d) => view.getUint32(4 * d, true));
  const total = counts.reduce((s, c) => s + c, 0);
  const trainTotal = total - 10 * HELD_OUT_PER_CLASS;
  train = { inputs: new Float32Array(trainTotal * PIXELS), labels: new Int32Array(trainTotal), n: 0 };
  test = { inputs: new Float32Array(10 * HELD_OUT_PER_CLASS * PIXELS), labels: new Int32Array(10 * HELD_OUT_PER_CLASS), n: 0 };
  let offset = 40;
  counts.forEach((count, digit) => {
    for (let i = 0; i < count; i++) {
      const target = i < count - HELD_OUT_PER_CLASS ? train! : test!;
      const base = target.n * PIXELS;
      for (let p = 0; p < PIXELS; p++) target.inputs[base + p] = bytes[offset + p]! / 255;
      target.labels[target.n++] = digit;
      offset += PIXELS;
    }
  });
}

function batch(split: Split, indices: ArrayLike<number>): { x: Tensor; y: Tensor } {
  const n = indices.length;
  const x = new Float32Array(n * PIXELS);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = indices[i]!;
    x.set(split.inputs.subarray(k * PIXELS, (k + 1) * PIXELS), i * PIXELS);
    y[i] = split.labels[k]!;
  }
  return { x: new Tensor(x, [n, 1, SIDE, SIDE]), y: new Tensor(y, [n]) };
}

function accuracy(logits: Tensor, labels: Int32Array | ArrayLike<number>): number {
  const [n, c] = logits.shape as [number, number];
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (logits.data[i * c + j]! > logits.data[i * c + best]!) best = j;
    if (best === labels[i]) correct++;
  }
  return correct / n;
}

function evaluate(): number {
  const split = test!;
  const perClass = EVAL_SIZE / 10;
  const indices = Array.from({ length: EVAL_SIZE }, (_, i) => Math.floor(i / perClass) * HELD_OUT_PER_CLASS + (i % perClass));
  model.eval();
  let correct = 0;
  for (let start = 0; start < indices.length; start += 250) {
    const { x, y } = batch(split, indices.slice(start, start + 250));
    const logits = noGrad(() => model.call(x));
    correct += accuracy(logits, y.data as Int32Array) * y.data.length;
  }
  model.train();
  return correct / indices.length;
}

function ema(values: number[], alpha = 0.1): number[] {
  const out: number[] = [];
  let s = values[0] ?? 0;
  for (const v of values) out.push((s = alpha * v + (1 - alpha) * s));
  return out;
}

/**
 * The y range of a chart: the data's range with 5% room, at least 0.01 wide. (lineChart's own
 * default pads a range of width 0 but not one a rounding error wide, for which its tick loop
 * never ends: a series and its moving average a few ulps apart after one step.)
 */
function paddedRange(values: number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  const low = Math.min(...finite);
  const high = Math.max(...finite);
  const pad = Math.max((high - low) * 0.05, 0.005);
  return [low - pad, high + pad];
}

function postCharts(): void {
  if (losses.length === 0) return;
  const xs = losses.map((_, i) => i + 1);
  const smoothed = ema(losses);
  const loss = lineChart({
    title: 'training loss', xLabel: 'step', yLabel: 'cross-entropy', xs, width: 480, height: 260, yRange: paddedRange([...losses, ...smoothed]),
    series: [{ name: 'batch', values: losses, color: [170, 200, 230] }, { name: 'smoothed', values: smoothed, color: [31, 119, 180] }],
  });
  const accXs = evalSteps.length > 0 ? evalSteps : xs;
  const accSeries = evalSteps.length > 0
    ? [{ name: 'held-out', values: testAccuracies.map((a) => 100 * a), color: [214, 39, 40] as const }]
    : [{ name: 'batch (smoothed)', values: ema(batchAccuracies).map((a) => 100 * a), color: [44, 160, 44] as const }];
  const acc = lineChart({ title: 'accuracy', xLabel: 'step', yLabel: '%', xs: accXs, yRange: [0, 100], width: 480, height: 260, series: accSeries });
  const filters = filterGrid(firstConv(model)!.weight, 12);
  post({ type: 'charts', step: globalStep, loss: image(loss), accuracy: image(acc), testAccuracy: testAccuracies.at(-1) ?? null, filters: image(filters) });
}

const yieldToEvents = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

async function runTraining(steps: number, batchSize: number, lr: number): Promise<void> {
  if (training) return;
  training = true;
  stopRequested = false;
  for (const group of optimizer.paramGroups) group.lr = lr;
  model.train();
  const split = train!;
  const started = performance.now();
  let lastChart = 0;
  let done = 0;
  try {
    for (; done < steps && !stopRequested; done++) {
      const indices = Array.from({ length: batchSize }, () => generator.integer(split.n));
      const { x, y } = batch(split, indices);
      const logits = model.call(x);
      const loss = crossEntropy(logits, y);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      globalStep++;
      const value = loss.item();
      if (!Number.isFinite(value)) throw new Error(`the loss became ${value} at step ${globalStep}; lower the learning rate and reset`);
      losses.push(value);
      batchAccuracies.push(accuracy(logits, y.data as Int32Array));
      const last = done + 1 === steps;
      if (globalStep % 25 === 0 || last) {
        evalSteps.push(globalStep);
        testAccuracies.push(evaluate());
      }
      const elapsed = (performance.now() - started) / 1000;
      post({ type: 'progress', done: done + 1, total: steps, step: globalStep, loss: value, batchAccuracy: batchAccuracies.at(-1)!, stepsPerSecond: (done + 1) / Math.max(elapsed, 1e-6) });
      if (performance.now() - lastChart > 1000 || last) {
        postCharts();
        lastChart = performance.now();
      }
      await yieldToEvents();
    }
    if (stopRequested) postCharts();
  } finally {
    training = false;
    model.eval();
    post({ type: 'trainDone', step: globalStep, stopped: done < steps });
  }
}

function predict(id: number, pixels: Float32Array, dx: number, dy: number): void {
  model.eval();
  const input = shift2d(new Tensor(pixels, [1, 1, SIDE, SIDE]), dy, dx, 'zeros');
  const probabilities = Array.from(noGrad(() => softmax(model.call(input), 1)).data);
  const predicted = probabilities.indexOf(Math.max(...probabilities));
  const [first, second] = featureMaps(model, input);
  const shown = new Uint8Array(PIXELS * 3);
  for (let p = 0; p < PIXELS; p++) shown.fill(Math.round(255 * Math.min(1, Math.max(0, input.data[p]!))), 3 * p, 3 * p + 3);
  post({
    type: 'prediction', id, probabilities, predicted,
    input: { width: SIDE, height: SIDE, data: shown },
    filters: image(filterGrid(firstConv(model)!.weight, 12)),
    maps1: image(featureMapGrid(first!.output.reshape([6, 28, 28]), 3)),
    maps2: image(featureMapGrid(second!.output.reshape([16, 10, 10]), 4)),
  });
}

function runWaldo(trainSteps: number, sceneSeed: number, size: number): void {
  if (detector === null || detector.steps !== trainSteps) {
    const { model: trained } = trainWaldoDetector({
      steps: trainSteps, batchSize: 8, sceneSize: 48, seed: 0,
      onStep: (step, loss) => post({ type: 'waldoProgress', step, total: trainSteps, loss }),
    });
    detector = { model: trained, steps: trainSteps };
  }
  const scene = generateScene(new Generator(sceneSeed), { width: size, height: size, withWaldo: true });
  const found = findWaldo(detector.model, scene.image, size, size);
  const [mapHeight, mapWidth] = found.scoreMap.shape as [number, number];
  post({
    type: 'waldoResult',
    scene: { width: size, height: size, data: sceneToRgbBytes(scene.image, size, size) },
    heatmap: { width: size, height: size, data: heatmapOverlay(scene.image, size, size, found.scoreMap, { x: found.x, y: found.y }) },
    present: found.present, probability: found.probability, x: found.x, y: found.y, truth: scene.waldo, mapWidth, mapHeight,
  });
}

function dense(request: Extract<Request, { type: 'dense' }>): void {
  const layer = new Conv2d(request.inChannels, request.outChannels, request.kernel, { padding: request.padding });
  const inputShape = [1, request.inChannels, request.height, request.width];
  const r = denseEquivalent(layer, inputShape);
  const { outputShape } = layer.describe(inputShape, 'Conv2d');
  post({ type: 'dense', id: request.id, convParameters: r.parameters, denseParameters: r.denseParameters, ratio: r.ratio, inputSize: r.inputSize, outputSize: r.outputSize, outputShape: [...outputShape] });
}

async function handle(request: Request): Promise<void> {
  switch (request.type) {
    case 'init': {
      await loadDigits(request.digitsUrl);
      freshModel();
      const backend = getBackend() as { name: string; relaxedSimd?: boolean };
      post({
        type: 'ready', backend: backend.name, relaxedSimd: backend.relaxedSimd === true,
        crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
        threads: backend.name === 'wasm' ? 1 : 1, trainSize: train!.n, testSize: test!.n, parameters: model.numParameters(),
        filters: image(filterGrid(firstConv(model)!.weight, 12)),
      });
      void getNumThreads;
      return;
    }
    case 'train': return runTraining(request.steps, request.batchSize, request.lr);
    case 'stop': stopRequested = true; return;
    case 'reset': if (!training) { freshModel(); postCharts(); post({ type: 'trainDone', step: 0, stopped: false }); } return;
    case 'predict': return predict(request.id, request.pixels, request.dx, request.dy);
    case 'waldo': return runWaldo(request.trainSteps, request.sceneSeed, request.size);
    case 'dense': return dense(request);
  }
}

scope.onmessage = (event) => {
  handle(event.data).catch((error: unknown) => post({ type: 'error', message: error instanceof Error ? error.message : String(error) }));
};
