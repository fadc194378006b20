import { record } from '../autograd/node.js';
import { ShapeError, ValueError } from '../errors.js';
import { allocate } from './dtype.js';
import { broadcastShapes, broadcastStrides, formatShape, normalizeDim, sameShape, sizeOf, stridesOf } from './shape.js';
import { sumToShape } from './broadcast.js';
import { Tensor } from './tensor.js';

/**
 * The same elements in a new shape (one entry may be −1 and is inferred); shares the data.
 *
 * @example
 * import { reshape, arange } from 'waldo';
 * reshape(arange(6), [2, -1]).shape; // [2, 3]
 * arange(6).reshape(3, 2).shape; // [3, 2]
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(x, shape);
  if (sameShape(target, x.shape)) return x;
  const out = new Tensor(x.data, target);
  return record(out, 'reshape', [x], (g) => [reshape(g, x.shape)]);
}

function inferShape(x: Tensor, shape: readonly number[]): number[] {
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1 || shape.some((d) => !Number.isInteger(d) || d < -1)) {
    throw new ShapeError(`reshape: invalid shape ${formatShape(shape)}`);
  }
  const known = sizeOf(shape.filter((d) => d !== -1));
  const n = x.numel();
  if (unknown === 1) {
    if (known === 0 || n % known !== 0) throw new ShapeError(`reshape: cannot reshape ${formatShape(x.shape)} (${n} elements) into ${formatShape(shape)}`);
    return shape.map((d) => (d === -1 ? n / known : d));
  }
  if (known !== n) throw new ShapeError(`reshape: cannot reshape ${formatShape(x.shape)} (${n} elements) into ${formatShape(shape)} (${known} elements)`);
  return [...shape];
}

/**
 * Merges dimensions startDim..endDim into one.
 *
 * @example
 * import { flatten, zeros } from 'waldo';
 * flatten(zeros([8, 16, 5, 5])).shape; // [3200]
 * flatten(zeros([8, 16, 5, 5]), 1).shape; // [8, 400]
 */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim(startDim, x.ndim, 'flatten');
  const e = normalizeDim(endDim, x.ndim, 'flatten');
  if (s > e) throw new ShapeError(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
  return reshape(x, [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

/**
 * Reorders dimensions (a copy, since tensors are always contiguous).
 *
 * @example
 * import { permute, zeros } from 'waldo';
 * permute(zeros([8, 28, 28, 3]), [0, 3, 1, 2]).shape; // [8, 3, 28, 28]: NHWC to NCHW
 */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  const nd = x.ndim;
  const order = dims.map((d) => normalizeDim(d, nd, 'permute'));
  if (order.length !== nd || new Set(order).size !== nd) {
    throw new ShapeError(`permute: ${formatShape(dims)} is not a permutation of the ${nd} dimensions of ${formatShape(x.shape)}`);
  }
  const shape = order.map((d) => x.shape[d]);
  const inStrides = stridesOf(x.shape);
  const strides = order.map((d) => inStrides[d]);
  const out = allocate(x.dtype, x.numel());
  const index = new Array<number>(nd).fill(0);
  let src = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = x.data[src];
    for (let d = nd - 1; d >= 0; d--) {
      index[d]++;
      src += strides[d];
      if (index[d] < shape[d]) break;
      src -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
  const inverse = new Array<number>(nd);
  order.forEach((d, i) => (inverse[d] = i));
  return record(new Tensor(out, shape), 'permute', [x], (g) => [permute(g, inverse)]);
}

/**
 * Swaps two dimensions (a copy, since tensors are always contiguous).
 *
 * @example
 * import { transpose, tensor } from 'waldo';
 * transpose(tensor([1, 2, 3, 4, 5, 6], [2, 3]), 0, 1).toArray(); // [1, 4, 2, 5, 3, 6]
 * tensor([1, 2, 3, 4], [2, 2]).T; // the 2-D shorthand
 */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const a = normalizeDim(dim0, x.ndim, 'transpose');
  const b = normalizeDim(dim1, x.ndim, 'transpose');
  const order = x.shape.map((_, i) => i);
  order[a] = b;
  order[b] = a;
  return permute(x, order);
}

/**
 * Removes size-1 dimensions (all, or only `dim`).
 *
 * @example
 * import { squeeze, zeros } from 'waldo';
 * squeeze(zeros([1, 3, 1, 2])).shape; // [3, 2]
 * squeeze(zeros([1, 3, 1, 2]), 0).shape; // [3, 1, 2]
 */
export function squeeze(x: Tensor, dim?: number): Tensor {
  if (dim === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const d = normalizeDim(dim, x.ndim, 'squeeze');
  return x.shape[d] === 1 ? reshape(x, x.shape.filter((_, i) => i !== d)) : x;
}

/**
 * Inserts a size-1 dimension at `dim` (−1 appends).
 *
 * @example
 * import { unsqueeze, zeros } from 'waldo';
 * unsqueeze(zeros([3, 28, 28]), 0).shape; // [1, 3, 28, 28]: a batch of one
 */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, x.ndim + 1, 'unsqueeze');
  return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
}

/**
 * Broadcasts to a larger shape (a copy); −1 keeps a size. The gradient sums back.
 *
 * @example
 * import { expand, tensor } from 'waldo';
 * expand(tensor([1, 2, 3], [1, 3]), [2, -1]).toArray(); // [1, 2, 3, 1, 2, 3]
 */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const offset = shape.length - x.ndim;
  const target = shape.map((d, i) => (d === -1 ? x.shape[i - offset] : d));
  if (sameShape(target, x.shape)) return x;
  const full = broadcastShapes(x.shape, target, 'expand');
  if (!sameShape(full, target)) throw new ShapeError(`expand: cannot expand ${formatShape(x.shape)} to ${formatShape(shape)}`);
  const strides = broadcastStrides(x.shape, target);
  const targetStrides = stridesOf(target);
  const out = allocate(x.dtype, sizeOf(target));
  for (let i = 0; i < out.length; i++) {
    let rest = i;
    let src = 0;
    for (let d = 0; d < target.length; d++) {
      const q = Math.floor(rest / targetStrides[d]);
      rest -= q * targetStrides[d];
      src += q * strides[d];
    }
    out[i] = x.data[src];
  }
  return record(new Tensor(out, target), 'expand', [x], (g) => [sumToShape(g, x.shape)]);
}

