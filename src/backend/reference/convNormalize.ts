// A convolution and the batch norm after it as one call, on the reference loops: the two composite
// kernels in sequence, with the gradient between them in an array of its own.
import type { Backend } from '../backend.js';
import { conv2dForward } from './conv2d.js';
import { conv2dBackward } from './convBackward.js';
import { normalizeChannels, normalizeChannelsBackward } from './normalize.js';

export const conv2dNormalize: Backend['conv2dNormalize'] = (conv, norm) => {
  conv2dForward(conv.g, conv.x, conv.w, conv.bias, conv.out);
  normalizeChannels(norm.g, conv.out, norm.mean, norm.squares, norm.params, norm.out, norm.epilogue);
};

export const normalizeConv2dBackward: Backend['normalizeConv2dBackward'] = (norm, conv) => {
  const dy = norm.dy instanceof Float32Array ? new Float32Array(norm.dy.length) : new Float64Array(norm.dy.length);
  normalizeChannelsBackward(norm.g, norm.dy, norm.x, norm.relu, norm.center, norm.sums, norm.dots, norm.params, dy);
  conv2dBackward(conv.g, conv.x, conv.w, dy, null, conv.dx, conv.dw, conv.db);
};
