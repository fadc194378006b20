// A convolution layer's composite backward on the reference loops: the single kernels in sequence.
import type { Backend } from '../backend.js';
import { channelDots } from './channels.js';
import { conv2dBackwardData, conv2dBackwardWeight } from './conv2d.js';
import { reluBackward } from './relu.js';

export const conv2dBackward: Backend['conv2dBackward'] = (g, x, w, dy, mask, dx, dw, db) => {
  let grad = dy;
  if (mask !== null) {
    grad = dy instanceof Float32Array ? new Float32Array(dy.length) : new Float64Array(dy.length);
    reluBackward(dy, mask, grad);
  }
  if (dx !== null) conv2dBackwardData(g, grad, w, dx);
  if (dw !== null) conv2dBackwardWeight(g, x, grad, dw);
  if (db !== null) {
    const channels = { batch: g.batch, channels: g.outChannels, spatial: g.outHeight * g.outWidth };
    channelDots(channels, grad, grad, new Float64Array(g.outChannels), db, new Float64Array(g.outChannels));
  }
};
