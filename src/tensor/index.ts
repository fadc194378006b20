export { Tensor, type Operand } from './tensor.js';
export type { DType, TypedArray } from './dtype.js';
export { tensor, zeros, ones, full, zerosLike, onesLike, arange, rand, randn, uniform, type TensorOptions, type RandomOptions } from './creation.js';
export { Generator, manualSeed, defaultGenerator } from './random.js';
export { add, sub, mul, div, neg, pow, exp, log, sqrt, abs, clamp, maximum, minimum, eq, clone, cast } from './elementwise.js';
export { sum, mean, max, min, argmax } from './reduce.js';
export { reshape, flatten, permute, transpose, squeeze, unsqueeze, expand, narrow, select, cat, stack } from './views.js';
export { matmul } from './matmul.js';
export { sizeOf, formatShape } from './shape.js';
