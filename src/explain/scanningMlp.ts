/**
 * The scanning MLP is a convolution. An MLP that looks at a window of a sequence, slid along it
 * with a stride, with the outputs of all windows concatenated, computes exactly what a stack of
 * Conv1d layers computes: the first layer's weights become a kernel as wide as the window, with
 * the window's stride, and every later layer becomes a 1×1 convolution.
 *
 * Two forms, both with a conversion to Conv1d layers whose outputs equal the MLP's:
 *
 * - `ScanningMLP` (the simple form): the first layer sees the whole window.
 * - `DistributedScanningMLP`: a hierarchy of small shared sub-networks. Layer l looks at
 *   `kernel_l` adjacent outputs of layer l−1 and moves by `stride_l` within the window; its
 *   weights are shared by every position. It is the simple form with most weights forced to zero
 *   and the rest tied (`toScanningMLP` builds that equivalent simple MLP), so it needs far fewer
 *   parameters for the same window (`parameterCounts`).
 *
 * Conventions (shared with the tests):
 * - An MLP weight `w` has shape `[in, out]` (y = x·w + b), not Linear's `[out, in]`.
 * - A window of K positions over C channels is flattened position-major: element (j, c) sits at
 *   `j*C + c`. So the first weight maps to the conv weight `W[o, c, j] = w[j*C + c, o]`.
 * - Outputs: for input [N, C, L] the scanning MLP computes O features for each of the
 *   T = ⌊(L − window)/stride⌋ + 1 windows; `forward` returns them as [N, O·T] flattened
 *   channel-major (feature o of window t at `o*T + t`), which is the Conv1d output [N, O, T]
 *   flattened. The conversions end with `Flatten()` so the shapes match too; drop the last child
 *   to keep [N, O, T].
 */
import { ShapeError, ValueError } from '../errors.js';
import { relu } from '../ops/activation.js';
import { Conv1d, Flatten, Module, ReLU, Sequential } from '../nn/index.js';
import type { LayerShape } from '../nn/shapeInference.js';
import { noGrad } from '../autograd/gradMode.js';
import { Generator, defaultGenerator } from '../tensor/random.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { stack } from '../tensor/views.js';

/** U(−1/√in, 1/√in) like PyTorch's Linear, for an MLP weight [in, out] and bias [out]. */
function mlpLayer(inFeatures: number, outFeatures: number, generator: Generator): { weight: Tensor; bias: Tensor } {
  const bound = 1 / Math.sqrt(inFeatures);
  const draw = (n: number) => Float32Array.from({ length: n }, () => -bound + 2 * bound * generator.uniform());
  return { weight: new Tensor(draw(inFeatures * outFeatures), [inFeatures, outFeatures]), bias: new Tensor(draw(outFeatures), [outFeatures]) };
}

function positiveInteger(where: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new ValueError(`${where}: ${name} must be a positive integer, got ${v}`);
}

/**
 * Windows of `kernel` positions every `stride` along dim 1 of h [B, P, C]: [B, n, kernel*C], each
 * window flattened position-major. Differentiable (narrow, reshape, stack).
 */
function windows(h: Tensor, kernel: number, stride: number): Tensor {
  const [b, p, c] = h.shape;
  const n = Math.floor((p - kernel) / stride) + 1;
  const list: Tensor[] = [];
  for (let q = 0; q < n; q++) list.push(h.narrow(1, q * stride, kernel).reshape(b, kernel * c));
  return stack(list, 1);
}

/** x [N, C, L] (or [C, L]) → positions [N, L, C] and the batch flag. */
function positionsOf(where: string, x: Tensor, inChannels: number, window: number): { h: Tensor; batched: boolean } {
  const batched = x.ndim === 3;
  if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[x.ndim - 2] !== inChannels || x.shape[x.ndim - 1] < window) {
    throw new ShapeError(`${where}: input ${formatShape(x.shape)} must be [N, ${inChannels}, L] or [${inChannels}, L] with L ≥ the window ${window}`);
  }
  const x3 = batched ? x : x.unsqueeze(0);
  return { h: x3.permute(0, 2, 1), batched };
}

