import { record } from '../autograd/node.js';
import { ShapeError } from '../errors.js';
import { type DType, allocate, isFloating } from './dtype.js';
import { formatShape, normalizeDim, sizeOf } from './shape.js';
import { Tensor } from './tensor.js';
import { expand, reshape } from './views.js';

/**
 * The three extents of a reduction along one dimension of a row-major tensor:
 * element (o, r, i) sits at o·(len·inner) + r·inner + i.
 */
function splitAt(shape: readonly number[], d: number): { outer: number; len: number; inner: number } {
  return { outer: sizeOf(shape.slice(0, d)), len: shape[d], inner: sizeOf(shape.slice(d + 1)) };
}

function keptShape(shape: readonly number[], d: number): number[] {
  return shape.map((s, i) => (i === d ? 1 : s));
}

function dimsOf(x: Tensor, dim: number | number[] | undefined, op: string): number[] {
  if (dim === undefined) return x.shape.map((_, i) => i);
  const list = Array.isArray(dim) ? dim : [dim];
  const dims = list.map((d) => normalizeDim(d, x.ndim, op));
  if (new Set(dims).size !== dims.length) throw new ShapeError(`${op}: dim ${formatShape(list)} repeats a dimension`);
  return dims;
}

function reducedShape(shape: readonly number[], dims: number[], keepdim: boolean): number[] {
  return keepdim ? shape.map((s, i) => (dims.includes(i) ? 1 : s)) : shape.filter((_, i) => !dims.includes(i));
}

/** Sum along one dimension, keeping it with size 1. */
function sumAlong(data: ArrayLike<number>, shape: readonly number[], d: number, dtype: DType): Float64Array | Float32Array | Int32Array {
  const { outer, len, inner } = splitAt(shape, d);
  const out = allocate(dtype, outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let s = 0;
      for (let r = 0, p = o * len * inner + i; r < len; r++, p += inner) s += data[p];
      out[o * inner + i] = s;
    }
  }
  return out;
}

/**
 * Sum over `dim` (all dimensions when omitted), accumulating in float64.
 *
 * @example
 * import { sum, tensor } from 'waldo';
 * const x = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
 * sum(x).item(); // 21
 * sum(x, 1).toArray(); // [6, 15]
 * x.sum(0, true).shape; // [1, 3]
 */
export function sum(x: Tensor, dim?: number | number[], keepdim = false): Tensor {
  const dims = dimsOf(x, dim, 'sum');
  let data: ArrayLike<number> = x.data;
  let shape: number[] = [...x.shape];
  for (const d of dims) {
    data = sumAlong(data, shape, d, x.dtype === 'float32' ? 'float64' : x.dtype);
    shape = keptShape(shape, d);
  }
  const out = allocate(x.dtype, data.length);
  out.set(data);
  const result = new Tensor(out, reducedShape(x.shape, dims, keepdim));
  return record(result, 'sum', [x], (g) => [expand(reshape(g, reducedShape(x.shape, dims, true)), x.shape)]);
}

/**
 * Mean over `dim` (all dimensions when omitted).
 *
 * @example
 * import { mean, tensor } from 'waldo';
 * const x = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
 * mean(x).item(); // 3.5
 * mean(x, [0, 1]).item(); // 3.5
 * x.mean(1).toArray(); // [2, 5]
 */
export function mean(x: Tensor, dim?: number | number[], keepdim = false): Tensor {
  if (!isFloating(x.dtype)) throw new ShapeError(`mean: needs a floating-point tensor, got ${x.dtype}`);
  const dims = dimsOf(x, dim, 'mean');
  const count = dims.reduce((n, d) => n * x.shape[d], 1);
  return sum(x, dim, keepdim).div(count);
}

