// TensorFlow.js in Node: the wasm backend (single-threaded here) and the pure-JS cpu backend, NHWC
// layout (inputs transposed once, outside the timing; outputs transposed back for the check).
import type { Sequential } from '../../src/nn/index.js';
import { type ConvData, type ConvShape, hwioToOihw, nchwToNhwc, nhwcToNchw, oihwToHwio, outSize } from '../shapes.js';
import { randomFloats, type Runner, type Timing, type TimingOptions, timeAsync, timeSync } from '../timing.js';

type Tf = typeof import('@tensorflow/tfjs');
export type TfBackend = 'wasm' | 'cpu';

/** tfjs cpu is slow on big layers: stop after ~2.5 s (at least one timed run). */
export const tfjsCpuTiming: TimingOptions = { capMs: 2500 };

export async function createTfjsPeer() {
  // tfjs prints a hint about tfjs-node on load; keep the benchmark's output clean.
  const info = console.log, warn = console.warn;
  console.log = () => {};
  console.warn = () => {};
  const tf: Tf = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-wasm');
  try {
    if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") failed');
    await tf.setBackend('cpu');
    tf.tensor1d([0]).dispose(); // the cpu backend's one-time tfjs-node hint, printed on first use
    tf.enableProdMode();
  } finally {
    console.log = info;
    console.warn = warn;
  }
  // setBackend is not free (it sets up the backend's kernels again): runners call it once, when prepared.
  const use = (be: TfBackend) => { tf.setBackend(be); if (tf.getBackend() !== be) throw new Error(`tfjs backend ${be} not active`); };

  function convInputs(s: ConvShape, d: ConvData) {
    const x = tf.tensor4d(nchwToNhwc(d.x, s.n, s.c, s.h, s.w), [s.n, s.h, s.w, s.c]);
    const dw = s.groups > 1;
    // depthwise: OIHW [C,1,k,k] has the memory order of tfjs's [k,k,C,1]
    const w = tf.tensor4d(oihwToHwio(d.w, s.co, s.c / s.groups, s.k, s.k), dw ? [s.k, s.k, s.c, 1] : [s.k, s.k, s.c, s.co]);
    const b = tf.tensor1d(d.b);
    const conv = (xx: import('@tensorflow/tfjs').Tensor4D, ww: import('@tensorflow/tfjs').Tensor4D) => dw
      ? tf.fused.depthwiseConv2d({ x: xx, filter: ww, bias: b, strides: s.stride, pad: s.pad })
      : tf.fused.conv2d({ x: xx, filter: ww, bias: b, strides: s.stride, pad: s.pad });
    return { x, w, b, conv, dispose: () => tf.dispose([x, w, b]) };
  }

  return {
    version: tf.version.tfjs,
    /** Forward on `be`; NHWC in, NCHW out (the transposes of the result are not timed). */
    convForward(be: TfBackend, s: ConvShape, d: ConvData): Runner<Float32Array> {
      use(be);
      const { x, w, conv, dispose } = convInputs(s, d);
      const { oh, ow } = outSize(s);
      let y: Float32Array | null = null;
      return {
        run: () => {
          const t = conv(x, w);
          y = t.dataSync() as Float32Array;
          t.dispose();
        },
        result: () => nhwcToNchw(y!, s.n, s.co, oh, ow),
        dispose,
      };
    },
    /** Input and weight gradients of the forward, NCHW / OIHW out. */
    convBackward(be: TfBackend, s: ConvShape, d: ConvData): Runner<{ dx: Float32Array; dw: Float32Array }> {
      use(be);
      const { x, w, conv, dispose } = convInputs(s, d);
      const { oh, ow } = outSize(s);
      const dy = tf.tensor4d(nchwToNhwc(d.dy, s.n, s.co, oh, ow), [s.n, oh, ow, s.co]);
      const grads = tf.grads((a, b) => conv(a as import('@tensorflow/tfjs').Tensor4D, b as import('@tensorflow/tfjs').Tensor4D));
      let dx: Float32Array | null = null, dwt: Float32Array | null = null;
      return {
        run: () => tf.tidy(() => {
          const [gx, gw] = grads([x, w], dy);
          dx = gx!.dataSync() as Float32Array;
          dwt = gw!.dataSync() as Float32Array;
        }),
        result: () => ({ dx: nhwcToNchw(dx!, s.n, s.c, s.h, s.w), dw: hwioToOihw(dwt!, s.co, s.c / s.groups, s.k, s.k) }),
        dispose: () => { dispose(); dy.dispose(); },
      };
    },
    /** A tf.sequential LeNet-5 (same layers as waldo's), one trainOnBatch step of SGD. */
    async lenetTrainAsync(be: TfBackend, batch: number): Promise<Timing> {
      use(be);
      const model = lenet(tf, true);
      model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy' });
      const x = tf.tensor4d(randomFloats(batch * 784, 3), [batch, 28, 28, 1]);
      const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => (i * 7 + 3) % 10), 'int32'), 10);
      const timing = await timeAsync(() => model.trainOnBatch(x, y), { minRuns: 3, minMs: 1000, capMs: 5000 });
      tf.dispose([x, y]);
      model.dispose();
      return timing;
    },
    /** The same network with waldo's weights (NHWC flatten order permuted into the first dense layer). */
    lenetFrom(waldoModel: Sequential) {
      use('wasm');
      const model = lenet(tf, false);
      const sd = waldoModel.stateDict();
      const get = (k: string) => sd.get(k)!.data as Float32Array;
      const dense = (k: string, out: number, inp: number, perm?: (i: number) => number) => {
        const w = get(k), t = new Float32Array(w.length);
        for (let o = 0; o < out; o++) for (let i = 0; i < inp; i++) t[i * out + o] = w[o * inp + (perm ? perm(i) : i)]!;
        return tf.tensor2d(t, [inp, out]);
      };
      // tfjs flatten index (h·5 + w)·16 + c ↔ waldo's c·25 + h·5 + w
      const perm = (f: number) => (f % 16) * 25 + Math.floor(f / 16);
      model.setWeights([
        tf.tensor4d(oihwToHwio(get('features.0.weight'), 6, 1, 5, 5), [5, 5, 1, 6]), tf.tensor1d(get('features.0.bias')),
        tf.tensor4d(oihwToHwio(get('features.3.weight'), 16, 6, 5, 5), [5, 5, 6, 16]), tf.tensor1d(get('features.3.bias')),
        dense('classifier.1.weight', 120, 400, perm), tf.tensor1d(get('classifier.1.bias')),
        dense('classifier.3.weight', 84, 120), tf.tensor1d(get('classifier.3.bias')),
        dense('classifier.5.weight', 10, 84), tf.tensor1d(get('classifier.5.bias')),
      ]);
      return {
        infer(input: Float32Array, batch: number): Runner<Float32Array> {
          use('wasm');
          const x = tf.tensor4d(nchwToNhwc(input, batch, 1, 28, 28), [batch, 28, 28, 1]);
          let out: Float32Array | null = null;
          return {
            run: () => {
              const y = model.predict(x) as import('@tensorflow/tfjs').Tensor;
              out = y.dataSync() as Float32Array;
              y.dispose();
            },
            result: () => out!,
            dispose: () => x.dispose(),
          };
        },
      };
    },
    matmulGflops(be: TfBackend, size: number): number {
      use(be);
      const a = tf.tensor2d(randomFloats(size * size, 11), [size, size]), b = tf.tensor2d(randomFloats(size * size, 12), [size, size]);
      const t = timeSync(() => { const c = tf.matMul(a, b); c.dataSync(); c.dispose(); }, { warmup: 2 });
      tf.dispose([a, b]);
      return (2 * size ** 3) / t.medianMs / 1e6;
    },
  };
}

export type TfjsPeer = Awaited<ReturnType<typeof createTfjsPeer>>;

function lenet(tf: Tf, softmax: boolean) {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 5, padding: 'valid', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 120, activation: 'relu' }),
      tf.layers.dense({ units: 84, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: softmax ? 'softmax' : 'linear' }),
    ],
  });
}
