/**
 * The playground page: controls and pictures. Everything numeric happens in worker.ts; this file
 * turns the pad's strokes into a 28×28 input, sends requests and paints the replies.
 *
 * For the browser tests, <body> carries counters that go up as results arrive: data-ready,
 * data-charts, data-predictions, data-waldo, data-dense; and data-dense-requested / data-dense-shown,
 * the id of the last dense-versus-conv request sent and of the reply on screen (replies to requests
 * overtaken by newer ones are dropped, so the counter alone cannot say the last one arrived).
 */
import type { Reply, Request, RgbImage } from './protocol.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const input = (id: string) => $<HTMLInputElement>(id);
const body = document.body;
const bump = (key: string) => { body.dataset[key] = String(Number(body.dataset[key] ?? '0') + 1); };

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (request: Request, transfer: Transferable[] = []) => worker.postMessage(request, transfer);

function paint(canvas: HTMLCanvasElement, picture: RgbImage): void {
  canvas.width = picture.width;
  canvas.height = picture.height;
  const pixels = new ImageData(picture.width, picture.height);
  for (let i = 0, j = 0; i < picture.data.length; i += 3, j += 4) {
    pixels.data[j] = picture.data[i]!;
    pixels.data[j + 1] = picture.data[i + 1]!;
    pixels.data[j + 2] = picture.data[i + 2]!;
    pixels.data[j + 3] = 255;
  }
  canvas.getContext('2d')!.putImageData(pixels, 0, 0);
}

// ---- training --------------------------------------------------------------------------------
let training = false;
function setTraining(on: boolean): void {
  training = on;
  $<HTMLButtonElement>('train').disabled = on;
  $<HTMLButtonElement>('reset').disabled = on;
  $<HTMLButtonElement>('stop').disabled = !on;
}

$('train').addEventListener('click', () => {
  const steps = Math.max(1, Math.round(Number(input('train-steps').value) || 1));
  const batchSize = Math.max(1, Math.round(Number(input('batch-size').value) || 64));
  const lr = Number(input('lr').value) || 1e-3;
  setTraining(true);
  $<HTMLProgressElement>('progress').value = 0;
  send({ type: 'train', steps, batchSize, lr });
});
$('stop').addEventListener('click', () => send({ type: 'stop' }));
$('reset').addEventListener('click', () => send({ type: 'reset' }));

// ---- drawing pad -----------------------------------------------------------------------------
const pad = $<HTMLCanvasElement>('pad');
const padContext = pad.getContext('2d', { willReadFrequently: true })!;
function clearPad(): void {
  padContext.fillStyle = '#000';
  padContext.fillRect(0, 0, pad.width, pad.height);
}
clearPad();
let drawing = false;
let last: [number, number] | null = null;
let inked = false;

function padPoint(event: PointerEvent): [number, number] {
  const rect = pad.getBoundingClientRect();
  return [((event.clientX - rect.left) * pad.width) / rect.width, ((event.clientY - rect.top) * pad.height) / rect.height];
}

pad.addEventListener('pointerdown', (event) => {
  drawing = true;
  pad.setPointerCapture(event.pointerId);
  last = padPoint(event);
  stroke(last, last);
});
pad.addEventListener('pointermove', (event) => {
  if (!drawing || last === null) return;
  const point = padPoint(event);
  stroke(last, point);
  last = point;
  schedulePredict();
});
const endStroke = () => {
  if (!drawing) return;
  drawing = false;
  last = null;
  schedulePredict();
};
pad.addEventListener('pointerup', endStroke);
pad.addEventListener('pointercancel', endStroke);

function stroke(from: [number, number], to: [number, number]): void {
  inked = true;
  padContext.strokeStyle = '#fff';
  padContext.lineWidth = 22;
  padContext.lineCap = 'round';
  padContext.lineJoin = 'round';
  padContext.beginPath();
  padContext.moveTo(...from);
  padContext.lineTo(...to);
  padContext.stroke();
}

$('clear').addEventListener('click', () => {
  clearPad();
  inked = false;
  $('prediction').textContent = '–';
  $('probs').replaceChildren();
});

/**
 * The pad as MNIST-style input: the ink's bounding box scaled to fit 20×20, placed in a 28×28
 * frame, then moved so that its centre of mass is the frame's centre.
 */