/** per-window outputs [N, T, O] → [N, O·T] channel-major (or [O·T] for an unbatched input). */
function concatenateChannelMajor(y: Tensor, batched: boolean): Tensor {
  const out = y.permute(0, 2, 1).flatten(1);
  return batched ? out : out.squeeze(0);
}

/** Copies MLP weights into a Conv1d: `W[o, c, j] = w[j*C + c, o]`, bias unchanged. */
function loadConvFromMlp(conv: Conv1d, weight: Tensor, bias: Tensor): void {
  const [cout, cin, k] = conv.weight.shape;
  if (weight.shape[0] !== k * cin || weight.shape[1] !== cout) throw new ShapeError(`loadConvFromMlp: MLP weight ${formatShape(weight.shape)} does not fit conv weight ${formatShape(conv.weight.shape)}`);
  noGrad(() => {
    const W = conv.weight.data;
    const w = weight.data;
    for (let o = 0; o < cout; o++) for (let c = 0; c < cin; c++) for (let j = 0; j < k; j++) W[(o * cin + c) * k + j] = w[(j * cin + c) * cout + o];
    conv.bias!.data.set(bias.data);
  });
}

/**
 * Parameters of a dense MLP in → hidden… → out, with biases.
 *
 * @example
 * import { explain } from 'waldo';
 * explain.mlpParameterCount(784, [128], 10); // 101,770
 */
export function mlpParameterCount(inFeatures: number, hidden: readonly number[], outFeatures: number): number {
  const sizes = [inFeatures, ...hidden, outFeatures];
  let n = 0;
  for (let l = 1; l < sizes.length; l++) n += sizes[l - 1] * sizes[l] + sizes[l];
  return n;
}

/**
 * An MLP applied to every window of `window` positions, `stride` apart, of a sequence [N, C, L];
 * ReLU between layers, none after the last. Weights `weights[l]` are [in_l, out_l] with
 * in_0 = window·inChannels (position-major), biases `biases[l]` are [out_l]; registered as
 * `weight0`, `bias0`, `weight1`, ...
 *
 * @example
 * import { explain, randn, Generator } from 'waldo';
 * const mlp = new explain.ScanningMLP(1, 16, 4, [8, 8], 4, new Generator(0));
 * const x = randn([2, 1, 64]);
 * mlp.call(x).shape; // [2, 4·13]: 4 outputs for each of 13 windows, channel-major
 * explain.toConv1d(mlp).call(x); // the same numbers
 */
export class ScanningMLP extends Module {
  readonly weights: Tensor[] = [];
  readonly biases: Tensor[] = [];

  constructor(
    readonly inChannels: number,
    readonly window: number,
    readonly stride: number,
    readonly hidden: readonly number[],
    readonly outFeatures: number,
    generator: Generator = defaultGenerator,
  ) {
    super();
    positiveInteger('ScanningMLP', 'inChannels', inChannels);
    positiveInteger('ScanningMLP', 'window', window);
    positiveInteger('ScanningMLP', 'stride', stride);
    positiveInteger('ScanningMLP', 'outFeatures', outFeatures);
    hidden.forEach((h, i) => positiveInteger('ScanningMLP', `hidden[${i}]`, h));
    const sizes = [window * inChannels, ...hidden, outFeatures];
    for (let l = 1; l < sizes.length; l++) {
      const { weight, bias } = mlpLayer(sizes[l - 1], sizes[l], generator);
      this.weights.push(this.registerParameter(`weight${l - 1}`, weight)!);
      this.biases.push(this.registerParameter(`bias${l - 1}`, bias)!);
    }
  }

  /** Windows along a sequence of length L. */
  numWindows(length: number): number {
    return Math.floor((length - this.window) / this.stride) + 1;
  }

