/**
 * Layers and containers with PyTorch's names, argument order, initialisation and state-dict keys.
 *
 * @example
 * import { nn } from 'waldo';
 * const model = new nn.Sequential(new nn.Conv2d(1, 6, 5, { padding: 2 }), new nn.ReLU(), new nn.MaxPool2d(2));
 *
 * @module
 */
export { Module } from './module.js';
export { Sequential } from './sequential.js';
export { Conv1d, Conv2d, ConvTranspose2d, type ConvLayerOptions, type ConvTransposeLayerOptions, type PaddingMode } from './conv.js';
export { Linear } from './linear.js';
export { ReLU, LeakyReLU, Sigmoid, Tanh, GELU, Identity } from './activation.js';
export { MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool2d, type PoolLayerOptions } from './pooling.js';
export { BatchNorm1d, BatchNorm2d, type BatchNormLayerOptions } from './batchNorm.js';
export { Dropout } from './dropout.js';
export { Flatten } from './flatten.js';
export { summary, formatSummary, type Summary, type SummaryRow } from './summary.js';
export { fanIn, defaultWeightAndBias } from './init.js';
export type { LayerShape } from './shapeInference.js';
export { sequentialLeaves } from './leaves.js';
