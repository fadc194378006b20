/**
 * Tools that show why convolutions work: parameter counts against dense layers, shift
 * equivariance and invariance measured on real modules, the scanning MLP as a convolution,
 * the Where's-Waldo detector, and pictures of filters and feature maps.
 *
 * @module
 */
export { denseEquivalent, denseLayerParameters, type DenseComparison } from './denseEquivalent.js';
export { shift2d, shiftEquivariance, shiftInvariance, type EquivarianceReport, type InvarianceReport, type ShiftMode } from './shift.js';
export { ScanningMLP, DistributedScanningMLP, toConv1d, parameterCounts, mlpParameterCount, distributedGeometry, type DistributedLayerSpec, type ScanningParameterCounts } from './scanningMlp.js';
export { generateScene } from './waldoScenes.js';
export { waldoDetector, trainWaldoDetector, findWaldo, evaluateDetector } from './waldoDetector.js';
export { featureMaps, firstConv, type FeatureMaps } from './featureMaps.js';
export { syntheticAudio, audioClassifier, audioClasses, GlobalAvgPool1d } from './audio.js';
export { syntheticText, charClassifier, textClasses, textVocabulary, encodeText } from './text.js';
export { compareShiftRobustness, accuracyUnderShift, globalPoolCnn, type ShiftCurve, type CompareOptions } from './compare.js';
