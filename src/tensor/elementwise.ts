import { record } from '../autograd/node.js';
import { ValueError } from '../errors.js';
import { type DType, allocate, isFloating, promote } from './dtype.js';
import { binaryMap, sumToShape, unaryMap } from './broadcast.js';
import { Tensor, type Operand } from './tensor.js';

/**
 * A number operand becomes a one-element tensor of the tensor's dtype (as PyTorch, a Python scalar
 * does not promote a float32 tensor); a non-integer number with an int32 tensor gives float32.
 */
function asTensor(x: Tensor, y: Operand): Tensor {
  if (y instanceof Tensor) return y;
  const dtype: DType = x.dtype === 'int32' && !Number.isInteger(y) ? 'float32' : x.dtype;
  const data = allocate(dtype, 1);
  data[0] = y;
  return new Tensor(data, []);
}

function resultType(a: Tensor, b: Tensor): DType {
  return promote(a.dtype, b.dtype);
}

/**
 * a + other, elementwise with broadcasting.
 *
 * @example
 * import { add, tensor, ones } from 'waldo';
 * add(tensor([1, 2]), tensor([10, 20])).toArray(); // [11, 22]
 * add(ones([2, 3]), tensor([1, 2, 3])).shape; // [2, 3]: shapes broadcast as in PyTorch
 * tensor([1, 2]).add(1); // a number works too, and the method form
 */
export function add(a: Tensor, other: Operand): Tensor {
  const b = asTensor(a, other);
  const out = binaryMap(a, b, 'add', resultType(a, b), (x, y) => x + y);
  return record(out, 'add', [a, b], (g) => [sumToShape(g, a.shape), sumToShape(g, b.shape)]);
}

/**
 * a − other, elementwise with broadcasting.
 *
 * @example
 * import { sub, tensor } from 'waldo';
 * sub(tensor([5, 7]), tensor([1, 2])).toArray(); // [4, 5]
 * tensor([5, 7]).sub(2); // a number broadcasts; the method form
 */
export function sub(a: Tensor, other: Operand): Tensor {
  const b = asTensor(a, other);
  const out = binaryMap(a, b, 'sub', resultType(a, b), (x, y) => x - y);
  return record(out, 'sub', [a, b], (g) => [sumToShape(g, a.shape), sumToShape(neg(g), b.shape)]);
}

/**
 * a · other, elementwise with broadcasting.
 *
 * @example
 * import { mul, tensor } from 'waldo';
 * mul(tensor([2, 3]), tensor([4, 5])).toArray(); // [8, 15]
 * tensor([2, 3]).mul(2); // a number broadcasts; the method form
 */
export function mul(a: Tensor, other: Operand): Tensor {
  const b = asTensor(a, other);
  const out = binaryMap(a, b, 'mul', resultType(a, b), (x, y) => x * y);
  return record(out, 'mul', [a, b], (g) => [
    a.requiresGrad ? sumToShape(mul(g, b), a.shape) : null,
    b.requiresGrad ? sumToShape(mul(g, a), b.shape) : null,
  ]);
}

/**
 * True division (int32 operands give float32, as PyTorch's `/`).
 *
 * @example
 * import { div, tensor } from 'waldo';
 * div(tensor([1, 6]), tensor([2, 4])).toArray(); // [0.5, 1.5]
 * tensor([1, 6]).div(2); // a number broadcasts; the method form
 */
export function div(a: Tensor, other: Operand): Tensor {
  const b = asTensor(a, other);
  const dtype = resultType(a, b);
  const out = binaryMap(a, b, 'div', dtype === 'int32' ? 'float32' : dtype, (x, y) => x / y);
  return record(out, 'div', [a, b], (g) => [
    a.requiresGrad ? sumToShape(div(g, b), a.shape) : null,
    b.requiresGrad ? sumToShape(neg(mul(g, div(out, b))), b.shape) : null,
  ]);
}

/**
 * Elementwise maximum; where both are equal the gradient is split in half (as PyTorch).
 *
 * @example
 * import { maximum, tensor } from 'waldo';
 * maximum(tensor([1, 5]), tensor([3, 2])).toArray(); // [3, 5]
 * tensor([1, 5]).maximum(2); // a number broadcasts; the method form
 */
export function maximum(a: Tensor, other: Operand): Tensor {
  return extremum(a, asTensor(a, other), 'maximum', (x, y) => (x > y ? 1 : x < y ? 0 : 0.5));
}

/**
 * Elementwise minimum; where both are equal the gradient is split in half (as PyTorch).
 *
 * @example
 * import { minimum, tensor } from 'waldo';
 * minimum(tensor([1, 5]), tensor([3, 2])).toArray(); // [1, 2]
 * tensor([1, 5]).minimum(2); // a number broadcasts; the method form
 */
export function minimum(a: Tensor, other: Operand): Tensor {
  return extremum(a, asTensor(a, other), 'minimum', (x, y) => (x < y ? 1 : x > y ? 0 : 0.5));
}

/** `share(x, y)` is the fraction of the gradient that goes to a (the rest goes to b). */
function extremum(a: Tensor, b: Tensor, name: string, share: (x: number, y: number) => number): Tensor {
  const pickA = binaryMap(a, b, name, resultType(a, b), share);
  const out = binaryMap(a, b, name, resultType(a, b), (x, y) => (share(x, y) >= 0.5 ? x : y));
  return record(out, name, [a, b], (g) => [
    sumToShape(mul(g, pickA), a.shape),
    sumToShape(mul(g, unaryMap(pickA, (p) => 1 - p)), b.shape),
  ]);
}

