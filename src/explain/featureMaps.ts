/**
 * What each convolution computes on one input: the output of every conv layer of a model, found by
 * running its layers one by one (nested Sequentials in order) and keeping the conv outputs.
 */
import { noGrad } from '../autograd/gradMode.js';
import { Conv1d, Conv2d } from '../nn/conv.js';
import { sequentialLeaves } from '../nn/leaves.js';
import type { Module } from '../nn/module.js';
import type { Tensor } from '../tensor/tensor.js';

export interface FeatureMaps {
  /** State-dict path of the conv layer, e.g. 'features.3'. */
  path: string;
  /** Its output for the input, [N, C, H, W]. */
  output: Tensor;
}

/**
 * The output of every conv layer of a model for an input, in execution order.
 *
 * @example
 * import { explain, models, randn } from 'waldo';
 * const image = randn([1, 1, 28, 28]);
 * explain.featureMaps(models.lenet5(), image).map((m) => [m.path, m.output.shape]); // [['features.0', [1, 6, 28, 28]], ['features.3', [1, 16, 10, 10]]]
 */
export function featureMaps(model: Module, input: Tensor): FeatureMaps[] {
  return noGrad(() => {
    const maps: FeatureMaps[] = [];
    let x = input;
    for (const [path, layer] of sequentialLeaves(model)) {
      x = layer.call(x);
      if (layer instanceof Conv2d || layer instanceof Conv1d) maps.push({ path, output: x });
    }
    return maps;
  });
}

/**
 * The first Conv2d of a model (the one whose filters look at pixels), or null.
 *
 * @example
 * import { explain, models } from 'waldo';
 * explain.firstConv(models.lenet5())?.weight.shape; // [6, 1, 5, 5]
 */
export function firstConv(model: Module): Conv2d | null {
  return (model.modules().find((m) => m instanceof Conv2d) as Conv2d | undefined) ?? null;
}
