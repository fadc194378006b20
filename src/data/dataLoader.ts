import { ValueError } from '../errors.js';
import { Generator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import type { Dataset } from './dataset.js';
import type { Transform } from './transforms.js';

export interface DataLoaderOptions {
  batchSize?: number;
  /** Reshuffle the order at the start of every pass, from `generator`. */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize. */
  dropLast?: boolean;
  /** Seeded source of the shuffle order and of random transforms (a new Generator(0) when omitted). */
  generator?: Generator;
  transform?: Transform;
}

/** One batch: inputs [B, ...shape] as float32 and labels [B] as int32. */
export interface Batch {
  x: Tensor;
  y: Tensor;
}

/**
 * Batches of a dataset, optionally shuffled and transformed, like torch.utils.data.DataLoader.
 * All randomness comes from the loader's generator, so saving `generator.getState()` between
 * passes and restoring it reproduces the following passes exactly.
 *
 * @example
 * const loader = new DataLoader(train, { batchSize: 64, shuffle: true, generator: new Generator(1) });
 * for (const { x, y } of loader) { ... }
 */
export class DataLoader implements Iterable<Batch> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly generator: Generator;
  readonly transform?: Transform;

  constructor(readonly dataset: Dataset, options: DataLoaderOptions = {}) {
    this.batchSize = options.batchSize ?? 1;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new ValueError(`DataLoader: batchSize must be a positive integer, got ${options.batchSize}`);
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.generator = options.generator ?? new Generator(0);
    this.transform = options.transform;
  }

  /** Number of batches in one pass. */
  get length(): number {
    const n = this.dataset.length / this.batchSize;
    return this.dropLast ? Math.floor(n) : Math.ceil(n);
  }

  *[Symbol.iterator](): Iterator<Batch> {
    const n = this.dataset.length;
    const order = this.shuffle ? this.generator.permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
    for (let start = 0; start < n; start += this.batchSize) {
      const size = Math.min(this.batchSize, n - start);
      if (size < this.batchSize && this.dropLast) break;
      yield this.collate(order.subarray(start, start + size));
    }
  }

  private collate(indices: Int32Array): Batch {
    let inputs: Float32Array | null = null;
    let shape: readonly number[] = [];
    const labels = new Int32Array(indices.length);
    indices.forEach((index, b) => {
      let sample = this.dataset.get(index);
      if (this.transform !== undefined) sample = this.transform(sample, this.generator);
      if (inputs === null) {
        shape = sample.shape;
        inputs = new Float32Array(indices.length * sample.input.length);
      }
      if (sample.input.length * indices.length !== inputs.length) {
        throw new ValueError(`DataLoader: example ${index} has shape [${sample.shape.join(', ')}] but the batch started with [${shape.join(', ')}]`);
      }
      inputs.set(sample.input, b * sample.input.length);
      labels[b] = sample.label;
    });
    return { x: new Tensor(inputs ?? new Float32Array(0), [indices.length, ...shape]), y: new Tensor(labels, [indices.length]) };
  }
}