function padToDigit(): Float32Array {
  const { width, height } = pad;
  const ink = padContext.getImageData(0, 0, width, height).data;
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[4 * (y * width + x)]! > 20) {
        x0 = Math.min(x0, x); x1 = Math.max(x1, x);
        y0 = Math.min(y0, y); y1 = Math.max(y1, y);
      }
    }
  }
  const out = new Float32Array(28 * 28);
  if (x1 < 0) return out;
  const w = x1 - x0 + 1, h = y1 - y0 + 1;
  const scale = 20 / Math.max(w, h);
  const small = document.createElement('canvas');
  small.width = 28;
  small.height = 28;
  const c = small.getContext('2d', { willReadFrequently: true })!;
  c.fillStyle = '#000';
  c.fillRect(0, 0, 28, 28);
  c.imageSmoothingEnabled = true;
  c.imageSmoothingQuality = 'high';
  c.drawImage(pad, x0, y0, w, h, 14 - (w * scale) / 2, 14 - (h * scale) / 2, w * scale, h * scale);
  const px = c.getImageData(0, 0, 28, 28).data;
  let mass = 0, mx = 0, my = 0;
  for (let i = 0; i < 784; i++) {
    const v = px[4 * i]! / 255;
    out[i] = v;
    mass += v;
    mx += v * (i % 28);
    my += v * Math.floor(i / 28);
  }
  const dx = Math.round(13.5 - mx / mass), dy = Math.round(13.5 - my / mass);
  if (dx === 0 && dy === 0) return out;
  const moved = new Float32Array(784);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const sx = x - dx, sy = y - dy;
      if (sx >= 0 && sy >= 0 && sx < 28 && sy < 28) moved[y * 28 + x] = out[sy * 28 + sx]!;
    }
  }
  return moved;
}

let predictionId = 0;
let predictQueued = false;
function schedulePredict(): void {
  if (!inked || !ready || predictQueued) return;
  predictQueued = true;
  requestAnimationFrame(() => {
    predictQueued = false;
    const pixels = padToDigit();
    send({ type: 'predict', id: ++predictionId, pixels, dx: Number(input('shift-x').value), dy: Number(input('shift-y').value) }, [pixels.buffer]);
  });
}

function showProbabilities(probabilities: number[], predicted: number): void {
  const list = $('probs');
  list.replaceChildren(...probabilities.map((p, digit) => {
    const item = document.createElement('li');
    item.dataset.digit = String(digit);
    item.dataset.p = String(p);
    if (digit === predicted) item.className = 'best';
    const label = document.createElement('span');
    label.textContent = String(digit);
    const track = document.createElement('span');
    const bar = document.createElement('span');
    bar.className = 'bar';
    bar.style.display = 'block';
    bar.style.width = `${(100 * p).toFixed(1)}%`;
    track.append(bar);
    const value = document.createElement('span');
    value.textContent = `${(100 * p).toFixed(1)}%`;
    item.append(label, track, value);
    return item;
  }));
}

// ---- shift -------------------------------------------------------------------------------------
for (const id of ['shift-x', 'shift-y']) {
  input(id).addEventListener('input', () => {
    $('shift-label').textContent = `shift (${input('shift-x').value}, ${input('shift-y').value}) px`;
    schedulePredict();
  });
}

// ---- Waldo -------------------------------------------------------------------------------------
$('waldo-run').addEventListener('click', () => {
  $<HTMLButtonElement>('waldo-run').disabled = true;
  $('waldo-result').textContent = 'training the detector…';
  send({
    type: 'waldo',
    trainSteps: Math.max(0, Math.round(Number(input('waldo-steps').value) || 0)),
    sceneSeed: Math.max(0, Math.round(Number(input('waldo-seed').value) || 0)),
    size: Math.min(256, Math.max(32, Math.round(Number(input('waldo-size').value) || 128))),
  });
});

// ---- dense against conv ------------------------------------------------------------------------
let denseId = 0;
const denseFields = ['dense-cin', 'dense-cout', 'dense-k', 'dense-h', 'dense-w', 'dense-pad'];
function requestDense(): void {
  const [inChannels, outChannels, kernel, height, width, padding] = denseFields.map((id) => Math.round(Number(input(id).value)));
  if (![inChannels, outChannels, kernel, height, width].every((v) => Number.isInteger(v) && v! >= 1) || !(padding! >= 0)) {
    $('dense-shapes').textContent = 'every size must be a positive whole number (padding ≥ 0)';
    return;
  }
  if (inChannels! * outChannels! * kernel! * kernel! > 50_000_000) {
    $('dense-shapes').textContent = 'that convolution is too big to build here (more than 50 million weights)';
    return;
  }
  body.dataset.denseRequested = String(++denseId);
  send({ type: 'dense', id: denseId, inChannels: inChannels!, outChannels: outChannels!, kernel: kernel!, height: height!, width: width!, padding: padding! });
}
for (const id of denseFields) input(id).addEventListener('input', requestDense);

const format = (n: number) => n.toLocaleString('en-US');

