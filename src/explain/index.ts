/**
 * Tools that show why convolutions work: parameter counts against dense layers, shift
 * equivariance and invariance measured on real modules, the scanning MLP as a convolution,
 * the Where's-Waldo detector, and pictures of filters and feature maps.
 */
