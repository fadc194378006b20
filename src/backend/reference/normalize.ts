// Batch norm's two composite kernels on the reference loops: the channel kernels in sequence.
import type { Backend } from '../backend.js';
import { channelAffine, channelDots, channelMoments } from './channels.js';
import { reluBackward } from './relu.js';

export const normalizeChannels: Backend['normalizeChannels'] = (g, x, mean, squares, params, out, epilogue = null) => {
  channelMoments(g, x, mean, squares);
  const { scale, shift } = params(mean, squares);
  channelAffine(g, x, scale, shift, null, out, epilogue);
};

export const normalizeChannelsBackward: Backend['normalizeChannelsBackward'] = (g, dy, x, relu, center, sums, dots, params, dx) => {
  let grad = dy;
  if (relu !== null) {
    // The fused ReLU's input, as the forward pass computed it (same loop, same rounding).
    const like = () => (dy instanceof Float32Array ? new Float32Array(dy.length) : new Float64Array(dy.length));
    const output = like();
    channelAffine(g, x, relu.scale, relu.shift, null, output);
    grad = like();
    reluBackward(dy, output, grad);
  }
  channelDots(g, grad, x, center, sums, dots);
  const { scale, shift, term } = params(sums, dots);
  channelAffine(g, grad, scale, shift, term === null ? null : { x, center: term.center, coef: term.coef }, dx);
};
