/**
 * Synchronous access to Node's built-in modules without a static import, so that browser bundles of
 * the library never see `node:` specifiers. Node ≥ 20.16 has `process.getBuiltinModule`; older Node
 * 20 releases get a `require` made once, at import time, from `node:module` (a specifier hidden from
 * bundlers; browsers never take that path).
 */

interface NodeProcessLike {
  versions?: { node?: string };
  env?: Record<string, string | undefined>;
  getBuiltinModule?: (id: string) => unknown;
}

const nodeProcess = (globalThis as { process?: NodeProcessLike }).process;

/** True when running in Node (not in a browser or a Web Worker). */
export const isNode = typeof nodeProcess?.versions?.node === 'string';

let requireBuiltin: ((id: string) => unknown) | null = null;
if (isNode && typeof nodeProcess?.getBuiltinModule !== 'function') {
  const specifier = 'node:module';
  const nodeModule = (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as typeof import('node:module');
  requireBuiltin = nodeModule.createRequire(import.meta.url);
}

/** The Node built-in module `id` (such as 'node:os'), or null outside Node. */
export function nodeBuiltin<T>(id: string): T | null {
  if (!isNode) return null;
  if (typeof nodeProcess?.getBuiltinModule === 'function') return nodeProcess.getBuiltinModule(id) as T;
  return requireBuiltin === null ? null : (requireBuiltin(id) as T);
}

/** An environment variable in Node, undefined elsewhere. */
export function envVar(name: string): string | undefined {
  return nodeProcess?.env?.[name];
}
