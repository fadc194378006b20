/**
 * Tools that show why convolutions work: parameter counts against dense layers, shift
 * equivariance and invariance measured on real modules, the scanning MLP as a convolution,
 * the Where's-Waldo detector, and pictures of filters and feature maps.
 */
export { denseEquivalent, denseLayerParameters, type DenseComparison } from './denseEquivalent.js';
export { shift2d, shiftEquivariance, shiftInvariance, type EquivarianceReport, type InvarianceReport, type ShiftMode } from './shift.js';
