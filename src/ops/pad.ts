/**
 * Padding, as torch.nn.functional.pad: constant (negative amounts crop), reflect, replicate and
 * circular. Every mode is a gather: each output element reads one input element (or the constant),
 * found through one index map per dimension; the backward rule scatters through the same maps,
 * so where several outputs read one input (reflect, replicate, circular) their gradients add up.
 */
import { record } from '../autograd/node.js';
import { ShapeError, ValueError } from '../errors.js';
import { allocate } from '../tensor/dtype.js';
import { formatShape, sizeOf, stridesOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { checkFloat } from './convGeometry.js';

export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

const MODES: readonly PadMode[] = ['constant', 'reflect', 'replicate', 'circular'];

/**
 * Pads the last dimensions of x. `pads` lists [before, after] pairs starting from the last
 * dimension: [left, right] pads the last one, [left, right, top, bottom] the last two, and so on.
 * 'constant' fills with `value` and takes negative amounts, which crop; 'reflect' mirrors without
 * repeating the edge (each amount must be smaller than the dimension); 'replicate' repeats the edge;
 * 'circular' wraps around (each amount at most the dimension). The non-constant modes pad the last
 * 1, 2 or 3 dimensions of an input with one or two leading dimensions, as PyTorch.
 *
 * @example
 * import { functional as F, tensor, ones } from 'waldo';
 * F.pad(tensor([1, 2, 3], [1, 3]), [2, 1], 'reflect').toArray(); // [3, 2, 1, 2, 3, 2]
 * F.pad(ones([1, 2, 2]), [1, 1, 1, 1]).shape; // [1, 4, 4]: one ring of zeros around the last two dimensions
 */
export function pad(x: Tensor, pads: readonly number[], mode: PadMode = 'constant', value = 0): Tensor {
  checkFloat('pad', 'input', x);
  if (!MODES.includes(mode)) throw new ValueError(`pad: mode must be one of ${MODES.map((m) => `'${m}'`).join(', ')}, got '${String(mode)}'`);
  if (!Array.isArray(pads) || pads.some((p) => !Number.isInteger(p))) {
    throw new ValueError(`pad: pads must be a list of integers, got ${Array.isArray(pads) ? formatShape(pads) : String(pads)}`);
  }
  if (pads.length % 2 !== 0) throw new ValueError(`pad: pads must hold [before, after] pairs, got ${pads.length} values ${formatShape(pads)}`);
  const padded = pads.length / 2;
  if (padded > x.ndim) {
    throw new ShapeError(`pad: ${pads.length} pad values pad ${padded} dimensions but the input ${formatShape(x.shape)} has ${x.ndim}`);
  }
  if (mode !== 'constant') checkNonConstant(x, pads, mode, value);

  // amounts[d] = [before, after] for dimension d (zeros for the leading, unpadded dimensions).
  const amounts = x.shape.map((): [number, number] => [0, 0]);
  for (let k = 0; k < padded; k++) amounts[x.ndim - 1 - k] = [pads[2 * k], pads[2 * k + 1]];
  const outShape = x.shape.map((size, d) => {
    const total = size + amounts[d][0] + amounts[d][1];
    if (total < 0) {
      throw new ShapeError(`pad: dimension ${d} of input ${formatShape(x.shape)} would have size ${size} + ${amounts[d][0]} + ${amounts[d][1]} = ${total}`);
    }
    return total;
  });
  const maps = outShape.map((size, d) => indexMap(size, x.shape[d], amounts[d][0], mode));
  const out = allocate(x.dtype, sizeOf(outShape));
  walk(x.shape, outShape, maps, (o, i) => (out[o] = i < 0 ? value : x.data[i]));
  return record(new Tensor(out, outShape), 'pad', [x], (g) => {
    const dx = allocate(g.dtype, x.numel());
    walk(x.shape, outShape, maps, (o, i) => {
      if (i >= 0) dx[i] += g.data[o];
    });
    return [new Tensor(dx, x.shape)];
  });
}

function checkNonConstant(x: Tensor, pads: readonly number[], mode: PadMode, value: number): void {
  const padded = pads.length / 2;
  if (value !== 0) throw new ValueError(`pad: mode '${mode}' takes no value (got ${value}); only 'constant' fills with a value`);
  if (padded < 1 || padded > 3 || x.ndim < padded + 1 || x.ndim > padded + 2) {
    throw new ShapeError(
      `pad: '${mode}' padding of ${padded} dimension(s) needs a ${padded + 1}-D or ${padded + 2}-D input (with 1 to 3 padded dimensions), got ${formatShape(x.shape)}`,
    );
  }
  for (let k = 0; k < padded; k++) {
    const d = x.ndim - 1 - k;
    const size = x.shape[d];
    for (const amount of [pads[2 * k], pads[2 * k + 1]]) {
      if (amount < 0) throw new ValueError(`pad: negative pads crop only in 'constant' mode, got ${formatShape(pads)} with mode '${mode}'`);
      if (mode === 'reflect' && amount >= size) {
        throw new ShapeError(`pad: reflect padding ${amount} must be smaller than the size ${size} of dimension ${d} of input ${formatShape(x.shape)}`);
      }
      if (mode === 'circular' && amount > size) {
        throw new ShapeError(`pad: circular padding ${amount} must be at most the size ${size} of dimension ${d} of input ${formatShape(x.shape)}`);
      }
      if (mode === 'replicate' && size === 0 && amount > 0) {
        throw new ShapeError(`pad: replicate padding needs a non-empty dimension ${d}, input ${formatShape(x.shape)}`);
      }
    }
  }
}

/** For each output position along one dimension, the input position it reads, or −1 for the constant. */
function indexMap(outSize: number, inSize: number, before: number, mode: PadMode): Int32Array {
  const map = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const j = o - before;
    if (j >= 0 && j < inSize) map[o] = j;
    else if (mode === 'constant') map[o] = -1;
    else if (mode === 'replicate') map[o] = j < 0 ? 0 : inSize - 1;
    else if (mode === 'reflect') map[o] = j < 0 ? -j : 2 * (inSize - 1) - j;
    else map[o] = ((j % inSize) + inSize) % inSize;
  }
  return map;
}

/**
 * Calls visit(outputOffset, inputOffset or −1) for every output element in row-major order, with
 * an odometer over the leading dimensions and a tight loop over the last one.
 */
function walk(inShape: readonly number[], outShape: readonly number[], maps: Int32Array[], visit: (o: number, i: number) => void): void {
  const nd = outShape.length;
  if (nd === 0) {
    visit(0, 0);
    return;
  }
  const total = sizeOf(outShape);
  if (total === 0) return;
  const strides = stridesOf(inShape);
  const rowLength = outShape[nd - 1];
  const last = maps[nd - 1];
  const index = new Array<number>(nd - 1).fill(0);
  for (let start = 0; start < total; start += rowLength) {
    let base = 0;
    let inside = true;
    for (let d = 0; d < nd - 1; d++) {
      const m = maps[d][index[d]];
      if (m < 0) inside = false;
      base += m * strides[d];
    }
    for (let j = 0; j < rowLength; j++) visit(start + j, inside && last[j] >= 0 ? base + last[j] : -1);
    for (let d = nd - 2; d >= 0; d--) {
      if (++index[d] < outShape[d]) break;
      index[d] = 0;
    }
  }
}
