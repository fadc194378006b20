import type { Dataset } from './dataset.js';

/**
 * Per-channel mean and standard deviation over every value of every example (channel = first
 * dimension of an example), accumulated in float64, for `normalize`.
 */
export function channelStatistics(dataset: Dataset): { mean: number[]; std: number[] } {
  if (dataset.length === 0) return { mean: [0], std: [1] };
  const channels = dataset.get(0).shape[0];
  const sum = new Float64Array(channels);
  const sumSq = new Float64Array(channels);
  let perChannel = 0;
  for (let i = 0; i < dataset.length; i++) {
    const { input } = dataset.get(i);
    const per = input.length / channels;
    perChannel += per;
    for (let c = 0; c < channels; c++) {
      for (let j = c * per; j < (c + 1) * per; j++) {
        sum[c] += input[j];
        sumSq[c] += input[j] * input[j];
      }
    }
  }
  const mean = Array.from(sum, (s) => s / perChannel);
  const std = Array.from(sumSq, (s, c) => Math.sqrt(Math.max(s / perChannel - mean[c] ** 2, 1e-12)));
  return { mean, std };
}
