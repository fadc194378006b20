import { ValueError } from '../errors.js';
import { type DType, type TypedArray, allocate, isFloating } from './dtype.js';
import { type Generator, defaultGenerator } from './random.js';
import { formatShape, sizeOf } from './shape.js';
import { Tensor } from './tensor.js';

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

type Nested = number | readonly Nested[];

/**
 * A tensor from a flat array or typed array in row-major order and a shape (or from nested arrays,
 * whose shape is inferred, or a single number for a scalar). The data is copied.
 *
 * @example
 * import { tensor } from 'waldo';
 * const x = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
 * const labels = tensor([3, 1], [2], { dtype: 'int32' });
 * tensor([[1, 2], [3, 4]]).shape; // [2, 2]
 * tensor(5).item(); // 5
 */
export function tensor(data: Nested | ArrayLike<number>, shape?: readonly number[], options: TensorOptions = {}): Tensor {
  let flat: ArrayLike<number>;
  let inferred: number[];
  if (typeof data === 'number') {
    flat = [data];
    inferred = [];
  } else if (ArrayBuffer.isView(data) || !Array.isArray(data) || !(data as unknown[]).some(Array.isArray)) {
    flat = data as ArrayLike<number>;
    inferred = [flat.length];
  } else {
    ({ flat, shape: inferred } = flattenNested(data as readonly Nested[]));
  }
  const finalShape = shape ?? inferred;
  if (sizeOf(finalShape) !== flat.length) {
    throw new ValueError(`tensor: shape ${formatShape(finalShape)} holds ${sizeOf(finalShape)} elements but ${flat.length} were given`);
  }
  const dtype = options.dtype ?? (data instanceof Float64Array ? 'float64' : data instanceof Int32Array ? 'int32' : 'float32');
  const buffer = allocate(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) buffer[i] = flat[i];
  return finish(new Tensor(buffer, finalShape), options);
}

function flattenNested(data: readonly Nested[]): { flat: number[]; shape: number[] } {
  const shape: number[] = [];
  let level: Nested = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = (level as readonly Nested[])[0];
  }
  const flat = (data as unknown[]).flat(Infinity) as number[];
  if (flat.length !== sizeOf(shape)) throw new ValueError(`tensor: nested arrays are ragged (expected shape ${formatShape(shape)})`);
  return { flat, shape };
}

function finish(t: Tensor, options: TensorOptions): Tensor {
  if (options.requiresGrad) {
    if (!isFloating(t.dtype)) throw new ValueError(`tensor: only floating-point tensors can require gradients, not ${t.dtype}`);
    t.requiresGrad = true;
  }
  return t;
}

function filled(shape: readonly number[], value: number, options: TensorOptions): Tensor {
  checkShape(shape);
  const data: TypedArray = allocate(options.dtype ?? 'float32', sizeOf(shape));
  if (value !== 0) data.fill(value);
  return finish(new Tensor(data, [...shape]), options);
}

function checkShape(shape: readonly number[]): void {
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new ValueError(`invalid shape ${formatShape(shape)}: sizes must be non-negative integers`);
}

/**
 * A tensor of zeros.
 *
 * @example
 * import { zeros } from 'waldo';
 * zeros([2, 3]).toArray(); // Float32Array [0, 0, 0, 0, 0, 0]
 * zeros([2], { dtype: 'int32' }).dtype; // 'int32'
 */
export function zeros(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return filled(shape, 0, options);
}

/**
 * A tensor of ones.
 *
 * @example
 * import { ones } from 'waldo';
 * ones([2, 3]).sum().item(); // 6
 */
export function ones(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return filled(shape, 1, options);
}

/**
 * A tensor filled with `value`.
 *
 * @example
 * import { full } from 'waldo';
 * full([2, 2], 7).toArray(); // Float32Array [7, 7, 7, 7]
 */
export function full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  return filled(shape, value, options);
}

/**
 * A tensor of zeros with the shape and dtype of `t`.
 *
 * @example
 * import { zerosLike, ones } from 'waldo';
 * zerosLike(ones([2, 3])).shape; // [2, 3]
 */
export function zerosLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return zeros(t.shape, { dtype: t.dtype, ...options });
}

/**
 * A tensor of ones with the shape and dtype of `t`.
 *
 * @example
 * import { onesLike, zeros } from 'waldo';
 * onesLike(zeros([2], { dtype: 'int32' })).toArray(); // Int32Array [1, 1]
 */
export function onesLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return ones(t.shape, { dtype: t.dtype, ...options });
}

/**
 * Values start, start+step, … below end (int32 when all three are integers, as PyTorch).
 *
 * @example
 * import { arange } from 'waldo';
 * arange(0, 5).toArray(); // Int32Array [0, 1, 2, 3, 4]
 * arange(5).toArray(); // the same: one argument is the end
 * arange(0, 1, 0.25).toArray(); // Float32Array [0, 0.25, 0.5, 0.75]
 */
export function arange(start: number, end?: number, step = 1, options: TensorOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (step === 0) throw new ValueError('arange: step must be non-zero');
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dtype = options.dtype ?? ([start, end, step].every(Number.isInteger) ? 'int32' : 'float32');
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return finish(new Tensor(data, [n]), options);
}

export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

/**
 * Uniform values in [0, 1) from a seeded generator (the default generator when none is given).
 *
 * @example
 * import { rand, Generator } from 'waldo';
 * rand([2, 2], { generator: new Generator(1) }); // the same four numbers on every run
 */
export function rand(shape: readonly number[], options: RandomOptions = {}): Tensor {
  return random(shape, options, (g) => g.uniform());
}

/**
 * Standard normal values from a seeded generator.
 *
 * @example
 * import { randn, Generator } from 'waldo';
 * randn([3], { generator: new Generator(1) });
 * randn([2, 3], { dtype: 'float64' }).dtype; // 'float64'
 */
export function randn(shape: readonly number[], options: RandomOptions = {}): Tensor {
  return random(shape, options, (g) => g.normal());
}

/**
 * Uniform values in [low, high).
 *
 * @example
 * import { uniform } from 'waldo';
 * uniform([3], -1, 1); // three values in [-1, 1)
 */
export function uniform(shape: readonly number[], low: number, high: number, options: RandomOptions = {}): Tensor {
  return random(shape, options, (g) => low + (high - low) * g.uniform());
}

function random(shape: readonly number[], options: RandomOptions, draw: (g: Generator) => number): Tensor {
  checkShape(shape);
  const dtype = options.dtype ?? 'float32';
  if (!isFloating(dtype)) throw new ValueError(`random values need a floating-point dtype, not ${dtype}`);
  const g = options.generator ?? defaultGenerator;
  const data = allocate(dtype, sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = draw(g);
  return finish(new Tensor(data, [...shape]), options);
}
