/** Activation layers: stateless wrappers of the functional forms, shape-preserving. */
import { gelu, leakyRelu, relu, sigmoid, tanh } from '../ops/activation.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';
import type { LayerShape } from './shapeInference.js';

/** A layer that applies a function elementwise: output shape = input shape, no multiply-accumulates. */
abstract class Elementwise extends Module {
  override describe(inputShape: readonly number[]): LayerShape {
    return { outputShape: [...inputShape], macs: 0 };
  }
}

/**
 * max(0, x) as a layer.
 *
 * @example
 * import { nn, tensor } from 'waldo';
 * new nn.ReLU().call(tensor([-1, 0, 2])).toArray(); // [0, 0, 2]
 */
export class ReLU extends Elementwise {
  forward(x: Tensor): Tensor { return relu(x); }
}

/**
 * x for x > 0, negativeSlope·x otherwise (default slope 0.01), as a layer.
 *
 * @example
 * import { nn, tensor } from 'waldo';
 * new nn.LeakyReLU(0.1).call(tensor([-2, 3])).toArray(); // [-0.2, 3]
 */
export class LeakyReLU extends Elementwise {
  constructor(readonly negativeSlope = 0.01) { super(); }
  forward(x: Tensor): Tensor { return leakyRelu(x, this.negativeSlope); }
  override extraRepr(): string { return `negative_slope=${this.negativeSlope}`; }
}

/**
 * 1 / (1 + e^−x) as a layer.
 *
 * @example
 * import { nn, tensor } from 'waldo';
 * new nn.Sigmoid().call(tensor([0])).toArray(); // [0.5]
 */
export class Sigmoid extends Elementwise {
  forward(x: Tensor): Tensor { return sigmoid(x); }
}

/**
 * The hyperbolic tangent as a layer.
 *
 * @example
 * import { nn, tensor } from 'waldo';
 * new nn.Tanh().call(tensor([0])).toArray(); // [0]
 */
export class Tanh extends Elementwise {
  forward(x: Tensor): Tensor { return tanh(x); }
}

/**
 * GELU, exact erf form (PyTorch's default).
 *
 * @example
 * import { nn, tensor } from 'waldo';
 * new nn.GELU().call(tensor([0, 1])).toArray(); // [0, 0.8413]
 */
export class GELU extends Elementwise {
  forward(x: Tensor): Tensor { return gelu(x); }
  override extraRepr(): string { return "approximate='none'"; }
}

/**
 * Passes its input through (a placeholder that keeps layer indices, as in PyTorch).
 *
 * @example
 * import { nn, tensor } from 'waldo';
 * new nn.Identity().call(tensor([1, 2])).toArray(); // [1, 2]
 */
export class Identity extends Elementwise {
  forward(x: Tensor): Tensor { return x; }
}
