/**
 * ONNX export of models built from waldo's layers (nested Sequential containers of the built-in
 * layers), for ONNX Runtime and other ONNX consumers. Every layer becomes standard ONNX operators
 * of the chosen opset (default 13); weights become initializers named by their state-dict keys
 * (`features.0.weight`), the graph input is "input" with a dynamic batch dimension ("batch") and
 * the graph output is "output".
 *
 * @example
 * import { io, models } from 'waldo';
 * import { writeFileSync } from 'node:fs';
 * const bytes = io.exportOnnx(models.lenet5(), [1, 1, 28, 28]);
 * writeFileSync('lenet5.onnx', bytes);
 */
import { ValueError } from '../../errors.js';
import { Conv1d, Conv2d, ConvTranspose2d } from '../../nn/conv.js';
import { GELU, Identity, LeakyReLU, ReLU, Sigmoid, Tanh } from '../../nn/activation.js';
import { BatchNorm1d, BatchNorm2d } from '../../nn/batchNorm.js';
import { Dropout } from '../../nn/dropout.js';
import { Flatten } from '../../nn/flatten.js';
import { Linear } from '../../nn/linear.js';
import { Module } from '../../nn/module.js';
import { AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d } from '../../nn/pooling.js';
import { Sequential } from '../../nn/sequential.js';
import { samePadding } from '../../ops/convGeometry.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type AttributeProto, AttributeType, DataType, type NodeProto, type TensorProto, type ValueInfoProto, encodeModel, rawBytes } from './proto.js';

export interface OnnxExportOptions {
  /** The ai.onnx opset (default 13; 19 and later also export circular padding, as Pad mode 'wrap'). */
  opset?: number;
  /** Make dimension 0 of the input and output symbolic ("batch"), the default; false fixes it to inputShape[0]. */
  dynamicBatch?: boolean;
  /** The graph's name (default "waldo"). */
  graphName?: string;
}

/**
 * The layers exportOnnx knows, for error messages.
 *
 * @example
 * import { io } from 'waldo';
 * io.exportableLayers.includes('Conv2d'); // true
 */
export const exportableLayers = [
  'Sequential', 'Conv1d', 'Conv2d', 'ConvTranspose2d', 'Linear', 'ReLU', 'LeakyReLU', 'Sigmoid', 'Tanh', 'GELU', 'Identity',
  'MaxPool1d', 'MaxPool2d', 'AvgPool1d', 'AvgPool2d', 'AdaptiveAvgPool2d', 'BatchNorm1d', 'BatchNorm2d', 'Dropout', 'Flatten',
];

const MIN_OPSET = 13;

const ints = (name: string, values: readonly number[]): AttributeProto => ({ name, type: AttributeType.INTS, ints: [...values] });
const int = (name: string, value: number): AttributeProto => ({ name, type: AttributeType.INT, i: value });
const float = (name: string, value: number): AttributeProto => ({ name, type: AttributeType.FLOAT, f: value });
const string = (name: string, value: string): AttributeProto => ({ name, type: AttributeType.STRING, s: new TextEncoder().encode(value) });

function floatTensor(name: string, t: Tensor | { data: ArrayLike<number>; shape: readonly number[] }): TensorProto {
  const data = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
  return { name, dims: [...t.shape], data_type: DataType.FLOAT, raw_data: rawBytes(data) };
}

function int64Tensor(name: string, values: readonly number[]): TensorProto {
  return { name, dims: [values.length], data_type: DataType.INT64, raw_data: rawBytes(BigInt64Array.from(values, (v) => BigInt(v))) };
}

/** Builds the graph while walking the model. */
class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly initializerNames = new Set<string>();
  private counter = 0;

  constructor(readonly opset: number) {}

  /** Adds a node and returns its (single) output name. */
  node(path: string, op: string, inputs: string[], attributes: AttributeProto[] = []): string {
    const base = path === '' ? op : `/${path}/${op}`;
    const name = this.nodes.some((n) => n.name === base) ? `${base}_${++this.counter}` : base;
    const output = `${name}_output_0`;
    this.nodes.push({ name, op_type: op, input: inputs, output: [output], attribute: attributes });
    return output;
  }

  initializer(tensor: TensorProto): string {
    const name = tensor.name!;
    if (!this.initializerNames.has(name)) {
      this.initializerNames.add(name);
      this.initializers.push(tensor);
    }
    return name;
  }

  /** A float scalar constant shared by every node that needs it. */
  scalar(name: string, value: number): string {
    return this.initializer(floatTensor(name, { data: [value], shape: [] }));
  }
}

