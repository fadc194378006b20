import { ShapeError } from '../errors.js';

/**
 * Number of elements of a shape (1 for a scalar's empty shape).
 *
 * @example
 * import { sizeOf } from 'waldo';
 * sizeOf([8, 3, 32, 32]); // 24,576
 * sizeOf([]); // 1
 */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a contiguous tensor of this shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/**
 * `[2, 3]` written as PyTorch users read shapes.
 *
 * @example
 * import { formatShape } from 'waldo';
 * formatShape([2, 3]); // '[2, 3]'
 */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Resolves a possibly negative dimension index against `ndim`, naming the op on failure. */
export function normalizeDim(dim: number, ndim: number, op: string): number {
  const d = dim < 0 ? dim + ndim : dim;
  if (!Number.isInteger(dim) || d < 0 || d >= Math.max(ndim, 1)) {
    throw new ShapeError(`${op}: dim ${dim} is out of range for a tensor with ${ndim} dimension(s)`);
  }
  return d;
}

/** The broadcast shape of two shapes (NumPy/PyTorch rules: align right, sizes equal or 1). */
export function broadcastShapes(a: readonly number[], b: readonly number[], op: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `${op}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast together (dimension ${i - n}: ${da} vs ${db})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides for reading a tensor of `shape` as if it had the larger `outShape`:
 * aligned to outShape's dimensions, 0 where the tensor is broadcast (size 1 or missing).
 */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = stridesOf(shape);
  const offset = outShape.length - shape.length;
  return outShape.map((_, i) => {
    const j = i - offset;
    return j < 0 || shape[j] === 1 ? 0 : own[j];
  });
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
