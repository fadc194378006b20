// ONNX Runtime Web in Node (wasm, one thread): a one-Conv model per shape and LeNet-5 with waldo's
// weights, both written by the small encoder in onnxModel.ts.
import type { Sequential } from '../../src/nn/index.js';
import { type ConvData, type ConvShape, outSize } from '../shapes.js';
import { type Timing, timeAsync } from '../timing.js';
import { encodeModel, type OnnxNode } from './onnxModel.js';

type Ort = typeof import('onnxruntime-web');

export interface OrtPeer {
  version: string;
  convForward(s: ConvShape, d: ConvData): Promise<{ timing: Timing; y: Float32Array }>;
  lenet(model: Sequential): Promise<{ infer(x: Float32Array, batch: number): Promise<{ timing: Timing; out: Float32Array }> }>;
}

export async function createOrtPeer(): Promise<OrtPeer> {
  const ort: Ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  const options = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' as const };

  async function time(session: import('onnxruntime-web').InferenceSession, x: Float32Array, dims: number[]) {
    let out!: Float32Array;
    const input = new ort.Tensor('float32', x, dims);
    const timing = await timeAsync(async () => {
      const res = await session.run({ X: input });
      out = res.Y!.data as Float32Array;
    });
    return { timing, out };
  }

  return {
    version: ort.env.versions.web ?? '?',
    async convForward(s, d) {
      const { oh, ow } = outSize(s);
      const bytes = encodeModel({
        nodes: [{
          op: 'Conv', inputs: ['X', 'W', 'B'], outputs: ['Y'], attrs: [
            { name: 'kernel_shape', ints: [s.k, s.k] }, { name: 'strides', ints: [s.stride, s.stride] },
            { name: 'pads', ints: [s.pad, s.pad, s.pad, s.pad] }, { name: 'dilations', ints: [1, 1] }, { name: 'group', int: s.groups },
          ],
        }],
        initializers: [
          { name: 'W', dims: [s.co, s.c / s.groups, s.k, s.k], data: d.w },
          { name: 'B', dims: [s.co], data: d.b },
        ],
        input: { name: 'X', dims: [s.n, s.c, s.h, s.w] },
        output: { name: 'Y', dims: [s.n, s.co, oh, ow] },
      });
      const session = await ort.InferenceSession.create(bytes, options);
      const { timing, out } = await time(session, d.x, [s.n, s.c, s.h, s.w]);
      await session.release();
      return { timing, y: out };
    },
    async lenet(model) {
      const sd = model.stateDict();
      const p = (name: string) => ({ name, dims: [...sd.get(name)!.shape], data: sd.get(name)!.data as Float32Array });
      const pool = [{ name: 'kernel_shape', ints: [2, 2] }, { name: 'strides', ints: [2, 2] }];
      const gemm = (i: string, w: string, o: string): OnnxNode => ({ op: 'Gemm', inputs: [i, `${w}.weight`, `${w}.bias`], outputs: [o], attrs: [{ name: 'transB', int: 1 }] });
      const bytes = encodeModel({
        nodes: [
          { op: 'Conv', inputs: ['X', 'features.0.weight', 'features.0.bias'], outputs: ['c1'], attrs: [{ name: 'kernel_shape', ints: [5, 5] }, { name: 'pads', ints: [2, 2, 2, 2] }] },
          { op: 'Relu', inputs: ['c1'], outputs: ['r1'] },
          { op: 'MaxPool', inputs: ['r1'], outputs: ['p1'], attrs: pool },
          { op: 'Conv', inputs: ['p1', 'features.3.weight', 'features.3.bias'], outputs: ['c2'], attrs: [{ name: 'kernel_shape', ints: [5, 5] }] },
          { op: 'Relu', inputs: ['c2'], outputs: ['r2'] },
          { op: 'MaxPool', inputs: ['r2'], outputs: ['p2'], attrs: pool },
          { op: 'Flatten', inputs: ['p2'], outputs: ['f'], attrs: [{ name: 'axis', int: 1 }] },
          gemm('f', 'classifier.1', 'g1'), { op: 'Relu', inputs: ['g1'], outputs: ['h1'] },
          gemm('h1', 'classifier.3', 'g2'), { op: 'Relu', inputs: ['g2'], outputs: ['h2'] },
          gemm('h2', 'classifier.5', 'Y'),
        ],
        initializers: ['features.0', 'features.3', 'classifier.1', 'classifier.3', 'classifier.5'].flatMap((l) => [p(`${l}.weight`), p(`${l}.bias`)]),
        input: { name: 'X', dims: ['N', 1, 28, 28] },
        output: { name: 'Y', dims: ['N', 10] },
      });
      const session = await ort.InferenceSession.create(bytes, options);
      return {
        async infer(x, batch) {
          const r = await time(session, x, [batch, 1, 28, 28]);
          return { timing: r.timing, out: r.out };
        },
      };
    },
  };
}
