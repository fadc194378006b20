import type { Module } from './module.js';
import { Sequential } from './sequential.js';

/**
 * The layers of a model in execution order with their dotted paths: the leaves of nested
 * Sequentials (any other module counts as one layer). Summary and the feature-map pictures walk these.
 */
export function sequentialLeaves(module: Module, path = ''): [string, Module][] {
  if (!(module instanceof Sequential)) return [[path, module]];
  return [...module.namedChildren()].flatMap(([name, child]) => sequentialLeaves(child, path === '' ? name : `${path}.${name}`));
}