/**
 * Serialises a model as an ONNX ModelProto (ir_version 7 for opset 13–18, 9 from opset 19).
 * `inputShape` is the full input shape including the batch dimension, e.g. [1, 1, 28, 28]; it is
 * used to check the model and to record the input and output shapes. The model is exported as in
 * evaluation mode (batch norm on its running statistics, dropout off) whatever its training flag.
 * A module other than Sequential and waldo's layers raises a ValueError naming its path.
 *
 * @example
 * import { io, models } from 'waldo';
 * const bytes = io.exportOnnx(models.lenet5(), [1, 1, 28, 28]); // e.g. for writeFileSync('lenet5.onnx', bytes)
 */
export function exportOnnx(model: Module, inputShape: number[], options: OnnxExportOptions = {}): Uint8Array {
  const opset = options.opset ?? MIN_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET) throw new ValueError(`exportOnnx: opset must be an integer ≥ ${MIN_OPSET}, got ${opset}`);
  if (!Array.isArray(inputShape) || inputShape.length < 2 || inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new ValueError(`exportOnnx: inputShape must list at least two positive integers including the batch dimension, like [1, 1, 28, 28]; got ${JSON.stringify(inputShape)}`);
  }
  if (!(model instanceof Module)) throw new ValueError('exportOnnx: the model is not a waldo Module');
  const dynamicBatch = options.dynamicBatch ?? true;
  const graph = new GraphBuilder(opset);
  const names = new Map<Tensor, string>();
  for (const [key, t] of model.stateDict()) names.set(t, key);
  const paramName = (t: Tensor, path: string, field: string): string => {
    const name = names.get(t) ?? (path === '' ? field : `${path}.${field}`);
    return graph.initializer(floatTensor(name, t));
  };

  const result = emit(model, '', 'input', [...inputShape], graph, paramName);
  let output = result.name;
  if (output === 'input') output = graph.node('', 'Identity', ['input']);
  // The last node writes the graph output directly.
  for (const n of graph.nodes) {
    n.output = n.output.map((o) => (o === output ? 'output' : o));
    n.input = n.input.map((i) => (i === output ? 'output' : i));
  }

  const valueInfo = (name: string, shape: number[]): ValueInfoProto => ({
    name,
    type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim: shape.map((d, i) => (i === 0 && dynamicBatch ? { dim_param: 'batch' } : { dim_value: d })) } } },
  });
  return encodeModel({
    ir_version: opset >= 19 ? 9 : 7,
    opset_import: [{ domain: '', version: opset }],
    producer_name: 'waldo',
    producer_version: '0.1.0',
    graph: {
      name: options.graphName ?? 'waldo',
      node: graph.nodes,
      initializer: graph.initializers,
      input: [valueInfo('input', inputShape)],
      output: [valueInfo('output', result.shape)],
    },
  });
}

type ParamName = (t: Tensor, path: string, field: string) => string;

