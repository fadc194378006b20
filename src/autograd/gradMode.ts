/**
 * Whether ops record their backward rules. Off inside `noGrad(fn)` (evaluation, optimizer steps)
 * and while the engine runs backward rules, so gradients are plain values, not new graphs.
 */
let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

/**
 * Runs `fn` without recording any graph, like `with torch.no_grad():`.
 *
 * @example
 * const y = noGrad(() => model.forward(x)); // y.requiresGrad === false
 */
export function noGrad<T>(fn: () => T): T {
  const previous = enabled;
  enabled = false;
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}

/** Runs `fn` with recording switched on or off, restoring the previous mode afterwards. */
export function withGradMode<T>(on: boolean, fn: () => T): T {
  const previous = enabled;
  enabled = on;
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}
