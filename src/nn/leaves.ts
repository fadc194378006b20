import type { Module } from './module.js';
import { Sequential } from './sequential.js';

/**
 * The layers of a model in execution order with their dotted paths: the leaves of nested
 * Sequentials (any other module counts as one layer). Summary and the feature-map pictures walk these.
 *
 * @example
 * import { nn, models } from 'waldo';
 * nn.sequentialLeaves(models.lenet5()).map(([path, layer]) => path).slice(0, 3); // ['features.0', 'features.1', 'features.2']
 */
export function sequentialLeaves(module: Module, path = ''): [string, Module][] {
  if (!(module instanceof Sequential)) return [[path, module]];
  return [...module.namedChildren()].flatMap(([name, child]) => sequentialLeaves(child, path === '' ? name : `${path}.${name}`));
}
