/**
 * ONNX import: a model exported by PyTorch (or by waldo's exportOnnx) becomes an nn.Module that
 * runs the graph with waldo's ops, so it can be evaluated, summarised, saved as safetensors and
 * fine-tuned. Nodes with weights become waldo layers (Conv → Conv2d, Gemm → Linear,
 * BatchNormalization → BatchNorm2d, …) named after PyTorch's module path, so the state dict of an
 * imported torch model has the torch names (`features.0.weight`); other float initializers become
 * trainable parameters of the graph module.
 *
 * @example
 * import { io, models, zeros } from 'waldo';
 * import { readFileSync, writeFileSync } from 'node:fs';
 * writeFileSync('lenet5.onnx', io.exportOnnx(models.lenet5(), [1, 1, 28, 28])); // or from torch.onnx.export
 * const model = io.importOnnx(readFileSync('lenet5.onnx'), 'lenet5.onnx');
 * model.call(zeros([1, 1, 28, 28])); // the same logits as the exported model
 */
import { record } from '../../autograd/node.js';
import { FormatError } from '../../errors.js';
import { GELU, LeakyReLU, ReLU, Sigmoid, Tanh } from '../../nn/activation.js';
import { BatchNorm2d } from '../../nn/batchNorm.js';
import { Conv1d, Conv2d, ConvTranspose2d } from '../../nn/conv.js';
import { Dropout } from '../../nn/dropout.js';
import { Flatten } from '../../nn/flatten.js';
import { Linear } from '../../nn/linear.js';
import { Module } from '../../nn/module.js';
import { AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d } from '../../nn/pooling.js';
import { erf } from '../../ops/activation.js';
import { batchNorm } from '../../ops/norm.js';
import { type PadMode, pad } from '../../ops/pad.js';
import { matmul } from '../../tensor/matmul.js';
import { sizeOf } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { cat, permute, reshape, squeeze, unsqueeze } from '../../tensor/views.js';
import { type AttributeProto, DataType, type GraphProto, type NodeProto, type TensorProto, decodeModel } from './proto.js';

/**
 * The ai.onnx operators importOnnx understands.
 *
 * @example
 * import { io } from 'waldo';
 * io.importableOps.includes('Conv'); // true
 */
export const importableOps = [
  'Add', 'AveragePool', 'BatchNormalization', 'Concat', 'Constant', 'Conv', 'ConvTranspose', 'Div', 'Dropout', 'Erf', 'Flatten', 'Gemm',
  'GlobalAveragePool', 'Identity', 'LeakyRelu', 'MatMul', 'MaxPool', 'Mul', 'Pad', 'Relu', 'Reshape', 'Sigmoid', 'Squeeze', 'Sub', 'Tanh',
  'Transpose', 'Unsqueeze',
];

/** A constant operand: floats as a tensor, integers (shapes, axes, pads) as plain numbers. */
type Constant = { kind: 'float'; tensor: Tensor } | { kind: 'int'; dims: number[]; values: number[] };

/** One node to run: reads values by name, writes one. */
interface Step {
  node: string;
  inputs: string[];
  output: string;
  run(args: Tensor[]): Tensor;
}

/**
 * Runs an imported ONNX graph. Layers made from weighted nodes are children (named after the
 * source model's module paths); remaining float initializers are parameters; constants are fixed.
 *
 * @example
 * import { io, models } from 'waldo';
 * const model: io.OnnxGraphModule = io.importOnnx(io.exportOnnx(models.lenet5(), [1, 1, 28, 28]));
 * model.train(); // fine-tune it like any module
 * model.parameters().length; // 10
 */
export class OnnxGraphModule extends Module {
  /** @internal */
  readonly steps: Step[] = [];
  /** @internal */
  readonly values = new Map<string, Tensor>();
  /** Names of the graph inputs, in the order forward() takes them. */
  inputNames: string[] = [];
  outputName = '';

  addLayer<M extends Module>(name: string, layer: M): M {
    return this.registerModule(name, layer);
  }

  addParameter(name: string, tensor: Tensor): Tensor {
    return this.registerParameter(name, tensor)!;
  }

