import { Tensor } from '../tensor/tensor.js';
import type { NamedArray } from './safetensors.js';

/**
 * Tensors as the plain named arrays the file codecs read and write (and back), keeping names,
 * optionally under a prefix. int32 tensors are stored as int64 when `int64` is set, because
 * PyTorch keeps counters such as BatchNorm's num_batches_tracked in int64.
 */
export function namedArraysFromTensors(tensors: ReadonlyMap<string, Tensor>, prefix = '', { int64 = false } = {}): Map<string, NamedArray> {
  const out = new Map<string, NamedArray>();
  for (const [name, t] of tensors) {
    if (t.dtype === 'int32' && int64) {
      out.set(prefix + name, { dtype: 'int64', shape: [...t.shape], data: BigInt64Array.from(t.data as Int32Array, (v) => BigInt(v)) });
    } else {
      out.set(prefix + name, { dtype: t.dtype, shape: [...t.shape], data: t.data });
    }
  }
  return out;
}

/** The arrays whose names start with `prefix`, as tensors named without it (int64 → int32, half → float32). */
export function tensorsFromNamedArrays(arrays: ReadonlyMap<string, NamedArray>, prefix = ''): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [name, a] of arrays) {
    if (!name.startsWith(prefix)) continue;
    let data = a.data;
    if (data instanceof BigInt64Array) data = Int32Array.from(data, (v) => Number(v));
    else if (!(data instanceof Float32Array || data instanceof Float64Array || data instanceof Int32Array)) data = Float32Array.from(data as ArrayLike<number>);
    out.set(name.slice(prefix.length), new Tensor(data as Float32Array | Float64Array | Int32Array, a.shape));
  }
  return out;
}
