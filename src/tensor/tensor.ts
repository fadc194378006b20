import type { GradFn } from '../autograd/node.js';
import { runBackward } from '../autograd/backward.js';
import { ValueError } from '../errors.js';
import { type DType, type TypedArray, dtypeOf, isFloating } from './dtype.js';
import { formatShape, sizeOf } from './shape.js';
import * as ew from './elementwise.js';
import * as red from './reduce.js';
import * as views from './views.js';
import { matmul } from './matmul.js';
import { formatTensor } from './format.js';

/** A number or a tensor, as the second operand of an elementwise op. */
export type Operand = Tensor | number;

/**
 * An n-dimensional array of float32 (default), float64 or int32 values, stored contiguous and
 * row-major in an ordinary typed array (garbage-collected: there is nothing to dispose).
 * Tensors that require gradients remember how they were made, and `backward()` fills `.grad`.
 *
 * @example
 * import { tensor, Tensor } from 'waldo';
 * const x = tensor([1, 2, 3, 4], [2, 2], { requiresGrad: true });
 * x.mul(x).sum().backward();
 * x.grad!.toArray(); // Float32Array [2, 4, 6, 8]
 * new Tensor(new Float32Array([1, 2]), [2]); // wraps the array without copying
 */
export class Tensor {
  /** Whether backward() should compute a gradient for this tensor (and tensors made from it). */
  requiresGrad = false;
  /** The gradient accumulated by backward(), for leaf tensors that require one; assignable. */
  grad: Tensor | null = null;
  /** The recorded operation that produced this tensor, or null for a leaf. */
  gradFn: GradFn | null = null;
  readonly dtype: DType;

  constructor(
    /** The elements, row-major; shared (not copied) by reshape and detach. */
    readonly data: TypedArray,
    readonly shape: readonly number[],
  ) {
    this.dtype = dtypeOf(data);
    if (sizeOf(shape) !== data.length) {
      throw new ValueError(`Tensor: shape ${formatShape(shape)} holds ${sizeOf(shape)} elements but the data has ${data.length}`);
    }
  }

  get ndim(): number { return this.shape.length; }
  /** Number of elements. */
  numel(): number { return this.data.length; }
  /** The shape, or the size of one dimension (negative counts from the end). */
  size(dim?: number): number | readonly number[] {
    return dim === undefined ? this.shape : this.shape[dim < 0 ? dim + this.ndim : dim];
  }
  get isLeaf(): boolean { return this.gradFn === null; }

  /** The elements as a flat row-major typed array (a copy; changing it does not change the tensor). */
  toArray(): TypedArray { return this.data.slice(); }
  /** The value of a one-element tensor. */
  item(): number {
    if (this.data.length !== 1) throw new ValueError(`item: the tensor has ${this.data.length} elements ${formatShape(this.shape)}, not one`);
    return this.data[0];
  }
  toString(): string { return formatTensor(this); }

  /**
   * Back-propagates from this tensor: an implicit gradient of 1 for a scalar, `gradient` otherwise.
   * Gradients accumulate in `.grad` of the leaves that require them (zero them between steps).
   */
  backward(gradient?: Tensor): void {
    if (!this.requiresGrad) throw new ValueError('backward: this tensor does not require a gradient (no input had requiresGrad, or it was made under noGrad)');
    if (gradient === undefined) {
      if (this.data.length !== 1) throw new ValueError(`backward: an implicit gradient needs a scalar, but the tensor has shape ${formatShape(this.shape)}; pass a gradient`);
      gradient = new Tensor(this.data.slice().fill(1), this.shape);
    }
    runBackward(this, gradient);
  }

  /** The same data, cut from the graph. */
  detach(): Tensor { return new Tensor(this.data, this.shape); }
  /** A copy with its own data (recorded: the gradient passes through). */
  clone(): Tensor { return ew.clone(this); }
  /** Marks a leaf as requiring a gradient (in place, like `requires_grad_()`). */
  requiresGrad_(on = true): this {
    if (on && !isFloating(this.dtype)) throw new ValueError(`requiresGrad: only floating-point tensors can require gradients, not ${this.dtype}`);
    this.requiresGrad = on;
    return this;
  }
  /** Converts to another dtype (float conversions pass the gradient through). */
  to(dtype: DType): Tensor { return ew.cast(this, dtype); }

  add(other: Operand): Tensor { return ew.add(this, other); }
  sub(other: Operand): Tensor { return ew.sub(this, other); }
  mul(other: Operand): Tensor { return ew.mul(this, other); }
  div(other: Operand): Tensor { return ew.div(this, other); }
  pow(exponent: number): Tensor { return ew.pow(this, exponent); }
  maximum(other: Operand): Tensor { return ew.maximum(this, other); }
  minimum(other: Operand): Tensor { return ew.minimum(this, other); }
  neg(): Tensor { return ew.neg(this); }
  exp(): Tensor { return ew.exp(this); }
  log(): Tensor { return ew.log(this); }
  sqrt(): Tensor { return ew.sqrt(this); }
  abs(): Tensor { return ew.abs(this); }
  clamp(min?: number | null, max?: number | null): Tensor { return ew.clamp(this, min ?? null, max ?? null); }
  eq(other: Operand): Tensor { return ew.eq(this, other); }

  sum(dim?: number | number[], keepdim = false): Tensor { return red.sum(this, dim, keepdim); }
  mean(dim?: number | number[], keepdim = false): Tensor { return red.mean(this, dim, keepdim); }
  /** The maximum over all elements, or the maximum values along `dim` (use argmax for the indices). */
  max(dim?: number, keepdim = false): Tensor { return red.max(this, dim, keepdim); }
  min(dim?: number, keepdim = false): Tensor { return red.min(this, dim, keepdim); }
  /** Index of the maximum (first one on ties) over all elements (flat) or along `dim`, as int32. */
  argmax(dim?: number, keepdim = false): Tensor { return red.argmax(this, dim, keepdim); }

  matmul(other: Tensor): Tensor { return matmul(this, other); }

  reshape(...shape: number[] | [number[]]): Tensor { return views.reshape(this, flatArgs(shape)); }
  view(...shape: number[] | [number[]]): Tensor { return views.reshape(this, flatArgs(shape)); }
  flatten(startDim = 0, endDim = -1): Tensor { return views.flatten(this, startDim, endDim); }
  permute(...dims: number[] | [number[]]): Tensor { return views.permute(this, flatArgs(dims)); }
  transpose(dim0: number, dim1: number): Tensor { return views.transpose(this, dim0, dim1); }
  /** The transpose of a 2-D tensor. */
  get T(): Tensor { return views.transpose(this, 0, 1); }
  squeeze(dim?: number): Tensor { return views.squeeze(this, dim); }
  unsqueeze(dim: number): Tensor { return views.unsqueeze(this, dim); }
  expand(...shape: number[] | [number[]]): Tensor { return views.expand(this, flatArgs(shape)); }
  narrow(dim: number, start: number, length: number): Tensor { return views.narrow(this, dim, start, length); }
  select(dim: number, index: number): Tensor { return views.select(this, dim, index); }
  /** Always contiguous here; kept so PyTorch-shaped code reads the same. */
  contiguous(): Tensor { return this; }
}

function flatArgs(args: number[] | [number[]]): number[] {
  return Array.isArray(args[0]) ? (args[0] as number[]) : (args as number[]);
}
