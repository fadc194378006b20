import type { TypedArray } from '../tensor/dtype.js';

/** A JSON value in which typed arrays were replaced by references to named arrays. */
export interface ArrayRef {
  $array: string;
}

/**
 * Splits a state object (optimizer and scheduler state dicts, generator states, history) into JSON
 * and the typed arrays inside it, so the arrays can be stored as binary tensors and the rest as
 * text. Each array is named by its path, e.g. `optimizer/state/0/exp_avg`.
 */
export function separateArrays(value: unknown, prefix: string, arrays: Map<string, TypedArray>): unknown {
  if (value instanceof Float32Array || value instanceof Float64Array || value instanceof Int32Array) {
    arrays.set(prefix, value);
    return { $array: prefix } satisfies ArrayRef;
  }
  if (Array.isArray(value)) return value.map((v, i) => separateArrays(v, `${prefix}/${i}`, arrays));
  if (value !== null && typeof value === 'object') {
    if (value instanceof Map) throw new Error(`separateArrays: a Map at ${prefix}; use plain objects in saved state`);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = separateArrays(v, prefix === '' ? k : `${prefix}/${k}`, arrays);
    return out;
  }
  return value;
}

/** The inverse of separateArrays: puts the named arrays back where their references stand. */
export function joinArrays(value: unknown, arrays: ReadonlyMap<string, TypedArray>, where: string): unknown {
  if (Array.isArray(value)) return value.map((v) => joinArrays(v, arrays, where));
  if (value !== null && typeof value === 'object') {
    const ref = (value as Partial<ArrayRef>).$array;
    if (typeof ref === 'string') {
      const found = arrays.get(ref);
      if (found === undefined) throw new Error(`${where}: the state refers to array '${ref}', which the file does not hold`);
      return found;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = joinArrays(v, arrays, where);
    return out;
  }
  return value;
}
