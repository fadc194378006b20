import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { runFused } from './fusion.js';
import { Module } from './module.js';
import type { LayerShape } from './shapeInference.js';

/**
 * Children applied in order. Positional children are named '0', '1', ... and named ones keep
 * their names, so state-dict keys are PyTorch's (`features.0.weight`).
 *
 * @example
 * import { nn } from 'waldo';
 * new nn.Sequential(new nn.Conv2d(1, 6, 5), new nn.ReLU());
 * const model = new nn.Sequential({
 *   features: new nn.Sequential(new nn.Conv2d(1, 6, 5), new nn.ReLU()),
 *   classifier: new nn.Sequential(new nn.Flatten(), new nn.Linear(6 * 24 * 24, 10)),
 * });
 * [...model.stateDict().keys()][0]; // 'features.0.weight'
 */
export class Sequential extends Module {
  constructor(...layers: Module[] | [Record<string, Module>]) {
    super();
    const named = layers.length === 1 && !(layers[0] instanceof Module) ? Object.entries(layers[0] as Record<string, Module>) : (layers as Module[]).map((m, i) => [String(i), m] as const);
    for (const [name, module] of named) {
      if (!(module instanceof Module)) throw new ValueError(`Sequential: child '${name}' is not a Module`);
      this.registerModule(name, module);
    }
  }

  /** The child at a position (negative counts from the end). */
  at(index: number): Module {
    const list = this.children();
    const m = list[index < 0 ? index + list.length : index];
    if (m === undefined) throw new ValueError(`Sequential: index ${index} out of range for ${list.length} children`);
    return m;
  }

  get length(): number {
    return this.children().length;
  }

  /**
   * Runs the children in order. Conv → BatchNorm (→ ReLU) in training, and a convolution or batch
   * norm followed by ReLU, run as one fused op each (fusion.ts).
   */
  forward(x: Tensor): Tensor {
    const layers = this.children();
    let out = x;
    for (let i = 0; i < layers.length; i++) {
      const fused = runFused(layers, i, out);
      if (fused !== null) {
        out = fused.output;
        i += fused.layers - 1;
      } else {
        out = layers[i]!.call(out);
      }
    }
    return out;
  }

  override describe(inputShape: readonly number[], path: string): LayerShape {
    let shape = [...inputShape];
    let macs = 0;
    for (const [name, child] of this.namedChildren()) {
      const described = child.describe(shape, path === '' ? name : `${path}.${name}`);
      shape = described.outputShape;
      macs += described.macs;
    }
    return { outputShape: shape, macs };
  }
}
