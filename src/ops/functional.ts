/**
 * The functional API: camelCase mirrors of torch.nn.functional, exported as `functional` (`F`).
 *
 * @example
 * import { functional as F, randn } from 'waldo';
 * const y = F.relu(F.conv2d(randn([1, 3, 8, 8]), randn([4, 3, 3, 3]), null, { padding: 'same' }));
 *
 * @module
 */
export { conv1d, conv2d, convTranspose2d } from './conv.js';
export { pad } from './pad.js';
export { maxPool1d, maxPool2d, avgPool1d, avgPool2d, adaptiveAvgPool2d } from './pool.js';
export { linear } from './linear.js';
export { relu, leakyRelu, sigmoid, tanh, gelu } from './activation.js';
export { softmax, logSoftmax } from './softmax.js';
export { crossEntropy, nllLoss, mseLoss, binaryCrossEntropyWithLogits } from './loss.js';
export { batchNorm } from './norm.js';
export { dropout } from './dropout.js';
