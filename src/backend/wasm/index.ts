/**
 * The WebAssembly SIMD backend: packed GEMM, convolutions and pooling compiled from AssemblyScript
 * (assembly/), running on worker threads over one shared wasm memory.
 */
import { registerBackend } from '../index.js';
import { createWasmBackend } from './create.js';
import type { WasmBackend } from './wasmBackend.js';

export { createWasmBackend, type CreateWasmBackendOptions } from './create.js';
export { getNumThreads, setNumThreads } from './numThreads.js';
export type { WasmBackend, WasmBackendOptions } from './wasmBackend.js';

let shared: WasmBackend | null | undefined;

// Selectable as setBackend('wasm'): one backend for the process, following setNumThreads().
registerBackend('wasm', () => {
  if (shared === undefined) shared = createWasmBackend();
  return shared;
});
