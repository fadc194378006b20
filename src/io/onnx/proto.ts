/**
 * The ONNX protobuf messages through protobufjs and the official schema (generated into schema.ts
 * by tools/make-onnx-schema.mjs). Objects use the .proto's snake_case field names; 64-bit integers
 * are plain numbers (every value ONNX models of this size use fits in a double exactly).
 */
import protobuf from 'protobufjs';
import { FormatError } from '../../errors.js';
import { onnxSchema } from './schema.js';

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7, DOUBLE: 11 } as const;
/** AttributeProto.AttributeType values. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

export interface TensorProto {
  name?: string;
  dims?: number[];
  data_type?: number;
  raw_data?: Uint8Array;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: number[];
  double_data?: number[];
}

export interface AttributeProto {
  name: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
}

export interface NodeProto {
  name?: string;
  op_type: string;
  domain?: string;
  input: string[];
  output: string[];
  attribute?: AttributeProto[];
}

export interface Dim {
  dim_value?: number;
  dim_param?: string;
}

export interface ValueInfoProto {
  name: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: Dim[] } } };
}

export interface GraphProto {
  name?: string;
  node: NodeProto[];
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  value_info?: ValueInfoProto[];
}

export interface ModelProto {
  ir_version?: number;
  opset_import?: { domain?: string; version?: number }[];
  producer_name?: string;
  producer_version?: string;
  doc_string?: string;
  graph?: GraphProto;
}

let modelType: protobuf.Type | null = null;

function modelProtoType(): protobuf.Type {
  modelType ??= protobuf.Root.fromJSON(onnxSchema as protobuf.INamespace).lookupType('onnx.ModelProto');
  return modelType;
}

/** Serialises a ModelProto object to bytes. */
export function encodeModel(model: ModelProto): Uint8Array {
  const type = modelProtoType();
  const bytes = type.encode(type.fromObject(model as Record<string, unknown>)).finish();
  // protobufjs may return a view into a pooled buffer: hand back bytes of our own.
  return new Uint8Array(bytes);
}

/** Parses bytes as a ModelProto, or a FormatError naming the file. */
export function decodeModel(bytes: Uint8Array, fileName: string): ModelProto {
  const type = modelProtoType();
  let model: ModelProto;
  try {
    const message = type.decode(bytes);
    model = type.toObject(message, { longs: Number, enums: Number, arrays: true }) as ModelProto;
  } catch (error) {
    throw new FormatError(fileName, `not a valid ONNX model: the protobuf does not parse (${(error as Error).message})`);
  }
  if (model.graph === undefined || model.graph === null) throw new FormatError(fileName, 'not a valid ONNX model: it has no graph');
  return model;
}

/** Raw little-endian bytes of a typed array (copied). */
export function rawBytes(data: Float32Array | BigInt64Array): Uint8Array {
  return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}
