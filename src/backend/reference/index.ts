import type { Backend } from '../backend.js';
import { matmul } from './matmul.js';
import { conv2dBackwardData, conv2dBackwardWeight, conv2dForward } from './conv2d.js';
import { conv2dBackward } from './convBackward.js';
import { channelAffine, channelDots, channelMoments } from './channels.js';
import { normalizeChannels, normalizeChannelsBackward } from './normalize.js';
import { conv2dNormalize, normalizeConv2dBackward } from './convNormalize.js';
import { relu, reluBackward } from './relu.js';
import { avgPool2dBackward, avgPool2dForward, maxPool2dBackward, maxPool2dForward } from './pool2d.js';

/**
 * The reference backend: plain loops that read like the equations, for float32 and float64.
 * It is the oracle of the conformance suite and the backend of every float64 computation.
 */
export const referenceBackend: Backend = {
  name: 'reference',
  matmul,
  conv2dForward,
  conv2dBackwardData,
  conv2dBackwardWeight,
  conv2dBackward,
  maxPool2dForward,
  maxPool2dBackward,
  avgPool2dForward,
  avgPool2dBackward,
  channelMoments,
  channelDots,
  channelAffine,
  normalizeChannels,
  normalizeChannelsBackward,
  conv2dNormalize,
  normalizeConv2dBackward,
  relu,
  reluBackward,
};
