import { ValueError } from '../errors.js';
import type { Backend } from './backend.js';
import { referenceBackend } from './reference/index.js';

export type { Backend, Conv2dGeometry, Pool2dGeometry, MatmulGeometry, FloatArray } from './backend.js';

/**
 * The backend that runs float32 kernels: the WebAssembly one wherever it loads, unless
 * `WALDO_BACKEND=reference` or `setBackend('reference')` asks for the plain loops.
 * float64 work (gradient checks) always runs on the reference kernels, which are exact in float64.
 */
let current: Backend | null = null;
const registry = new Map<string, () => Backend | null>([['reference', () => referenceBackend]]);

/**
 * Makes a backend selectable by name; the wasm module registers itself when it is imported.
 *
 * @example
 * import { registerBackend, setBackend, getBackend } from 'waldo';
 * const current = getBackend();
 * registerBackend('mine', () => current); // return null where the backend cannot run
 * setBackend('mine');
 */
export function registerBackend(name: string, create: () => Backend | null): void {
  registry.set(name, create);
}

function envBackend(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.WALDO_BACKEND;
}

/**
 * Selects the backend for float32 kernels by name (`'wasm'` or `'reference'`).
 *
 * @example
 * import { setBackend } from 'waldo';
 * setBackend('reference'); // plain loops, the oracle in tests
 * setBackend('wasm');      // back to the WebAssembly SIMD kernels
 */
export function setBackend(name: string): Backend {
  const create = registry.get(name);
  if (create === undefined) throw new ValueError(`setBackend: unknown backend '${name}'; available: ${[...registry.keys()].join(', ')}`);
  const backend = create();
  if (backend === null) throw new ValueError(`setBackend: backend '${name}' cannot run here (WebAssembly SIMD unavailable)`);
  current = backend;
  return backend;
}

/**
 * The backend in use for float32 kernels.
 *
 * @example
 * import { getBackend } from 'waldo';
 * getBackend().name; // 'wasm' where WebAssembly SIMD is available, else 'reference'
 */
export function getBackend(): Backend {
  if (current !== null) return current;
  const wanted = envBackend();
  if (wanted !== undefined) return setBackend(wanted);
  const chosen: Backend = registry.get('wasm')?.() ?? referenceBackend;
  current = chosen;
  return chosen;
}

/** The backend for kernels on arrays of this dtype: float64 always uses the reference kernels. */
export function backendFor(dtype: 'float32' | 'float64'): Backend {
  return dtype === 'float64' ? referenceBackend : getBackend();
}