  forward(x: Tensor): Tensor {
    const { h: positions, batched } = positionsOf('ScanningMLP', x, this.inChannels, this.window);
    const [n] = positions.shape;
    const w = windows(positions, this.window, this.stride); // [N, T, window·C]
    const t = w.shape[1];
    let h = w.reshape(n * t, this.window * this.inChannels);
    this.weights.forEach((weight, l) => {
      h = h.matmul(weight).add(this.biases[l]);
      if (l < this.weights.length - 1) h = relu(h);
    });
    return concatenateChannelMajor(h.reshape(n, t, this.outFeatures), batched);
  }

  override describe(inputShape: readonly number[], path: string): LayerShape {
    const l = inputShape[inputShape.length - 1];
    const t = this.numWindows(l);
    if (inputShape[inputShape.length - 2] !== this.inChannels || t < 1) throw new ShapeError(`${path || 'ScanningMLP'}: input ${formatShape(inputShape)} does not fit ${this.inChannels} channels and window ${this.window}`);
    const batch = inputShape.slice(0, -2);
    const macsPerWindow = this.weights.reduce((s, w) => s + w.shape[0] * w.shape[1], 0);
    return { outputShape: [...batch, this.outFeatures * t], macs: batch.reduce((a, b) => a * b, 1) * t * macsPerWindow };
  }

  override extraRepr(): string {
    return `in_channels=${this.inChannels}, window=${this.window}, stride=${this.stride}, hidden=[${this.hidden.join(', ')}], out_features=${this.outFeatures}`;
  }
}

/** One level of a distributed scanning MLP: a shared sub-network over `kernel` adjacent outputs of the level below, `stride` apart. */
export interface DistributedLayerSpec {
  kernel: number;
  stride: number;
  channels: number;
}

/**
 * The geometry of a distributed scanning MLP: `counts[l]` positions at level l inside one window
 * (counts[0] = the window, the last is 1), the window, and the scan stride (the product of all
 * strides; the last layer's stride is the scan stride counted in outputs of the layer below).
 *
 * @example
 * import { explain } from 'waldo';
 * explain.distributedGeometry([{ kernel: 4, stride: 2, channels: 8 }, { kernel: 3, stride: 2, channels: 8 }, { kernel: 3, stride: 1, channels: 4 }]);
 * // { window: 16, stride: 4, counts: [16, 7, 3, 1] }
 */
export function distributedGeometry(layers: readonly DistributedLayerSpec[]): { window: number; stride: number; counts: number[] } {
  if (layers.length === 0) throw new ValueError('DistributedScanningMLP: needs at least one layer');
  layers.forEach((s, i) => {
    positiveInteger('DistributedScanningMLP', `layers[${i}].kernel`, s.kernel);
    positiveInteger('DistributedScanningMLP', `layers[${i}].stride`, s.stride);
    positiveInteger('DistributedScanningMLP', `layers[${i}].channels`, s.channels);
  });
  const counts = new Array<number>(layers.length + 1);
  counts[layers.length] = 1;
  for (let l = layers.length; l >= 1; l--) counts[l - 1] = (counts[l] - 1) * layers[l - 1].stride + layers[l - 1].kernel;
  return { window: counts[0], stride: layers.reduce((p, s) => p * s.stride, 1), counts };
}

/**
 * A scanning MLP built from small shared sub-networks. Inside one window, level l has counts[l]
 * positions; the unit at position q of level l sees positions q·stride_l … q·stride_l + kernel_l − 1
 * of level l−1 (all their channels, flattened position-major) through the shared weight
 * `weights[l]` [kernel_l·channels_{l−1}, channels_l]. The top level has one position: the window's
 * output (channels of the last layer = output features). Windows are `stride = Π stride_l` apart.
 *
 * `forward` computes every window independently, the redundant way an MLP would; `toConv1d`
 * shares the lower levels between overlapping windows.
 *
 * @example
 * import { explain } from 'waldo';
 * // window 16 = 4 + (3−1)·2 + (3−1)·4 over 1 channel, scan stride 2·2·1 = 4
 * new explain.DistributedScanningMLP(1, [{ kernel: 4, stride: 2, channels: 8 }, { kernel: 3, stride: 2, channels: 8 }, { kernel: 3, stride: 1, channels: 4 }]);
 */