/**
 * Elements start..start+length−1 along `dim`.
 *
 * @example
 * import { narrow, arange } from 'waldo';
 * narrow(arange(10), 0, 2, 3).toArray(); // Int32Array [2, 3, 4]
 */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normalizeDim(dim, x.ndim, 'narrow');
  if (!Number.isInteger(start) || !Number.isInteger(length) || start < 0 || length < 0 || start + length > x.shape[d]) {
    throw new ShapeError(`narrow: [${start}, ${start + length}) is outside dimension ${d} of size ${x.shape[d]} in ${formatShape(x.shape)}`);
  }
  const outer = sizeOf(x.shape.slice(0, d));
  const inner = sizeOf(x.shape.slice(d + 1));
  const len = x.shape[d];
  const shape = x.shape.map((s, i) => (i === d ? length : s));
  const out = allocate(x.dtype, outer * length * inner);
  for (let o = 0; o < outer; o++) {
    out.set(x.data.subarray((o * len + start) * inner, (o * len + start + length) * inner), o * length * inner);
  }
  return record(new Tensor(out, shape), 'narrow', [x], (g) => {
    const gx = allocate(g.dtype, x.numel());
    for (let o = 0; o < outer; o++) gx.set(g.data.subarray(o * length * inner, (o + 1) * length * inner), (o * len + start) * inner);
    return [new Tensor(gx, x.shape)];
  });
}

/**
 * The slice at `index` along `dim`, with that dimension removed.
 *
 * @example
 * import { select, tensor } from 'waldo';
 * const x = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
 * select(x, 0, 1).toArray(); // [4, 5, 6]
 * select(x, 1, 0).toArray(); // [1, 4]
 */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normalizeDim(dim, x.ndim, 'select');
  const i = index < 0 ? index + x.shape[d] : index;
  if (i < 0 || i >= x.shape[d]) throw new ShapeError(`select: index ${index} is out of range for dimension ${d} of size ${x.shape[d]}`);
  return squeeze(narrow(x, d, i, 1), d);
}

/**
 * Joins tensors along an existing dimension.
 *
 * @example
 * import { cat, ones, zeros } from 'waldo';
 * cat([ones([2, 3]), zeros([1, 3])]).shape; // [3, 3]
 * cat([ones([2, 3]), zeros([2, 1])], 1).shape; // [2, 4]
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ValueError('cat: needs at least one tensor');
  const first = tensors[0];
  const d = normalizeDim(dim, first.ndim, 'cat');
  for (const t of tensors) {
    if (t.ndim !== first.ndim || t.shape.some((s, i) => i !== d && s !== first.shape[i]) || t.dtype !== first.dtype) {
      throw new ShapeError(`cat: shapes ${tensors.map((u) => formatShape(u.shape) + ' ' + u.dtype).join(', ')} differ outside dimension ${d}`);
    }
  }
  const outer = sizeOf(first.shape.slice(0, d));
  const inner = sizeOf(first.shape.slice(d + 1));
  const total = tensors.reduce((n, t) => n + t.shape[d], 0);
  const out = allocate(first.dtype, outer * total * inner);
  let offset = 0;
  for (const t of tensors) {
    const len = t.shape[d];
    for (let o = 0; o < outer; o++) out.set(t.data.subarray(o * len * inner, (o + 1) * len * inner), (o * total + offset) * inner);
    offset += len;
  }
  const shape = first.shape.map((s, i) => (i === d ? total : s));
  const starts: number[] = [];
  tensors.reduce((start, t) => (starts.push(start), start + t.shape[d]), 0);
  return record(new Tensor(out, shape), 'cat', tensors, (g) => tensors.map((t, k) => narrow(g, d, starts[k], t.shape[d])));
}

/**
 * Joins same-shaped tensors along a new dimension.
 *
 * @example
 * import { stack, tensor } from 'waldo';
 * stack([tensor([1, 2]), tensor([3, 4])]).shape; // [2, 2]
 * stack([tensor([1, 2]), tensor([3, 4])], 1).toArray(); // [1, 3, 2, 4]
 */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ValueError('stack: needs at least one tensor');
  const d = normalizeDim(dim, tensors[0].ndim + 1, 'stack');
  for (const t of tensors) {
    if (!sameShape(t.shape, tensors[0].shape)) throw new ShapeError(`stack: all tensors need the same shape, got ${tensors.map((u) => formatShape(u.shape)).join(', ')}`);
  }
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}