  forward(...inputs: Tensor[]): Tensor {
    if (inputs.length !== this.inputNames.length) {
      throw new FormatError('OnnxGraphModule', `the graph takes ${this.inputNames.length} input(s) (${this.inputNames.join(', ')}), got ${inputs.length}`);
    }
    const env = new Map(this.values);
    this.inputNames.forEach((name, i) => env.set(name, inputs[i]));
    for (const step of this.steps) env.set(step.output, step.run(step.inputs.map((name) => env.get(name)!)));
    return env.get(this.outputName)!;
  }
}

/** erf with its gradient 2/√π·e^(−x²) (ONNX's Erf; GELU subgraphs are turned into GELU layers first). */
function erfTensor(x: Tensor): Tensor {
  const out = new Float32Array(x.numel());
  for (let i = 0; i < out.length; i++) out[i] = erf(x.data[i]);
  return record(new Tensor(out, x.shape), 'erf', [x], (g) => [g.mul(x.mul(x).neg().exp().mul(2 / Math.sqrt(Math.PI)))]);
}


const decoder = new TextDecoder();

function attributes(node: NodeProto): Map<string, AttributeProto> {
  return new Map((node.attribute ?? []).map((a) => [a.name, a]));
}

/**
 * Builds a Module from ONNX bytes (opset 11–21 graphs with the operators in `importableOps`). The
 * module is returned in evaluation mode, like a deployed model; call train() to fine-tune it.
 * Malformed bytes, unsupported operators or attributes raise a FormatError naming the file.
 *
 * @example
 * import { io, models, zeros } from 'waldo';
 * const bytes = io.exportOnnx(models.lenet5(), [1, 1, 28, 28]); // or readFileSync('model.onnx') from torch.onnx.export
 * const model = io.importOnnx(bytes, 'lenet5.onnx');
 * model.call(zeros([1, 1, 28, 28])).shape; // [1, 10]
 */