export class DistributedScanningMLP extends Module {
  readonly weights: Tensor[] = [];
  readonly biases: Tensor[] = [];
  readonly window: number;
  readonly stride: number;
  /** Positions per level inside one window: counts[0] = window, last = 1. */
  readonly counts: number[];
  readonly layers: readonly DistributedLayerSpec[];

  constructor(readonly inChannels: number, layers: readonly DistributedLayerSpec[], generator: Generator = defaultGenerator) {
    super();
    positiveInteger('DistributedScanningMLP', 'inChannels', inChannels);
    const geometry = distributedGeometry(layers);
    this.layers = layers.map((s) => ({ ...s }));
    this.window = geometry.window;
    this.stride = geometry.stride;
    this.counts = geometry.counts;
    let cin = inChannels;
    layers.forEach((s, l) => {
      const { weight, bias } = mlpLayer(s.kernel * cin, s.channels, generator);
      this.weights.push(this.registerParameter(`weight${l}`, weight)!);
      this.biases.push(this.registerParameter(`bias${l}`, bias)!);
      cin = s.channels;
    });
  }

  get outFeatures(): number {
    return this.layers[this.layers.length - 1].channels;
  }

  numWindows(length: number): number {
    return Math.floor((length - this.window) / this.stride) + 1;
  }

  forward(x: Tensor): Tensor {
    const { h: positions, batched } = positionsOf('DistributedScanningMLP', x, this.inChannels, this.window);
    const [n] = positions.shape;
    const w = windows(positions, this.window, this.stride); // [N, T, window·C]
    const t = w.shape[1];
    // One row per window, its positions and channels as [N·T, window, C].
    let h = w.reshape(n * t, this.window, this.inChannels);
    this.layers.forEach((s, l) => {
      const sub = windows(h, s.kernel, s.stride); // [N·T, counts[l+1], kernel·c]
      const [b, q, f] = sub.shape;
      let out = sub.reshape(b * q, f).matmul(this.weights[l]).add(this.biases[l]);
      if (l < this.layers.length - 1) out = relu(out);
      h = out.reshape(b, q, s.channels);
    });
    return concatenateChannelMajor(h.reshape(n, t, this.outFeatures), batched);
  }

  /**
   * The equivalent simple scanning MLP: level l becomes one dense layer of counts[l]·channels_l
   * units whose weight is zero except where a unit's sub-window sees an input, and there a copy
   * of the shared weight. Same window, stride and outputs; many more parameters.
   */
  toScanningMLP(): ScanningMLP {
    const hidden = this.layers.slice(0, -1).map((s, l) => this.counts[l + 1] * s.channels);
    const simple = new ScanningMLP(this.inChannels, this.window, this.stride, hidden, this.outFeatures, new Generator(0));
    noGrad(() => {
      let cin = this.inChannels;
      this.layers.forEach((s, l) => {
        const pin = this.counts[l];
        const pout = this.counts[l + 1];
        const cout = s.channels;
        const dense = simple.weights[l].data.fill(0);
        const shared = this.weights[l].data;
        const outWidth = pout * cout;
        for (let q = 0; q < pout; q++) {
          for (let j = 0; j < s.kernel; j++) {
            const p = q * s.stride + j;
            for (let c = 0; c < cin; c++) {
              for (let o = 0; o < cout; o++) dense[(p * cin + c) * outWidth + q * cout + o] = shared[(j * cin + c) * cout + o];
            }
          }
          simple.biases[l].data.set(this.biases[l].data, q * cout);
        }
        if (pin * cin !== simple.weights[l].shape[0]) throw new Error('toScanningMLP: internal size mismatch');
        cin = cout;
      });
    });
    return simple;
  }

  override describe(inputShape: readonly number[], path: string): LayerShape {
    const t = this.numWindows(inputShape[inputShape.length - 1]);
    if (inputShape[inputShape.length - 2] !== this.inChannels || t < 1) throw new ShapeError(`${path || 'DistributedScanningMLP'}: input ${formatShape(inputShape)} does not fit ${this.inChannels} channels and window ${this.window}`);
    const batch = inputShape.slice(0, -2);
    const macsPerWindow = this.weights.reduce((s, w, l) => s + this.counts[l + 1] * w.shape[0] * w.shape[1], 0);
    return { outputShape: [...batch, this.outFeatures * t], macs: batch.reduce((a, b) => a * b, 1) * t * macsPerWindow };
  }

