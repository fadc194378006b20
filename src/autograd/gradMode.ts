/**
 * Whether ops record their backward rules. Off inside `noGrad(fn)` (evaluation, optimizer steps)
 * and while the engine runs backward rules, so gradients are plain values, not new graphs.
 */
let enabled = true;

/**
 * Whether operations currently record the graph for backward() (false inside `noGrad`).
 *
 * @example
 * import { isGradEnabled, noGrad } from 'waldo';
 * isGradEnabled(); // true
 * noGrad(() => isGradEnabled()); // false
 */
export function isGradEnabled(): boolean {
  return enabled;
}

/**
 * Runs `fn` without recording any graph, like `with torch.no_grad():`.
 *
 * @example
 * import { noGrad, nn, randn } from 'waldo';
 * const model = new nn.Linear(4, 2);
 * const y = noGrad(() => model.call(randn([1, 4])));
 * y.requiresGrad; // false: no graph was recorded
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