export function importOnnx(bytes: Uint8Array, fileName = 'model.onnx'): OnnxGraphModule {
  const model = decodeModel(bytes, fileName);
  const graph = model.graph as GraphProto;
  const fail = (problem: string): never => {
    throw new FormatError(fileName, problem);
  };
  const nodeLabel = (node: NodeProto, index: number) => node.name || node.output[0] || `#${index}`;
  graph.node.forEach((node, i) => {
    const domain = node.domain ?? '';
    if ((domain !== '' && domain !== 'ai.onnx') || !importableOps.includes(node.op_type)) {
      fail(`node '${nodeLabel(node, i)}' uses op '${domain === '' || domain === 'ai.onnx' ? '' : domain + '.'}${node.op_type}', which waldo cannot import; supported: ${importableOps.join(', ')}`);
    }
  });

  // Constants: initializers and Constant nodes.
  const constants = new Map<string, Constant>();
  const initializerNames = new Set<string>();
  for (const t of graph.initializer) {
    constants.set(t.name ?? '', decodeTensor(t, `initializer '${t.name}'`, fail));
    initializerNames.add(t.name ?? '');
  }
  const nodes = sortNodes(graph, constants, fail);

  const module = new OnnxGraphModule();
  const used = new Set<string>();
  const uniqueName = (base: string): string => {
    let name = base.replace(/[^A-Za-z0-9_.]/g, '_').replace(/^\.+|\.+$/g, '') || 'layer';
    if (used.has(name)) {
      let k = 1;
      while (used.has(`${name}_${k}`)) k++;
      name = `${name}_${k}`;
    }
    used.add(name);
    return name;
  };
  /** Float initializers not absorbed into a layer become parameters, registered on first use. */
  const parameterFor = (name: string): void => {
    if (module.values.has(name)) return;
    const c = constants.get(name);
    if (c === undefined) return;
    if (c.kind === 'float') {
      const t = new Tensor(c.tensor.data.slice(), c.tensor.shape);
      module.values.set(name, initializerNames.has(name) ? module.addParameter(uniqueName(name), t) : t);
    } else {
      module.values.set(name, new Tensor(Float32Array.from(c.values), c.dims));
    }
  };

  const gelus = findGelus(graph, constants);
  const folded = new Set([...gelus.values()].flatMap((g) => g.nodes));

  for (const { node, index } of nodes) {
    if (folded.has(node)) continue;
    const label = nodeLabel(node, index);
    const attrs = attributes(node);
    const int = (name: string, fallback: number) => attrs.get(name)?.i ?? fallback;
    const float = (name: string, fallback: number) => attrs.get(name)?.f ?? fallback;
    const intList = (name: string): number[] | undefined => attrs.get(name)?.ints;
    const str = (name: string, fallback: string) => {
      const s = attrs.get(name)?.s;
      return s === undefined ? fallback : decoder.decode(s);
    };
    const inputs = node.input;
    const present = (i: number) => inputs[i] !== undefined && inputs[i] !== '';
    const constFloat = (i: number, what: string): Tensor => {
      const c = constants.get(inputs[i]);
      if (c?.kind !== 'float') return fail(`node '${label}' (${node.op_type}): ${what} '${inputs[i]}' must be a float initializer`);
      return c.tensor;
    };
    const constInts = (i: number, what: string): number[] => {
      const c = constants.get(inputs[i]);
      if (c === undefined) return fail(`node '${label}' (${node.op_type}): ${what} '${inputs[i]}' must be a constant (an initializer or a Constant node)`);
      return c.kind === 'int' ? c.values : Array.from(c.tensor.data);
    };
    const output = node.output[0];
    const path = modulePath(node);
    const step = (run: (args: Tensor[]) => Tensor, stepInputs = [inputs[0]]) => {
      for (const name of stepInputs) parameterFor(name);
      module.steps.push({ node: label, inputs: stepInputs, output, run });
    };
    const layerStep = (layer: Module, before?: (x: Tensor) => Tensor) => {
      const child = module.addLayer(uniqueName(path || node.op_type.toLowerCase()), layer);
      step(before === undefined ? (a) => child.call(a[0]) : (a) => child.call(before(a[0])));
    };
    const noAutoPad = () => {
      const autoPad = str('auto_pad', 'NOTSET');
      if (autoPad !== 'NOTSET' && autoPad !== 'VALID') fail(`node '${label}' (${node.op_type}): auto_pad '${autoPad}' is not supported; re-export with explicit pads`);
    };
    const symmetric = (pads: number[] | undefined, dims: number, what: string): number[] => {
      const p = pads ?? new Array<number>(2 * dims).fill(0);
      const begin = p.slice(0, dims);
      const end = p.slice(dims);
      if (begin.some((b, i) => b !== end[i])) fail(`node '${label}' (${node.op_type}): asymmetric pads [${p.join(', ')}] are not supported for ${what}`);
      return begin;
    };

    switch (node.op_type) {
      case 'Constant': {
        const a = node.attribute?.[0];
        if (a === undefined) return fail(`node '${label}' (Constant) has no value`);
        const value: Constant | undefined = a.name === 'value' && a.t !== undefined ? decodeTensor(a.t, `node '${label}'`, fail)
          : a.name === 'value_float' ? { kind: 'float', tensor: new Tensor(Float32Array.of(a.f ?? 0), []) }
          : a.name === 'value_floats' ? { kind: 'float', tensor: new Tensor(Float32Array.from(a.floats ?? []), [a.floats?.length ?? 0]) }
          : a.name === 'value_int' ? { kind: 'int', dims: [], values: [a.i ?? 0] }
          : a.name === 'value_ints' ? { kind: 'int', dims: [a.ints?.length ?? 0], values: a.ints ?? [] }
          : undefined;
        if (value === undefined) return fail(`node '${label}' (Constant): attribute '${a.name}' is not supported`);
        constants.set(output, value);
        break;
      }
      case 'Conv': {
        noAutoPad();
        const w = constFloat(1, 'the weight');
        const dims = w.ndim - 2;
        if (dims !== 1 && dims !== 2) return fail(`node '${label}' (Conv): only 1-D and 2-D convolutions are supported, the weight has shape [${w.shape.join(', ')}]`);
        const bias = present(2) ? constFloat(2, 'the bias') : null;
        const groups = int('group', 1);
        const pads = intList('pads') ?? new Array<number>(2 * dims).fill(0);
        const begin = pads.slice(0, dims);
        const end = pads.slice(dims);
        const sym = begin.every((b, i) => b === end[i]);
        const options = { stride: intList('strides') ?? 1, dilation: intList('dilations') ?? 1, groups, bias: bias !== null, padding: sym ? begin : 0 };
        const Cls = dims === 1 ? Conv1d : Conv2d;
        const layer = new Cls(w.shape[1] * groups, w.shape[0], w.shape.slice(2), options);
        layer.weight.data.set(w.data);
        if (bias !== null) layer.bias!.data.set(bias.data);
        // Asymmetric zero padding (from 'same' with an even kernel) is applied before the layer.
        const padPairs = begin.map((b, i) => [b, end[i]]).reverse().flat();
        layerStep(layer, sym ? undefined : (x) => pad(x, padPairs));
        break;
      }
      case 'ConvTranspose': {
        noAutoPad();
        if (attrs.has('output_shape')) return fail(`node '${label}' (ConvTranspose): attribute output_shape is not supported; re-export with pads and output_padding`);
        const w = constFloat(1, 'the weight');
        if (w.ndim !== 4) return fail(`node '${label}' (ConvTranspose): only 2-D transposed convolutions are supported`);
        const bias = present(2) ? constFloat(2, 'the bias') : null;
        const groups = int('group', 1);
        const layer = new ConvTranspose2d(w.shape[0], w.shape[1] * groups, w.shape.slice(2), {
          stride: intList('strides') ?? 1, padding: symmetric(intList('pads'), 2, 'ConvTranspose'), outputPadding: intList('output_padding') ?? 0,
          dilation: intList('dilations') ?? 1, groups, bias: bias !== null,
        });
        layer.weight.data.set(w.data);
        if (bias !== null) layer.bias!.data.set(bias.data);
        layerStep(layer);
        break;
      }
      case 'Gemm': {
        if (int('transA', 0) !== 0) return fail(`node '${label}' (Gemm): transA=1 is not supported`);
        let w = constFloat(1, 'B');
        if (w.ndim !== 2) return fail(`node '${label}' (Gemm): B must be 2-D`);
        if (int('transB', 0) === 0) w = permute(w, [1, 0]);
        const alpha = float('alpha', 1);
        const beta = float('beta', 1);
        const c = present(2) ? constFloat(2, 'C') : null;
        const [out, inFeatures] = w.shape;
        if (c !== null && c.numel() !== out && c.numel() !== 1) return fail(`node '${label}' (Gemm): C of shape [${c.shape.join(', ')}] is not a per-output bias`);
        const layer = new Linear(inFeatures, out, { bias: c !== null });
        layer.weight.data.set(alpha === 1 ? w.data : w.data.map((v) => v * alpha));
        if (c !== null) layer.bias!.data.set(c.numel() === 1 ? new Float32Array(out).fill(c.data[0] * beta) : c.data.map((v) => v * beta));
        layerStep(layer);
        break;
      }
      case 'BatchNormalization': {
        if (node.output.length > 1 && node.output.slice(1).some((o) => o !== '')) return fail(`node '${label}' (BatchNormalization): training-mode outputs are not supported`);
        const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => constFloat(i, ['scale', 'B', 'mean', 'var'][i - 1]));
        const eps = float('epsilon', 1e-5);
        const layer = new BatchNorm2d(scale.numel(), { eps: Number(eps.toPrecision(7)) });
        layer.weight!.data.set(scale.data);
        layer.bias!.data.set(bias.data);
        layer.runningMean!.data.set(mean.data);
        layer.runningVar!.data.set(variance.data);
        const child = module.addLayer(uniqueName(path || 'batchnorm'), layer);
        // BatchNorm2d checks for 4-D input; other ranks use the same tensors through the functional form.
        step(([x]) => (x.ndim === 4 ? child.call(x) : batchNorm(x, layer.runningMean, layer.runningVar, layer.weight, layer.bias, { training: child.training, eps })));
        break;
      }
      case 'Relu': layerStep(new ReLU()); break;
      case 'LeakyRelu': layerStep(new LeakyReLU(float('alpha', 0.01))); break;
      case 'Sigmoid': layerStep(new Sigmoid()); break;
      case 'Tanh': layerStep(new Tanh()); break;
      case 'Identity': step(([x]) => x); break;
      case 'Dropout': layerStep(new Dropout(present(1) ? constInts(1, 'ratio')[0] : float('ratio', 0.5))); break;
      case 'MaxPool':
      case 'AveragePool': {
        noAutoPad();
        const kernel = intList('kernel_shape') ?? fail(`node '${label}' (${node.op_type}) has no kernel_shape`);
        const dims = kernel.length;
        if (dims !== 1 && dims !== 2) return fail(`node '${label}' (${node.op_type}): only 1-D and 2-D pooling is supported`);
        const options = {
          stride: intList('strides') ?? 1, padding: symmetric(intList('pads'), dims, node.op_type), ceilMode: int('ceil_mode', 0) === 1,
          dilation: intList('dilations') ?? 1, countIncludePad: int('count_include_pad', 0) === 1,
        };
        if (node.op_type === 'MaxPool') {
          if (node.output.length > 1 && node.output[1] !== '') return fail(`node '${label}' (MaxPool): the Indices output is not supported`);
          layerStep(dims === 1 ? new MaxPool1d(kernel, options) : new MaxPool2d(kernel, options));
        } else {
          const { dilation, ...avg } = options;
          if (dilation !== 1 && (dilation as number[]).some((d) => d !== 1)) return fail(`node '${label}' (AveragePool): dilations are not supported`);
          layerStep(dims === 1 ? new AvgPool1d(kernel, avg) : new AvgPool2d(kernel, avg));
        }
        break;
      }
      case 'GlobalAveragePool': {
        const layer = module.addLayer(uniqueName(path || 'pool'), new AdaptiveAvgPool2d(1));
        step(([x]) => (x.ndim === 4 ? layer.call(x) : x.mean(Array.from({ length: x.ndim - 2 }, (_, i) => i + 2), true)));
        break;
      }
      case 'Flatten': {
        const axis = int('axis', 1);
        if (axis === 1) layerStep(new Flatten(1, -1));
        else step(([x]) => {
          const a = axis < 0 ? axis + x.ndim : axis;
          return reshape(x, [sizeOf(x.shape.slice(0, a)), sizeOf(x.shape.slice(a))]);
        });
        break;
      }
      case 'Reshape': {
        const target = constInts(1, 'the shape');
        const allowZero = int('allowzero', 0) === 1;
        step(([x]) => reshape(x, target.map((d, i) => (d === 0 && !allowZero ? x.shape[i] : d))));
        break;
      }
      case 'Transpose': {
        const perm = intList('perm');
        step(([x]) => permute(x, perm ?? x.shape.map((_, i) => x.ndim - 1 - i)));
        break;
      }
      case 'Unsqueeze':
      case 'Squeeze': {
        const axes = present(1) ? constInts(1, 'axes') : intList('axes');
        if (node.op_type === 'Unsqueeze') {
          if (axes === undefined) return fail(`node '${label}' (Unsqueeze) has no axes`);
          step(([x]) => {
            const rank = x.ndim + axes.length;
            return [...axes].map((a) => (a < 0 ? a + rank : a)).sort((p, q) => p - q).reduce((t, a) => unsqueeze(t, a), x);
          });
        } else {
          step(([x]) => (axes === undefined ? reshape(x, x.shape.filter((d) => d !== 1)) : [...axes].map((a) => (a < 0 ? a + x.ndim : a)).sort((p, q) => q - p).reduce((t, a) => squeeze(t, a), x)));
        }
        break;
      }
      case 'Pad': {
        const mode = str('mode', 'constant');
        const modes: Record<string, PadMode> = { constant: 'constant', reflect: 'reflect', edge: 'replicate', wrap: 'circular' };
        if (modes[mode] === undefined) return fail(`node '${label}' (Pad): mode '${mode}' is not supported`);
        if (present(3)) return fail(`node '${label}' (Pad): the axes input is not supported`);
        const pads = present(1) ? constInts(1, 'pads') : intList('pads') ?? fail(`node '${label}' (Pad) has no pads`);
        const value = present(2) ? constInts(2, 'constant_value')[0] : float('value', 0);
        const rank = pads.length / 2;
        // ONNX lists all begins then all ends from the first axis; waldo takes [before, after] pairs from the last.
        const pairs: number[] = [];
        for (let d = rank - 1; d >= 0; d--) pairs.push(pads[d], pads[d + rank]);
        while (pairs.length > 2 && pairs[pairs.length - 1] === 0 && pairs[pairs.length - 2] === 0) pairs.splice(-2);
        step(([x]) => pad(x, pairs, modes[mode], value));
        break;
      }
      case 'Erf': {
        const gelu = gelus.get(node);
        if (gelu !== undefined) {
          // Div(x, √2) → Erf → Add(1) → Mul(x) → Mul(0.5): one GELU layer from x to the last Mul.
          const layer = module.addLayer(uniqueName(path || 'gelu'), new GELU());
          parameterFor(gelu.input);
          module.steps.push({ node: label, inputs: [gelu.input], output: gelu.output, run: ([x]) => layer.call(x) });
        } else {
          step(([x]) => erfTensor(x));
        }
        break;
      }
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div':
      case 'MatMul': {
        const op = node.op_type;
        const fn = op === 'Add' ? (a: Tensor, b: Tensor) => a.add(b) : op === 'Sub' ? (a: Tensor, b: Tensor) => a.sub(b)
          : op === 'Mul' ? (a: Tensor, b: Tensor) => a.mul(b) : op === 'Div' ? (a: Tensor, b: Tensor) => a.div(b) : matmul;
        step(([a, b]) => fn(a, b), [inputs[0], inputs[1]]);
        break;
      }
      case 'Concat': {
        const axis = attrs.get('axis')?.i ?? fail(`node '${label}' (Concat) has no axis`);
        step((args) => cat(args, axis < 0 ? axis + args[0].ndim : axis), [...inputs]);
        break;
      }
      default:
        fail(`node '${label}' uses op '${node.op_type}', which waldo cannot import; supported: ${importableOps.join(', ')}`);
    }
  }

  const realInputs = graph.input.filter((v) => !initializerNames.has(v.name));
  if (realInputs.length === 0) fail('the graph has no input');
  if (graph.output.length !== 1) fail(`the graph has ${graph.output.length} outputs; waldo imports single-output models`);
  module.inputNames = realInputs.map((v) => v.name);
  module.outputName = graph.output[0].name;
  parameterFor(module.outputName);
  return module.eval();
}