/** Index of the extreme value along d (first on ties), with the (outer, inner) layout of splitAt. */
function extremeIndices(x: Tensor, d: number, better: (a: number, b: number) => boolean): Int32Array {
  const { outer, len, inner } = splitAt(x.shape, d);
  if (len === 0) throw new ShapeError(`reduction over an empty dimension ${d} of ${formatShape(x.shape)}`);
  const X = x.data;
  const idx = new Int32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let best = 0;
      let bestValue = X[base];
      for (let r = 1; r < len; r++) {
        const v = X[base + r * inner];
        // NaN wins, as in PyTorch, so a NaN is never hidden by a reduction.
        if (better(v, bestValue) || (v !== v && bestValue === bestValue)) {
          best = r;
          bestValue = v;
        }
      }
      idx[o * inner + i] = best;
    }
  }
  return idx;
}

function extreme(x: Tensor, dim: number | undefined, keepdim: boolean, name: string, better: (a: number, b: number) => boolean): Tensor {
  if (dim === undefined) {
    const flat = reshape(x, [x.numel()]);
    const idx = extremeIndices(flat, 0, better)[0];
    const value = x.data[idx];
    const out = allocate(x.dtype, 1);
    out[0] = value;
    // An all-reduce max splits the gradient evenly among tied maxima (PyTorch's evenly_distribute_backward).
    return record(new Tensor(out, []), name, [x], (g) => {
      let ties = 0;
      for (let i = 0; i < x.data.length; i++) if (x.data[i] === value) ties++;
      const gx = allocate(g.dtype, x.data.length);
      for (let i = 0; i < x.data.length; i++) if (x.data[i] === value) gx[i] = g.data[0] / ties;
      return [new Tensor(gx, x.shape)];
    });
  }
  const d = normalizeDim(dim, x.ndim, name);
  const idx = extremeIndices(x, d, better);
  const { len, inner } = splitAt(x.shape, d);
  const out = allocate(x.dtype, idx.length);
  for (let k = 0; k < idx.length; k++) {
    const o = Math.floor(k / inner);
    out[k] = x.data[o * len * inner + idx[k] * inner + (k % inner)];
  }
  const result = new Tensor(out, reducedShape(x.shape, [d], keepdim));
  // Along a dimension the gradient goes to the returned index only, as PyTorch's max(dim).
  return record(result, name, [x], (g) => {
    const gx = allocate(g.dtype, x.data.length);
    for (let k = 0; k < idx.length; k++) {
      const o = Math.floor(k / inner);
      gx[o * len * inner + idx[k] * inner + (k % inner)] += g.data[k];
    }
    return [new Tensor(gx, x.shape)];
  });
}

/**
 * The maximum over all elements, or the maximum values along `dim` (argmax gives the indices).
 *
 * @example
 * import { max, tensor } from 'waldo';
 * const x = tensor([1, 5, 3, 4, 2, 6], [2, 3]);
 * max(x).item(); // 6
 * max(x, 1).toArray(); // [5, 6]
 */
export function max(x: Tensor, dim?: number, keepdim = false): Tensor {
  return extreme(x, dim, keepdim, 'max', (a, b) => a > b);
}

/**
 * The minimum over all elements, or the minimum values along `dim`.
 *
 * @example
 * import { min, tensor } from 'waldo';
 * const x = tensor([1, 5, 3, 4, 2, 6], [2, 3]);
 * min(x).item(); // 1
 * min(x, 0).toArray(); // [1, 2, 3]
 */
export function min(x: Tensor, dim?: number, keepdim = false): Tensor {
  return extreme(x, dim, keepdim, 'min', (a, b) => a < b);
}

/**
 * Index of the maximum as int32: flat over all elements, or along `dim`.
 *
 * @example
 * import { argmax, tensor } from 'waldo';
 * const logits = tensor([0.1, 2, 0.3, 4, 0.5, 0.6], [2, 3]);
 * argmax(logits).item(); // 3: flat index
 * argmax(logits, 1).toArray(); // Int32Array [1, 0]: the predicted classes
 */
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
  if (dim === undefined) return new Tensor(extremeIndices(reshape(x, [x.numel()]), 0, (a, b) => a > b), []);
  const d = normalizeDim(dim, x.ndim, 'argmax');
  return new Tensor(extremeIndices(x, d, (a, b) => a > b), reducedShape(x.shape, [d], keepdim));
}
