import type { Tensor } from './tensor.js';

/** Elements shown at each end of a long dimension before eliding with "...", as PyTorch's printing. */
const EDGE = 3;
const LIMIT = 1000;

/**
 * A PyTorch-like rendering: `tensor([[1.0000, 2.0000], [3.0000, 4.0000]])`, eliding the middle
 * of large tensors, with requiresGrad/dtype suffixes when they differ from the defaults.
 */
export function formatTensor(t: Tensor): string {
  const summarize = t.numel() > LIMIT;
  const float = t.dtype !== 'int32';
  const fmt = (v: number): string => {
    if (!float) return String(v);
    if (Number.isNaN(v)) return 'nan';
    if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
    const a = Math.abs(v);
    return a !== 0 && (a >= 1e8 || a < 1e-4) ? v.toExponential(4) : v.toFixed(4);
  };
  const render = (dim: number, offset: number, indent: string): string => {
    if (dim === t.ndim) return fmt(t.data[offset]);
    const size = t.shape[dim];
    const stride = t.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    const indices: (number | null)[] = [];
    if (summarize && size > 2 * EDGE) {
      for (let i = 0; i < EDGE; i++) indices.push(i);
      indices.push(null);
      for (let i = size - EDGE; i < size; i++) indices.push(i);
    } else {
      for (let i = 0; i < size; i++) indices.push(i);
    }
    const parts = indices.map((i) => (i === null ? '...' : render(dim + 1, offset + i * stride, indent + ' ')));
    const sep = dim === t.ndim - 1 ? ', ' : ',\n' + indent + ' ';
    return '[' + parts.join(sep) + ']';
  };
  const suffix: string[] = [];
  if (t.dtype !== 'float32') suffix.push(`dtype=${t.dtype}`);
  if (t.gradFn !== null) suffix.push(`gradFn=${t.gradFn.name}`);
  else if (t.requiresGrad) suffix.push('requiresGrad=true');
  return `tensor(${render(0, 0, '       ')}${suffix.length > 0 ? ', ' + suffix.join(', ') : ''})`;
}
