import { baseSimdWasm, relaxedSimdWasm } from './generated/kernels.js';
import { nodeBuiltin } from './host.js';

/** A compiled kernel module and which instruction set it uses. */
export interface KernelModule {
  readonly module: WebAssembly.Module;
  readonly relaxedSimd: boolean;
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

let relaxedFlagSet = false;

// Node 20 ships relaxed SIMD behind a V8 flag that can still be turned on before a module using it
// is compiled; later Node versions and current browsers have it on, and there this does nothing.
function enableRelaxedSimdInNode(): void {
  if (relaxedFlagSet) return;
  relaxedFlagSet = true;
  const v8 = nodeBuiltin<typeof import('node:v8')>('node:v8');
  v8?.setFlagsFromString('--experimental-wasm-relaxed-simd');
}

const compiled = new Map<boolean, KernelModule | null>();

function compile(relaxedSimd: boolean): KernelModule | null {
  let cached = compiled.get(relaxedSimd);
  if (cached !== undefined) return cached;
  cached = null;
  const bytes = decodeBase64(relaxedSimd ? relaxedSimdWasm : baseSimdWasm);
  if (WebAssembly.validate(bytes)) cached = { module: new WebAssembly.Module(bytes), relaxedSimd };
  compiled.set(relaxedSimd, cached);
  return cached;
}

/**
 * The kernel module this engine can run: relaxed SIMD where available (unless `preferRelaxed` is
 * false), else base SIMD, else null (no WebAssembly SIMD, so no wasm backend).
 */
export function loadKernelModule(preferRelaxed = true): KernelModule | null {
  if (typeof WebAssembly !== 'object') return null;
  if (preferRelaxed) {
    enableRelaxedSimdInNode();
    const relaxed = compile(true);
    if (relaxed !== null) return relaxed;
  }
  return compile(false);
}