/** The GELU subgraphs PyTorch (and exportOnnx) write, keyed by their Erf node. */
interface GeluMatch { input: string; output: string; nodes: NodeProto[] }

function findGelus(graph: GraphProto, constants: Map<string, Constant>): Map<NodeProto, GeluMatch> {
  const producers = new Map<string, NodeProto>();
  const consumers = new Map<string, NodeProto[]>();
  for (const n of graph.node) {
    for (const o of n.output) producers.set(o, n);
    for (const i of n.input) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  }
  const outputs = new Set(graph.output.map((o) => o.name));
  const scalar = (name: string | undefined): number | null => {
    const c = name === undefined ? undefined : constants.get(name) ?? constantNodeValue(producers.get(name));
    if (c === undefined || c.kind !== 'float' || c.tensor.numel() !== 1) return null;
    return c.tensor.data[0];
  };
  /** The only consumer of a value that is not a graph output. */
  const only = (value: string, op: string): NodeProto | null => {
    const list = consumers.get(value) ?? [];
    return list.length === 1 && list[0].op_type === op && !outputs.has(value) ? list[0] : null;
  };
  /** The other operand of a binary node. */
  const other = (n: NodeProto, value: string) => (n.input[0] === value ? n.input[1] : n.input[0]);
  const close = (v: number | null, target: number) => v !== null && Math.abs(v - target) < 1e-6 * Math.max(1, target);
  const found = new Map<NodeProto, GeluMatch>();
  for (const erfNode of graph.node) {
    if (erfNode.op_type !== 'Erf') continue;
    const div = producers.get(erfNode.input[0]);
    if (div === undefined || div.op_type !== 'Div' || !close(scalar(div.input[1]), Math.SQRT2) || only(div.output[0], 'Erf') !== erfNode) continue;
    const x = div.input[0];
    const add = only(erfNode.output[0], 'Add');
    if (add === null || !close(scalar(other(add, erfNode.output[0])), 1)) continue;
    const mulX = only(add.output[0], 'Mul');
    if (mulX === null || other(mulX, add.output[0]) !== x) continue;
    const half = only(mulX.output[0], 'Mul');
    if (half === null || !close(scalar(other(half, mulX.output[0])), 0.5)) continue;
    found.set(erfNode, { input: x, output: half.output[0], nodes: [div, add, mulX, half] });
  }
  return found;
}

