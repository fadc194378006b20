import { ShapeError } from '../errors.js';
import { formatShape, sameShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { withGradMode } from './gradMode.js';

/**
 * Reverse-mode differentiation from `root`: orders the graph topologically with an explicit stack
 * (a 1,000-layer chain must not overflow the call stack), then runs each backward rule once, after
 * every consumer of its output has contributed. Gradients accumulate into `.grad` of leaf tensors
 * that require them, as PyTorch does (intermediate tensors keep none).
 */
export function runBackward(root: Tensor, gradient: Tensor): void {
  if (!sameShape(root.shape, gradient.shape)) {
    throw new ShapeError(`backward: gradient shape ${formatShape(gradient.shape)} does not match the tensor's shape ${formatShape(root.shape)}`);
  }
  const order = topologicalOrder(root);
  const grads = new Map<Tensor, Tensor>([[root, gradient]]);
  withGradMode(false, () => {
    for (const t of order) {
      const g = grads.get(t);
      if (g === undefined) continue;
      grads.delete(t);
      const fn = t.gradFn;
      if (fn === null) {
        if (t.requiresGrad) t.grad = t.grad === null ? g.clone() : t.grad.add(g);
        continue;
      }
      const inputGrads = fn.backward(g);
      fn.inputs.forEach((input, i) => {
        const ig = inputGrads[i];
        if (ig === null || ig === undefined || !input.requiresGrad) return;
        if (!sameShape(ig.shape, input.shape)) {
          throw new ShapeError(`backward of ${fn.name}: gradient ${formatShape(ig.shape)} for input ${i} of shape ${formatShape(input.shape)}`);
        }
        const previous = grads.get(input);
        grads.set(input, previous === undefined ? ig : previous.add(ig));
      });
    }
  });
}

/** Tensors reachable from root, each after all tensors that consume it (reverse post-order). */
function topologicalOrder(root: Tensor): Tensor[] {
  const postOrder: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: { t: Tensor; next: number }[] = [{ t: root, next: 0 }];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const inputs = top.t.gradFn?.inputs ?? [];
    if (top.next < inputs.length) {
      const child = inputs[top.next++];
      if (child.requiresGrad && !visited.has(child)) {
        visited.add(child);
        stack.push({ t: child, next: 0 });
      }
    } else {
      postOrder.push(top.t);
      stack.pop();
    }
  }
  return postOrder.reverse();
}
