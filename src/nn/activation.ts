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

export class ReLU extends Elementwise {
  forward(x: Tensor): Tensor { return relu(x); }
}

export class LeakyReLU extends Elementwise {
  constructor(readonly negativeSlope = 0.01) { super(); }
  forward(x: Tensor): Tensor { return leakyRelu(x, this.negativeSlope); }
  override extraRepr(): string { return `negative_slope=${this.negativeSlope}`; }
}

export class Sigmoid extends Elementwise {
  forward(x: Tensor): Tensor { return sigmoid(x); }
}

export class Tanh extends Elementwise {
  forward(x: Tensor): Tensor { return tanh(x); }
}

/** GELU, exact erf form (PyTorch's default). */
export class GELU extends Elementwise {
  forward(x: Tensor): Tensor { return gelu(x); }
  override extraRepr(): string { return "approximate='none'"; }
}

/** Passes its input through (a placeholder that keeps layer indices, as in PyTorch). */
export class Identity extends Elementwise {
  forward(x: Tensor): Tensor { return x; }
}
