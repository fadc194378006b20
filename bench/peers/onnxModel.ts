// A minimal protobuf writer for ONNX ModelProto: just enough for a one-Conv model and LeNet-5
// (ir_version 8, opset 13, float32 initializers as raw_data, batch dimension symbolic or fixed).

type Bytes = Uint8Array;

function varint(v: number): number[] {
  const out: number[] = [];
  let n = BigInt(v);
  if (n < 0n) n += 1n << 64n; // int64 two's complement
  do {
    let byte = Number(n & 0x7fn);
    n >>= 7n;
    if (n !== 0n) byte |= 0x80;
    out.push(byte);
  } while (n !== 0n);
  return out;
}

function concat(parts: (Bytes | number[])[]): Bytes {
  const len = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

const key = (field: number, wire: number) => varint((field << 3) | wire);
const int = (field: number, v: number) => [...key(field, 0), ...varint(v)];
const bytes = (field: number, b: Bytes) => concat([key(field, 2), varint(b.length), b]);
const str = (field: number, s: string) => bytes(field, new TextEncoder().encode(s));
const packedInts = (field: number, vs: number[]) => bytes(field, concat(vs.map((v) => varint(v))));

export type Attr = { name: string; ints: number[] } | { name: string; int: number };

function attribute(a: Attr): Bytes {
  // AttributeProto: name=1, i=3, ints=8, type=20 (INT=2, INTS=7)
  return 'ints' in a
    ? concat([str(1, a.name), packedInts(8, a.ints), int(20, 7)])
    : concat([str(1, a.name), int(3, a.int), int(20, 2)]);
}

export interface OnnxNode { op: string; inputs: string[]; outputs: string[]; attrs?: Attr[] }

function node(n: OnnxNode, i: number): Bytes {
  // NodeProto: input=1, output=2, name=3, op_type=4, attribute=5
  return concat([...n.inputs.map((s) => str(1, s)), ...n.outputs.map((s) => str(2, s)), str(3, `n${i}`), str(4, n.op),
    ...(n.attrs ?? []).map((a) => bytes(5, attribute(a)))]);
}

function initializer(name: string, dims: number[], data: Float32Array): Bytes {
  // TensorProto: dims=1, data_type=2 (FLOAT=1), name=8, raw_data=9 (little-endian)
  const raw = new Uint8Array(data.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i]!, true);
  return concat([packedInts(1, dims), int(2, 1), str(8, name), bytes(9, raw)]);
}

function valueInfo(name: string, dims: (number | string)[]): Bytes {
  // ValueInfoProto{name=1, type=2: TypeProto{tensor_type=1: {elem_type=1, shape=2: {dim=1: {dim_value=1 | dim_param=2}}}}}
  const shape = concat(dims.map((d) => bytes(1, typeof d === 'number' ? new Uint8Array(int(1, d)) : str(2, d))));
  const tensorType = concat([int(1, 1), bytes(2, shape)]);
  return concat([str(1, name), bytes(2, bytes(1, tensorType))]);
}

export interface OnnxGraph {
  nodes: OnnxNode[];
  initializers: { name: string; dims: number[]; data: Float32Array }[];
  input: { name: string; dims: (number | string)[] };
  output: { name: string; dims: (number | string)[] };
}

export function encodeModel(g: OnnxGraph): Uint8Array {
  // GraphProto: node=1, name=2, initializer=5, input=11, output=12
  const graph = concat([
    ...g.nodes.map((n, i) => bytes(1, node(n, i))),
    str(2, 'bench'),
    ...g.initializers.map((t) => bytes(5, initializer(t.name, t.dims, t.data))),
    bytes(11, valueInfo(g.input.name, g.input.dims)),
    bytes(12, valueInfo(g.output.name, g.output.dims)),
  ]);
  // ModelProto: ir_version=1, producer_name=2, graph=7, opset_import=8 {domain=1, version=2}
  return concat([int(1, 8), str(2, 'waldo-bench'), bytes(7, graph), bytes(8, concat([str(1, ''), int(2, 13)]))]);
}
