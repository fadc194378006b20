import type { Tensor } from '../tensor/tensor.js';
import { isGradEnabled } from './gradMode.js';

/**
 * One recorded operation: the tensors it read and the rule that turns the gradient of its output
 * into gradients of those inputs (null for an input that needs none). Rules run with recording off.
 */
export interface GradFn {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  backward(gradOutput: Tensor): readonly (Tensor | null)[];
}

/**
 * Attaches a backward rule to `output` when recording is on and some input requires a gradient.
 * Returns `output` so ops can end with `return record(out, ...)`.
 */
export function record(
  output: Tensor,
  name: string,
  inputs: readonly Tensor[],
  backward: (gradOutput: Tensor) => readonly (Tensor | null)[],
): Tensor {
  if (!isGradEnabled() || !inputs.some((t) => t.requiresGrad)) return output;
  output.requiresGrad = true;
  output.gradFn = { name, inputs, backward };
  return output;
}