  override extraRepr(): string {
    return `in_channels=${this.inChannels}, layers=[${this.layers.map((s) => `(k=${s.kernel}, s=${s.stride}, c=${s.channels})`).join(', ')}], window=${this.window}, stride=${this.stride}`;
  }
}

/**
 * The Conv1d stack that computes the same outputs as a scanning MLP, ending in Flatten():
 * - ScanningMLP: Conv1d(C, h1, window, {stride}) then 1×1 Conv1d layers, ReLU between;
 * - DistributedScanningMLP: Conv1d(c_{l−1}, c_l, kernel_l, {stride: stride_l}) per level.
 * Every weight is copied by `W[o, c, j] = w[j*C + c, o]`.
 *
 * @example
 * import { explain, randn, Generator } from 'waldo';
 * const mlp = new explain.DistributedScanningMLP(1, [{ kernel: 4, stride: 2, channels: 8 }, { kernel: 3, stride: 1, channels: 4 }], new Generator(0));
 * const conv = explain.toConv1d(mlp);
 * const x = randn([1, 1, 40]);
 * mlp.call(x).sub(conv.call(x)).abs().max().item(); // ~1e-7: the same function, computed with shared work
 */
export function toConv1d(mlp: ScanningMLP | DistributedScanningMLP): Sequential {
  const layers: Module[] = [];
  const specs = mlp instanceof ScanningMLP
    ? [{ kernel: mlp.window, stride: mlp.stride }, ...mlp.weights.slice(1).map(() => ({ kernel: 1, stride: 1 }))]
    : mlp.layers.map((s) => ({ kernel: s.kernel, stride: s.stride }));
  let cin = mlp.inChannels;
  specs.forEach((s, l) => {
    const cout = mlp.weights[l].shape[1];
    const conv = new Conv1d(cin, cout, s.kernel, { stride: s.stride, generator: new Generator(0) });
    loadConvFromMlp(conv, mlp.weights[l], mlp.biases[l]);
    layers.push(conv);
    if (l < specs.length - 1) layers.push(new ReLU());
    cin = cout;
  });
  layers.push(new Flatten());
  return new Sequential(...layers);
}

export interface ScanningParameterCounts {
  window: number;
  stride: number;
  /** Parameters of the distributed form (shared sub-networks). */
  distributed: number;
  /** Hidden sizes of the simple MLP with the same units per level: counts[l]·channels_l. */
  simpleHidden: number[];
  /** Parameters of that simple MLP (its first layer sees the whole window). */
  simple: number;
  /** Parameters of the Conv1d conversion of the distributed form (equal to `distributed`). */
  conv: number;
}

/**
 * Parameter counts of a distributed scanning MLP and of the simple scanning MLP with the same
 * window and the same units at every level, which computes the same functions (and more).
 *
 * @example
 * import { explain } from 'waldo';
 * explain.parameterCounts(1, [{ kernel: 4, stride: 2, channels: 8 }, { kernel: 3, stride: 2, channels: 8 }, { kernel: 3, stride: 1, channels: 4 }]);
 * // { window: 16, stride: 4, distributed: 340, simpleHidden: [56, 24], simple: 2420, conv: 340 }
 */
export function parameterCounts(inChannels: number, layers: readonly DistributedLayerSpec[]): ScanningParameterCounts {
  const { window, stride, counts } = distributedGeometry(layers);
  let distributed = 0;
  let cin = inChannels;
  for (const s of layers) {
    distributed += s.kernel * cin * s.channels + s.channels;
    cin = s.channels;
  }
  const simpleHidden = layers.slice(0, -1).map((s, l) => counts[l + 1] * s.channels);
  const simple = mlpParameterCount(window * inChannels, simpleHidden, layers[layers.length - 1].channels);
  return { window, stride, distributed, simpleHidden, simple, conv: distributed };
}
