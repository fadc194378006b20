import { ShapeError, ValueError } from '../errors.js';
import { formatShape, sizeOf } from '../tensor/shape.js';

/** One example: its input as a flat row-major array of `shape` (e.g. [C, H, W] or [C, L]) and its class. */
export interface Sample {
  input: Float32Array;
  shape: readonly number[];
  label: number;
}

/** Indexed examples, like torch.utils.data.Dataset. */
export interface Dataset {
  readonly length: number;
  get(index: number): Sample;
  /** Class names in label order, when known. */
  readonly classes?: readonly string[];
}

/**
 * Examples stored in one contiguous array: inputs [N, ...shape] and int32 labels [N].
 *
 * @example
 * const ds = new ArrayDataset(new Float32Array(2 * 4), [1, 2, 2], new Int32Array([0, 1]));
 * ds.get(1).label; // 1
 */
export class ArrayDataset implements Dataset {
  readonly length: number;
  private readonly itemSize: number;

  constructor(
    readonly inputs: Float32Array,
    readonly shape: readonly number[],
    readonly labels: Int32Array,
    readonly classes?: readonly string[],
  ) {
    this.itemSize = sizeOf(shape);
    this.length = labels.length;
    if (inputs.length !== this.length * this.itemSize) {
      throw new ShapeError(`ArrayDataset: ${labels.length} labels need ${this.length * this.itemSize} input values of shape ${formatShape(shape)}, got ${inputs.length}`);
    }
  }

  get(index: number): Sample {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) throw new ValueError(`ArrayDataset: index ${index} is out of range for ${this.length} examples`);
    const start = index * this.itemSize;
    return { input: this.inputs.subarray(start, start + this.itemSize), shape: this.shape, label: this.labels[index] };
  }
}

/** The examples of `dataset` at `indices`, in that order. */
export class Subset implements Dataset {
  readonly classes?: readonly string[];
  constructor(readonly dataset: Dataset, readonly indices: ArrayLike<number>) {
    this.classes = dataset.classes;
  }
  get length(): number {
    return this.indices.length;
  }
  get(index: number): Sample {
    if (index < 0 || index >= this.indices.length) throw new ValueError(`Subset: index ${index} is out of range for ${this.indices.length} examples`);
    return this.dataset.get(this.indices[index]);
  }
}
