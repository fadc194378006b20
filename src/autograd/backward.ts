import { ShapeError } from '../errors.js';
import { formatShape, sameShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { withGradMode } from './gradMode.js';
import { collectingAllocations, isCandidate, recycle } from '../tensor/recycle.js';

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
  const recycling = new GradientBuffers();
  recycling.hold(gradient);
  collectingAllocations(recycling.candidates, () => withGradMode(false, () => {
    for (const t of order) {
      const g = grads.get(t);
      if (g === undefined) continue;
      grads.delete(t);
      recycling.drop(g);
      const fn = t.gradFn;
      if (fn === null) {
        if (t.requiresGrad) t.grad = t.grad === null ? recycling.adopt(g) ?? g.clone() : t.grad.add(g);
        recycling.release([g]);
        continue;
      }
      const inputGrads = fn.backward(g);
      const consumed = [g];
      fn.inputs.forEach((input, i) => {
        const ig = inputGrads[i];
        if (ig === null || ig === undefined || !input.requiresGrad) return;
        if (!sameShape(ig.shape, input.shape)) {
          throw new ShapeError(`backward of ${fn.name}: gradient ${formatShape(ig.shape)} for input ${i} of shape ${formatShape(input.shape)}`);
        }
        const previous = grads.get(input);
        if (previous === undefined) {
          grads.set(input, ig);
          recycling.hold(ig);
          return;
        }
        const sum = previous.add(ig);
        recycling.drop(previous);
        grads.set(input, sum);
        recycling.hold(sum);
        consumed.push(previous, ig);
      });
      // After every input's gradient is stored: a rule may return one tensor (or views of g) for several inputs.
      recycling.release(consumed);
    }
  }));
}

/**
 * The buffers of the gradients pending in one backward pass, so that the ones the pass allocated
 * go back to the allocator (tensor/recycle.ts) once consumed: reference counts per ArrayBuffer
 * (views share their base's), and the pass's own allocations as the only candidates.
 */
class GradientBuffers {
  readonly candidates = new Set<ArrayBufferLike>();
  private readonly pending = new Map<ArrayBufferLike, number>();

  hold(g: Tensor): void {
    const b = g.data.buffer;
    this.pending.set(b, (this.pending.get(b) ?? 0) + 1);
  }

  drop(g: Tensor): void {
    const b = g.data.buffer;
    this.pending.set(b, this.pending.get(b)! - 1);
  }

  /**
   * A leaf's first gradient as it is, instead of a copy, when the pass allocated its whole buffer
   * and no pending gradient shares it (as PyTorch steals a gradient nothing else holds): the buffer
   * leaves the candidates, so it is never recycled. Otherwise null, and the caller copies.
   */
  adopt(g: Tensor): Tensor | null {
    const d = g.data;
    if (!(d instanceof Float32Array) || (this.pending.get(d.buffer) ?? 0) > 0 || !isCandidate(d, this.candidates)) return null;
    this.candidates.delete(d.buffer);
    return g;
  }

  /** Recycles each consumed gradient the pass allocated that no pending gradient shares. */
  release(consumed: Tensor[]): void {
    for (const g of consumed) {
      const d = g.data;
      if (!(d instanceof Float32Array) || (this.pending.get(d.buffer) ?? 0) > 0 || !isCandidate(d, this.candidates)) continue;
      this.candidates.delete(d.buffer);
      recycle(d);
    }
  }
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
