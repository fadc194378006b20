/**
 * Output-size arithmetic of sliding windows (convolution, transposed convolution, pooling), the
 * checks of their integer options, and the error messages that show a user the arithmetic that did
 * not work. Shared by ops/conv.ts, ops/pool.ts and the model summary, so that all three agree with
 * PyTorch and with each other.
 */
import { ShapeError, ValueError } from '../errors.js';
import { type Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import type { FloatArray } from '../backend/backend.js';

/** An integer option given once for every spatial dimension or per dimension (`[h, w]`, or `[l]` for 1-D ops). */
export type SpatialOption = number | readonly number[];

/** One spatial axis of a sliding window: the input length along it and the window's options. */
export interface WindowAxis {
  /** How messages call the axis: 'height', 'width' or 'length'. */
  name: string;
  input: number;
  kernel: number;
  stride: number;
  padBefore: number;
  padAfter: number;
  dilation: number;
}

/** The names of the spatial axes of a 1-D or 2-D op, as its messages write them. */
export function axisNames(spatialDims: 1 | 2): string[] {
  return spatialDims === 1 ? ['length'] : ['height', 'width'];
}

/**
 * Number of window positions along one axis: floor((H + pb + pa − d(k−1) − 1)/s) + 1, or with
 * ceilMode PyTorch's rule: ceil(…) + 1, less one when the last window would start past the input
 * and its left padding (so that every window sees at least one input or left-padding element).
 *
 * @example
 * slidingOutputSize({ name: 'height', input: 32, kernel: 3, stride: 1, padBefore: 1, padAfter: 1, dilation: 1 }); // 32
 */
export function slidingOutputSize(axis: WindowAxis, ceilMode = false): number {
  const span = axis.input + axis.padBefore + axis.padAfter - axis.dilation * (axis.kernel - 1) - 1;
  if (!ceilMode) return Math.floor(span / axis.stride) + 1;
  const out = Math.ceil(span / axis.stride) + 1;
  return (out - 1) * axis.stride >= axis.input + axis.padBefore ? out - 1 : out;
}

/** `floor((3 + 2*0 - 1*(5-1) - 1)/1) + 1 = -1`: the formula of slidingOutputSize with this axis's numbers. */
export function slidingOutputArithmetic(axis: WindowAxis, ceilMode = false): string {
  const pad = axis.padBefore === axis.padAfter ? `2*${axis.padBefore}` : `${axis.padBefore} + ${axis.padAfter}`;
  const inner = `(${axis.input} + ${pad} - ${axis.dilation}*(${axis.kernel}-1) - 1)/${axis.stride}`;
  if (!ceilMode) return `floor(${inner}) + 1 = ${slidingOutputSize(axis)}`;
  const rounded = Math.ceil((axis.input + axis.padBefore + axis.padAfter - axis.dilation * (axis.kernel - 1) - 1) / axis.stride) + 1;
  const out = slidingOutputSize(axis, true);
  const dropped = out < rounded ? ` - 1 (the last window would start past the input and its left padding) = ${out}` : '';
  return `ceil(${inner}) + 1 = ${rounded}${dropped}`;
}

/**
 * The output size along an axis, or a ShapeError naming the op, the arithmetic and `context`
 * (the shapes involved) when fewer than one window fits.
 */
export function checkedOutputSize(op: string, axis: WindowAxis, context: string, ceilMode = false): number {
  const out = slidingOutputSize(axis, ceilMode);
  if (out >= 1) return out;
  const span = axis.dilation * (axis.kernel - 1) + 1;
  const padded = axis.input + axis.padBefore + axis.padAfter;
  const why = span > padded ? ` (the ${axis.dilation > 1 ? 'dilated ' : ''}kernel spans ${span} but the padded input has ${padded})` : '';
  throw new ShapeError(`${op}: output ${axis.name} would be ${slidingOutputArithmetic(axis, ceilMode)}${why}; ${context}`);
}

/** Output size of a transposed convolution: (H−1)·s − pb − pa + d(k−1) + outputPadding + 1. */
export function transposedOutputSize(axis: WindowAxis, outputPadding: number): number {
  return (axis.input - 1) * axis.stride - axis.padBefore - axis.padAfter + axis.dilation * (axis.kernel - 1) + outputPadding + 1;
}

/** The transposed output size, or a ShapeError showing the arithmetic when it is below one. */
export function checkedTransposedOutputSize(op: string, axis: WindowAxis, outputPadding: number, context: string): number {
  const out = transposedOutputSize(axis, outputPadding);
  if (out >= 1) return out;
  const pad = axis.padBefore === axis.padAfter ? `2*${axis.padBefore}` : `${axis.padBefore} - ${axis.padAfter}`;
  throw new ShapeError(
    `${op}: output ${axis.name} would be (${axis.input}-1)*${axis.stride} - ${pad} + ${axis.dilation}*(${axis.kernel}-1) + ${outputPadding} + 1 = ${out}; ${context}`,
  );
}

/** PyTorch's 'same' padding for one axis: total d·(k−1), floor(total/2) before and the rest after. */
export function samePadding(kernel: number, dilation: number): [number, number] {
  const total = dilation * (kernel - 1);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** What an integer option must be. */
export type OptionRule = 'positive' | 'nonNegative';

/**
 * An integer option (a number, or one value per spatial dimension) as one value per spatial
 * dimension, or a ValueError naming the op and the option.
 *
 * @example
 * spatialOption('conv2d', 'stride', 2, 2, 'positive'); // [2, 2]
 */
export function spatialOption(op: string, option: string, value: SpatialOption, spatialDims: 1 | 2, rule: OptionRule): number[] {
  const form = spatialDims === 1 ? 'a number or a list of one number' : 'a number or a pair [height, width]';
  if (!Array.isArray(value) && typeof value !== 'number') throw new ValueError(`${op}: ${option} must be ${form}, got ${String(value)}`);
  const values = typeof value === 'number' ? new Array<number>(spatialDims).fill(value) : [...value];
  if (values.length !== spatialDims) throw new ValueError(`${op}: ${option} must be ${form}, got ${formatShape(values)}`);
  const shown = typeof value === 'number' ? String(value) : formatShape(values);
  if (values.some((v) => !Number.isInteger(v))) throw new ValueError(`${op}: ${option} must be integers, got ${shown}`);
  if (rule === 'positive' && values.some((v) => v < 1)) throw new ValueError(`${op}: ${option} must be at least 1, got ${shown}`);
  if (rule === 'nonNegative' && values.some((v) => v < 0)) throw new ValueError(`${op}: ${option} must be non-negative, got ${shown}`);
  return values;
}

/** A positive integer option that is one number (groups). */
export function positiveInteger(op: string, option: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new ValueError(`${op}: ${option} must be a positive integer, got ${value}`);
  return value;
}

/**
 * Checks that `x` is a floating-point tensor with the batched or unbatched number of dimensions
 * (`spatialDims + 2` or `+ 1`) and returns whether it is batched.
 */
export function checkInput(op: string, x: Tensor, spatialDims: 1 | 2): boolean {
  const layout = spatialDims === 1 ? ['C', 'L'] : ['C', 'H', 'W'];
  if (x.ndim !== spatialDims + 1 && x.ndim !== spatialDims + 2) {
    throw new ShapeError(
      `${op}: expected a ${spatialDims + 2}-D input [N, ${layout.join(', ')}] or an unbatched ${spatialDims + 1}-D input [${layout.join(', ')}], got shape ${formatShape(x.shape)}`,
    );
  }
  checkFloat(op, 'input', x);
  return x.ndim === spatialDims + 2;
}

/** A ValueError for int32 tensors: the family works on float32 and float64 only. */
export function checkFloat(op: string, role: string, t: Tensor): void {
  if (t.dtype === 'int32') throw new ValueError(`${op}: the ${role} must be float32 or float64, got int32 ${formatShape(t.shape)}; convert it with .to('float32')`);
}

/** The elements of a float tensor, as the kernels take them (callers have checked the dtype). */
export function floatData(t: Tensor): FloatArray {
  return t.data as FloatArray;
}

/** `input [8, 3, 32, 32], weight [16, 3, 3, 3]`: the shapes an error message ends with. */
export function shapesContext(shapes: Record<string, Tensor | null | undefined>): string {
  return Object.entries(shapes)
    .filter((entry): entry is [string, Tensor] => entry[1] !== null && entry[1] !== undefined)
    .map(([name, t]) => `${name} ${formatShape(t.shape)}`)
    .join(', ');
}
