import { isNode } from './host.js';
import { loadKernelModule } from './module.js';
import { checkThreadCount } from './numThreads.js';
import { instantiateWasmBackend, type WasmBackend, type WasmBackendOptions } from './wasmBackend.js';

export interface CreateWasmBackendOptions extends WasmBackendOptions {
  /** Use the relaxed-SIMD module where the engine has it (default true); false forces base SIMD. */
  relaxedSimd?: boolean;
}

/**
 * A new wasm backend, or null where WebAssembly SIMD or shared memory is unavailable.
 *
 * @example
 * const backend = createWasmBackend({ threads: 2 }) ?? referenceBackend;
 * const out = new Float32Array(2 * 4);
 * backend.matmul({ batch: 1, m: 2, k: 3, n: 4, transA: false, transB: false, batchA: 1, batchB: 1 }, a, b, out);
 */
export function createWasmBackend(options: CreateWasmBackendOptions = {}): WasmBackend | null {
  if (options.threads !== undefined) checkThreadCount(options.threads, 'createWasmBackend');
  const kernels = loadKernelModule(options.relaxedSimd ?? true);
  if (kernels === null) return null;
  return instantiateWasmBackend(kernels, options, isNode);
}