function emit(module: Module, path: string, input: string, shape: number[], g: GraphBuilder, param: ParamName): { name: string; shape: number[] } {
  const label = `${path === '' ? 'the model' : path} (${module.constructor.name})`;
  if (module instanceof Sequential) {
    let current = { name: input, shape };
    for (const [name, child] of module.namedChildren()) current = emit(child, path === '' ? name : `${path}.${name}`, current.name, current.shape, g, param);
    return current;
  }
  if (!isExportable(module)) {
    throw new ValueError(`exportOnnx: ${label} is not a layer waldo can export to ONNX; build the model from nested Sequential containers of ${exportableLayers.filter((l) => l !== 'Sequential').join(', ')}`);
  }
  const outShape = module.describe(shape, path).outputShape;
  const out = (name: string) => ({ name, shape: outShape });

  if (module instanceof Conv1d || module instanceof Conv2d) {
    const pads = module.padding === 'same' ? module.kernelSize.map((k, i) => samePadding(k, module.dilation[i])) : module.padding.map((p): [number, number] => [p, p]);
    let x = input;
    let convPads = [...pads.map((p) => p[0]), ...pads.map((p) => p[1])];
    if (module.paddingMode !== 'zeros' && pads.some(([a, b]) => a > 0 || b > 0)) {
      if (module.paddingMode === 'circular' && g.opset < 19) {
        throw new ValueError(`exportOnnx: ${label}: paddingMode 'circular' has no ONNX equivalent before opset 19 (Pad mode 'wrap'); export with { opset: 19 } or use zeros, reflect or replicate padding`);
      }
      const mode = module.paddingMode === 'reflect' ? 'reflect' : module.paddingMode === 'replicate' ? 'edge' : 'wrap';
      const lead = shape.length - pads.length;
      const padValues = [...new Array<number>(lead).fill(0), ...pads.map((p) => p[0]), ...new Array<number>(lead).fill(0), ...pads.map((p) => p[1])];
      const padsName = g.initializer(int64Tensor(`${path}.pads`, padValues));
      x = g.node(path, 'Pad', [input, padsName], [string('mode', mode)]);
      convPads = convPads.map(() => 0);
    }
    const inputs = [x, param(module.weight, path, 'weight')];
    if (module.bias !== null) inputs.push(param(module.bias, path, 'bias'));
    return out(g.node(path, 'Conv', inputs, [
      ints('dilations', module.dilation), int('group', module.groups), ints('kernel_shape', module.kernelSize), ints('pads', convPads), ints('strides', module.stride),
    ]));
  }
  if (module instanceof ConvTranspose2d) {
    const inputs = [input, param(module.weight, path, 'weight')];
    if (module.bias !== null) inputs.push(param(module.bias, path, 'bias'));
    return out(g.node(path, 'ConvTranspose', inputs, [
      ints('dilations', module.dilation), int('group', module.groups), ints('kernel_shape', module.kernelSize),
      ints('output_padding', module.outputPadding), ints('pads', [...module.padding, ...module.padding]), ints('strides', module.stride),
    ]));
  }
  if (module instanceof Linear) {
    const w = param(module.weight, path, 'weight');
    if (shape.length === 2) {
      const inputs = [input, w];
      if (module.bias !== null) inputs.push(param(module.bias, path, 'bias'));
      return out(g.node(path, 'Gemm', inputs, [float('alpha', 1), float('beta', 1), int('transB', 1)]));
    }
    // Gemm is 2-D only: x·Wᵀ (+ b) with MatMul for other ranks.
    const wt = g.node(path, 'Transpose', [w], [ints('perm', [1, 0])]);
    const y = g.node(path, 'MatMul', [input, wt]);
    return out(module.bias === null ? y : g.node(path, 'Add', [y, param(module.bias, path, 'bias')]));
  }
  if (module instanceof ReLU) return out(g.node(path, 'Relu', [input]));
  if (module instanceof LeakyReLU) return out(g.node(path, 'LeakyRelu', [input], [float('alpha', module.negativeSlope)]));
  if (module instanceof Sigmoid) return out(g.node(path, 'Sigmoid', [input]));
  if (module instanceof Tanh) return out(g.node(path, 'Tanh', [input]));
  if (module instanceof GELU) {
    // 0.5·x·(1 + erf(x/√2)): the Gelu operator only exists from opset 20.
    const scaled = g.node(path, 'Div', [input, g.scalar('gelu.sqrt2', Math.SQRT2)]);
    const erf = g.node(path, 'Erf', [scaled]);
    const onePlus = g.node(path, 'Add', [erf, g.scalar('gelu.one', 1)]);
    const times = g.node(path, 'Mul', [input, onePlus]);
    return out(g.node(path, 'Mul', [times, g.scalar('gelu.half', 0.5)]));
  }
  if (module instanceof Identity || module instanceof Dropout) return out(g.node(path, 'Identity', [input]));
  if (module instanceof MaxPool1d || module instanceof MaxPool2d) {
    return out(g.node(path, 'MaxPool', [input], [
      int('ceil_mode', module.ceilMode ? 1 : 0), ints('dilations', module.dilation), ints('kernel_shape', module.kernelSize),
      ints('pads', [...module.padding, ...module.padding]), ints('strides', module.stride),
    ]));
  }
  if (module instanceof AvgPool1d || module instanceof AvgPool2d) {
    return out(g.node(path, 'AveragePool', [input], [
      int('ceil_mode', module.ceilMode ? 1 : 0), int('count_include_pad', module.countIncludePad ? 1 : 0), ints('kernel_shape', module.kernelSize),
      ints('pads', [...module.padding, ...module.padding]), ints('strides', module.stride),
    ]));
  }
  if (module instanceof AdaptiveAvgPool2d) {
    const [oh, ow] = module.outputSize;
    if (oh === 1 && ow === 1) return out(g.node(path, 'GlobalAveragePool', [input]));
    const [h, w] = shape.slice(-2);
    if (h % oh !== 0 || w % ow !== 0) {
      throw new ValueError(`exportOnnx: ${label}: output size ${oh}×${ow} does not divide the input size ${h}×${w}, so the bins differ in size and no ONNX pooling operator matches; use output size 1 or an input size divisible by it`);
    }
    const kernel = [h / oh, w / ow];
    return out(g.node(path, 'AveragePool', [input], [ints('kernel_shape', kernel), ints('strides', kernel)]));
  }
  if (module instanceof BatchNorm1d || module instanceof BatchNorm2d) {
    if (module.runningMean === null || module.runningVar === null) {
      throw new ValueError(`exportOnnx: ${label} has no running statistics (trackRunningStats false), so it normalises with batch statistics, which ONNX inference cannot express`);
    }
    const c = module.numFeatures;
    const scale = module.weight === null ? g.initializer(floatTensor(`${path}.onnx_scale`, { data: new Float32Array(c).fill(1), shape: [c] })) : param(module.weight, path, 'weight');
    const bias = module.bias === null ? g.initializer(floatTensor(`${path}.onnx_bias`, { data: new Float32Array(c), shape: [c] })) : param(module.bias, path, 'bias');
    const inputs = [input, scale, bias, param(module.runningMean, path, 'running_mean'), param(module.runningVar, path, 'running_var')];
    // ONNX Runtime's BatchNormalization wants a spatial axis: [N, C] goes through [N, C, 1].
    if (shape.length === 2) {
      const axes = g.initializer(int64Tensor('batchnorm.axes', [2]));
      const expanded = g.node(path, 'Unsqueeze', [input, axes]);
      const normed = g.node(path, 'BatchNormalization', [expanded, ...inputs.slice(1)], [float('epsilon', module.eps), float('momentum', 1 - (module.momentum ?? 0.1))]);
      return out(g.node(path, 'Squeeze', [normed, axes]));
    }
    return out(g.node(path, 'BatchNormalization', inputs, [float('epsilon', module.eps), float('momentum', 1 - (module.momentum ?? 0.1))]));
  }
  if (module instanceof Flatten) {
    const rank = shape.length;
    const start = module.startDim < 0 ? module.startDim + rank : module.startDim;
    const end = module.endDim < 0 ? module.endDim + rank : module.endDim;
    if (start === 1 && end === rank - 1) return out(g.node(path, 'Flatten', [input], [int('axis', 1)]));
    // Reshape: 0 copies a leading dimension (keeping the batch dynamic), -1 is the flattened one.
    const target = [...shape.slice(0, start).map(() => 0), -1, ...shape.slice(end + 1)];
    if (start === end) return out(g.node(path, 'Identity', [input]));
    const shapeName = g.initializer(int64Tensor(`${path}.shape`, target));
    return out(g.node(path, 'Reshape', [input, shapeName]));
  }
  throw new ValueError(`exportOnnx: ${label} is not a layer waldo can export to ONNX`);
}

function isExportable(m: Module): boolean {
  return [Conv1d, Conv2d, ConvTranspose2d, Linear, ReLU, LeakyReLU, Sigmoid, Tanh, GELU, Identity, MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool2d, BatchNorm1d, BatchNorm2d, Dropout, Flatten]
    .some((cls) => m.constructor === cls);
}
