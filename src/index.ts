/**
 * waldo: convolutional neural networks in TypeScript with PyTorch's semantics.
 *
 * @example
 * import { tensor, functional as F } from 'waldo';
 * const x = tensor([0, 1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 3, 3]);
 * const k = tensor([0, 1, 2, 3], [1, 1, 2, 2]);
 * F.conv2d(x, k).toArray(); // [19, 25, 37, 43]
 *
 * @packageDocumentation
 */
export * from './tensor/index.js';
export { noGrad, isGradEnabled } from './autograd/gradMode.js';
export { ShapeError, ValueError, FormatError } from './errors.js';
export { getBackend, setBackend, registerBackend } from './backend/index.js';
// Registers the WebAssembly backend, the default wherever it loads.
export { setNumThreads, getNumThreads } from './backend/wasm/index.js';
export * as functional from './ops/functional.js';
export * as optim from './optim/index.js';
export * as nn from './nn/index.js';
export * as models from './models/index.js';
export { summary, formatSummary } from './nn/summary.js';
export * as explain from './explain/index.js';
export * as viz from './viz/index.js';
export * as io from './io/index.js';