// ---- replies -----------------------------------------------------------------------------------
let ready = false;
worker.onmessage = (event: MessageEvent<Reply>) => {
  const reply = event.data;
  switch (reply.type) {
    case 'ready': {
      ready = true;
      const kernels = reply.backend === 'wasm' ? `wasm${reply.relaxedSimd ? ' (relaxed SIMD)' : ' (SIMD)'}` : `${reply.backend} (JavaScript loops; the page is not cross-origin isolated)`;
      $('status').textContent = `backend: ${kernels}, 1 thread in a Web Worker · cross-origin isolated: ${reply.crossOriginIsolated ? 'yes' : 'no'} · ${format(reply.trainSize)} training / ${format(reply.testSize)} held-out digits · LeNet-5, ${format(reply.parameters)} parameters`;
      body.dataset.backend = reply.backend;
      paint($<HTMLCanvasElement>('filters'), reply.filters);
      for (const id of ['train', 'reset', 'waldo-run']) $<HTMLButtonElement>(id).disabled = false;
      requestDense();
      bump('ready');
      break;
    }
    case 'progress': {
      const bar = $<HTMLProgressElement>('progress');
      bar.max = reply.total;
      bar.value = reply.done;
      $('progress-text').textContent = `${reply.done} / ${reply.total}`;
      $('step').textContent = String(reply.step);
      $('loss').textContent = reply.loss.toFixed(4);
      $('speed').textContent = `${reply.stepsPerSecond.toFixed(1)} steps/s`;
      break;
    }
    case 'charts':
      paint($<HTMLCanvasElement>('loss-chart'), reply.loss);
      paint($<HTMLCanvasElement>('acc-chart'), reply.accuracy);
      paint($<HTMLCanvasElement>('filters'), reply.filters);
      if (reply.testAccuracy !== null) $('accuracy').textContent = `${(100 * reply.testAccuracy).toFixed(1)}%`;
      bump('charts');
      break;
    case 'trainDone':
      setTraining(false);
      if (reply.step === 0) {
        $('step').textContent = '0';
        $('loss').textContent = '–';
        $('accuracy').textContent = '–';
      }
      schedulePredict();
      break;
    case 'prediction': {
      if (reply.id !== predictionId) break; // a newer request is on its way
      $('prediction').textContent = String(reply.predicted);
      showProbabilities(reply.probabilities, reply.predicted);
      paint($<HTMLCanvasElement>('input28'), reply.input);
      paint($<HTMLCanvasElement>('filters'), reply.filters);
      paint($<HTMLCanvasElement>('maps1'), reply.maps1);
      paint($<HTMLCanvasElement>('maps2'), reply.maps2);
      body.dataset.predicted = String(reply.predicted);
      bump('predictions');
      break;
    }
    case 'waldoProgress': {
      const bar = $<HTMLProgressElement>('waldo-progress');
      bar.max = reply.total;
      bar.value = reply.step;
      $('waldo-result').textContent = `training the detector: step ${reply.step} / ${reply.total}, loss ${reply.loss.toFixed(3)}`;
      break;
    }
    case 'waldoResult': {
      paint($<HTMLCanvasElement>('waldo-scene'), reply.scene);
      paint($<HTMLCanvasElement>('waldo-heatmap'), reply.heatmap);
      const truth = reply.truth === null ? 'not in this scene' : `really at (${reply.truth.x}, ${reply.truth.y})`;
      const miss = reply.truth === null ? '' : `, ${Math.hypot(reply.x - reply.truth.x, reply.y - reply.truth.y).toFixed(1)} px off`;
      $('waldo-result').textContent = `${reply.present ? 'Found' : 'Not sure he is here; best guess'} at (${reply.x.toFixed(1)}, ${reply.y.toFixed(1)}) with probability ${(100 * reply.probability).toFixed(1)}%; Waldo is ${truth}${miss}. Score map ${reply.mapWidth}×${reply.mapHeight}.`;
      $<HTMLButtonElement>('waldo-run').disabled = false;
      bump('waldo');
      break;
    }
    case 'dense':
      if (reply.id !== denseId) break;
      $('dense-conv').textContent = format(reply.convParameters);
      $('dense-dense').textContent = format(reply.denseParameters);
      $('dense-ratio').textContent = `${format(Math.round(reply.ratio))}×`;
      $('dense-shapes').textContent = `input ${format(reply.inputSize)} values → output [${reply.outputShape.join(', ')}] = ${format(reply.outputSize)} values; the dense layer connects every output to every input.`;
      body.dataset.denseShown = String(reply.id);
      bump('dense');
      break;
    case 'error':
      $('status').textContent = `error: ${reply.message}`;
      body.dataset.error = reply.message;
      setTraining(false);
      $<HTMLButtonElement>('waldo-run').disabled = !ready;
      break;
  }
};
worker.onerror = (event) => {
  $('status').textContent = `the worker failed: ${event.message}`;
  body.dataset.error = event.message || 'worker error';
};

send({ type: 'init', digitsUrl: new URL('digits.bin', document.baseURI).href });
void training;