function constantNodeValue(node: NodeProto | undefined): Constant | undefined {
  if (node?.op_type !== 'Constant') return undefined;
  const a = node.attribute?.[0];
  if (a?.name === 'value' && a.t !== undefined) {
    try {
      return decodeTensor(a.t, '', (p) => { throw new Error(p); });
    } catch {
      return undefined;
    }
  }
  if (a?.name === 'value_float') return { kind: 'float', tensor: new Tensor(Float32Array.of(a.f ?? 0), []) };
  return undefined;
}

/** An initializer or Constant tensor: float types as a float32 tensor, integer types as numbers. */
function decodeTensor(t: TensorProto, what: string, fail: (problem: string) => never): Constant {
  const dims = (t.dims ?? []).map(Number);
  const n = sizeOf(dims);
  const raw = t.raw_data !== undefined && t.raw_data.length > 0 ? new Uint8Array(t.raw_data) : null;
  const type = t.data_type ?? 0;
  const check = (length: number) => {
    if (length !== n) fail(`${what} has shape [${dims.join(', ')}] (${n} values) but holds ${length}`);
  };
  if (type === DataType.FLOAT || type === DataType.DOUBLE) {
    let data: Float32Array;
    if (raw !== null) data = type === DataType.FLOAT ? new Float32Array(raw.buffer, 0, raw.byteLength >> 2) : Float32Array.from(new Float64Array(raw.buffer, 0, raw.byteLength >> 3));
    else data = Float32Array.from((type === DataType.FLOAT ? t.float_data : t.double_data) ?? []);
    check(data.length);
    return { kind: 'float', tensor: new Tensor(data, dims) };
  }
  if (type === DataType.INT64 || type === DataType.INT32) {
    let values: number[];
    if (raw !== null) values = type === DataType.INT64 ? Array.from(new BigInt64Array(raw.buffer, 0, raw.byteLength >> 3), Number) : Array.from(new Int32Array(raw.buffer, 0, raw.byteLength >> 2));
    else values = ((type === DataType.INT64 ? t.int64_data : t.int32_data) ?? []).map(Number);
    check(values.length);
    return { kind: 'int', dims, values };
  }
  return fail(`${what} has data type ${type}; waldo imports float, double, int32 and int64 tensors`);
}