/**
 * −x.
 *
 * @example
 * import { neg, tensor } from 'waldo';
 * neg(tensor([1, -2])).toArray(); // [-1, 2]
 * tensor([1, -2]).neg(); // the same, as a method
 */
export function neg(x: Tensor): Tensor {
  const out = unaryMap(x, (v) => -v);
  return record(out, 'neg', [x], (g) => [neg(g)]);
}

/**
 * x ** exponent for a number exponent.
 *
 * @example
 * import { pow, tensor } from 'waldo';
 * pow(tensor([1, 2, 3]), 2).toArray(); // [1, 4, 9]
 * tensor([4, 9]).pow(0.5).toArray(); // [2, 3]
 */
export function pow(x: Tensor, exponent: number): Tensor {
  const out = unaryMap(x, (v) => v ** exponent, isFloating(x.dtype) || Number.isInteger(exponent) ? x.dtype : 'float32');
  return record(out, 'pow', [x], (g) => [mul(g, unaryMap(x, (v) => (exponent === 0 ? 0 : exponent * v ** (exponent - 1))))]);
}

/**
 * e^x.
 *
 * @example
 * import { exp, tensor } from 'waldo';
 * exp(tensor([0, 1])).toArray(); // [1, 2.7183]
 * tensor([0, 1]).exp(); // the same, as a method
 */
export function exp(x: Tensor): Tensor {
  const out = unaryMap(x, Math.exp, floatType(x));
  return record(out, 'exp', [x], (g) => [mul(g, out)]);
}

/**
 * The natural logarithm.
 *
 * @example
 * import { log, tensor } from 'waldo';
 * log(tensor([1, Math.E])).toArray(); // [0, 1]
 * tensor([1, Math.E]).log(); // the same, as a method
 */
export function log(x: Tensor): Tensor {
  const out = unaryMap(x, Math.log, floatType(x));
  return record(out, 'log', [x], (g) => [div(g, x)]);
}

/**
 * √x.
 *
 * @example
 * import { sqrt, tensor } from 'waldo';
 * sqrt(tensor([4, 9])).toArray(); // [2, 3]
 * tensor([4, 9]).sqrt(); // the same, as a method
 */
export function sqrt(x: Tensor): Tensor {
  const out = unaryMap(x, Math.sqrt, floatType(x));
  return record(out, 'sqrt', [x], (g) => [div(g, mul(out, 2))]);
}

/**
 * |x|; the gradient at 0 is 0 (sign(0)), as PyTorch.
 *
 * @example
 * import { abs, tensor } from 'waldo';
 * abs(tensor([-2, 0, 3])).toArray(); // [2, 0, 3]
 * tensor([-2, 0, 3]).abs(); // the same, as a method
 */
export function abs(x: Tensor): Tensor {
  const out = unaryMap(x, Math.abs);
  return record(out, 'abs', [x], (g) => [mul(g, unaryMap(x, Math.sign))]);
}

/**
 * Limits x to [min, max] (either may be null); the gradient passes where min ≤ x ≤ max.
 *
 * @example
 * import { clamp, tensor } from 'waldo';
 * clamp(tensor([-2, 0.5, 3]), 0, 1).toArray(); // [0, 0.5, 1]
 * clamp(tensor([-2, 3]), null, 1).toArray(); // [-2, 1]
 */
export function clamp(x: Tensor, min: number | null, max: number | null): Tensor {
  if (min === null && max === null) throw new ValueError('clamp: at least one of min and max must be given');
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  const out = unaryMap(x, (v) => (v < lo ? lo : v > hi ? hi : v));
  return record(out, 'clamp', [x], (g) => [mul(g, unaryMap(x, (v) => (v >= lo && v <= hi ? 1 : 0), g.dtype))]);
}

/**
 * 1 where equal, 0 elsewhere, as int32 (not differentiable).
 *
 * @example
 * import { eq, tensor } from 'waldo';
 * eq(tensor([1, 2, 3]), tensor([1, 0, 3])).toArray(); // Int32Array [1, 0, 1]
 * tensor([1, 2, 3]).eq(2); // a number broadcasts; the method form
 */
export function eq(a: Tensor, other: Operand): Tensor {
  return binaryMap(a, asTensor(a, other), 'eq', 'int32', (x, y) => (x === y ? 1 : 0));
}

/**
 * A copy with its own buffer; the gradient passes through unchanged.
 *
 * @example
 * import { clone, tensor } from 'waldo';
 * const x = tensor([1, 2]);
 * const y = clone(x);
 * y.data[0] = 5; // x is unchanged
 */
export function clone(x: Tensor): Tensor {
  const out = new Tensor(x.data.slice(), x.shape);
  return record(out, 'clone', [x], (g) => [g]);
}

/**
 * Converts the dtype; between float types the gradient is converted back.
 *
 * @example
 * import { cast, tensor } from 'waldo';
 * cast(tensor([1.7, -1.7]), 'int32').toArray(); // Int32Array [1, -1]
 * tensor([1, 2]).to('float64').dtype; // 'float64': the method form
 */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (dtype === x.dtype) return x;
  const data = allocate(dtype, x.data.length);
  if (dtype === 'int32') for (let i = 0; i < data.length; i++) data[i] = Math.trunc(x.data[i]);
  else data.set(x.data);
  const out = new Tensor(data, x.shape);
  if (!isFloating(dtype)) return out;
  return record(out, 'cast', [x], (g) => [cast(g, x.dtype)]);
}

function floatType(x: Tensor): DType {
  return isFloating(x.dtype) ? x.dtype : 'float32';
}