/** Nodes in an order where every input is produced first (Kahn's algorithm, stable). */
function sortNodes(graph: GraphProto, constants: Map<string, Constant>, fail: (problem: string) => never): { node: NodeProto; index: number }[] {
  const available = new Set<string>(['', ...graph.input.map((v) => v.name), ...constants.keys()]);
  const pending = graph.node.map((node, index) => ({ node, index }));
  const order: { node: NodeProto; index: number }[] = [];
  while (pending.length > 0) {
    const ready = pending.findIndex(({ node }) => node.input.every((i) => available.has(i)));
    if (ready < 0) {
      const { node, index } = pending[0];
      const missing = node.input.find((i) => !available.has(i));
      return fail(`node '${node.name || `#${index}`}' reads '${missing}', which no node, input or initializer produces (or the graph has a cycle)`);
    }
    const [item] = pending.splice(ready, 1);
    for (const o of item.node.output) available.add(o);
    order.push(item);
  }
  return order;
}

/**
 * The module path of a node from PyTorch's scoped node names: '/features/features.0/Conv' →
 * 'features.0', '/block/conv1/Conv' → 'block.conv1'; '' when the node has no scope.
 */
function modulePath(node: NodeProto): string {
  // A weight named by its state-dict key names the layer best.
  const weight = node.input[1];
  if (['Conv', 'ConvTranspose', 'Gemm', 'BatchNormalization'].includes(node.op_type) && weight?.endsWith('.weight')) return weight.slice(0, -'.weight'.length);
  const segments = (node.name ?? '').split('/').filter((s) => s !== '');
  if (segments.length < 2) return '';
  let path = '';
  for (const seg of segments.slice(0, -1)) path = path !== '' && !seg.startsWith(path + '.') ? `${path}.${seg}` : seg;
  return path;
}
