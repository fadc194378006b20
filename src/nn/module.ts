/**
 * The base of every layer and model, with PyTorch's structure: a module owns named parameters
 * (trained), named buffers (state that is saved but not trained, like BatchNorm's running
 * statistics) and named child modules, in registration order. Names compose with dots, so the
 * state dict of `Sequential({ features: Sequential(Conv2d, ...) })` has `features.0.weight`, the
 * same keys PyTorch writes: weights move between the two without renaming.
 */
import { noGrad } from '../autograd/gradMode.js';
import { ShapeError, ValueError } from '../errors.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import type { LayerShape } from './shapeInference.js';

/**
 * The base of every layer and model: named parameters, buffers and child modules, with\nPyTorch's state-dict names. Subclasses implement `forward`; run a module with `call(x)`.
 *
 * @example
 * import { nn, tensor, Tensor } from 'waldo';
 * class Scale extends nn.Module {
 *   readonly weight = this.registerParameter('weight', tensor([2]))!;
 *   forward(x: Tensor): Tensor {
 *     return x.mul(this.weight);
 *   }
 * }
 * const m = new Scale();
 * m.call(tensor([1, 2, 3])).toArray(); // [2, 4, 6]
 * [...m.stateDict().keys()]; // ['weight']
 */
export abstract class Module {
  /** Training mode (dropout active, batch norm on batch statistics); switched by train() and eval(). */
  training = true;
  private readonly parametersByName = new Map<string, Tensor | null>();
  private readonly buffersByName = new Map<string, Tensor | null>();
  private readonly childrenByName = new Map<string, Module>();

  /** The computation; call it through `call(x)`. */
  abstract forward(...inputs: Tensor[]): Tensor;

  /** Runs the module on its input(s), like calling a PyTorch module. */
  call(...inputs: Tensor[]): Tensor {
    return this.forward(...inputs);
  }

  /**
   * The output shape, multiply-accumulates and sliding window of this layer for an input shape,
   * without running any kernel (used by `summary`). Layers override it; a module that does not
   * cannot be summarised.
   */
  describe(inputShape: readonly number[], path: string): LayerShape {
    throw new ShapeError(`summary: ${path || 'the model'} (${this.constructor.name}) cannot infer its output shape without running; give it a describe() method`);
  }

  /** Registers (or replaces) a trained parameter; null keeps the name reserved, like PyTorch's `bias=None`. */
  protected registerParameter(name: string, tensor: Tensor | null): Tensor | null {
    if (tensor !== null) tensor.requiresGrad_(true);
    this.parametersByName.set(name, tensor);
    return tensor;
  }

  /** Registers saved, untrained state such as running statistics. */
  protected registerBuffer(name: string, tensor: Tensor | null): Tensor | null {
    this.buffersByName.set(name, tensor);
    return tensor;
  }

  /** Registers a child module under a name; its parameters are named `name.<its names>`. */
  protected registerModule<M extends Module>(name: string, module: M): M {
    if (!(module instanceof Module)) throw new ValueError(`${this.constructor.name}: child '${name}' is not a Module`);
    this.childrenByName.set(name, module);
    return module;
  }

  /** Direct children with their names. */
  *namedChildren(): Generator<[string, Module]> {
    yield* this.childrenByName;
  }

  children(): Module[] {
    return [...this.childrenByName.values()];
  }

  /** This module and every descendant, depth first, with dotted paths ('' for this one). */
  *namedModules(prefix = ''): Generator<[string, Module]> {
    yield [prefix, this];
    for (const [name, child] of this.childrenByName) yield* child.namedModules(prefix === '' ? name : `${prefix}.${name}`);
  }

  modules(): Module[] {
    return [...this.namedModules()].map(([, m]) => m);
  }

  /** Every parameter with its dotted name, this module's first, then each child's. */
  *namedParameters(prefix = ''): Generator<[string, Tensor]> {
    for (const [path, module] of this.namedModules(prefix)) {
      for (const [name, p] of module.parametersByName) if (p !== null) yield [path === '' ? name : `${path}.${name}`, p];
    }
  }

  parameters(): Tensor[] {
    return [...this.namedParameters()].map(([, p]) => p);
  }

  *namedBuffers(prefix = ''): Generator<[string, Tensor]> {
    for (const [path, module] of this.namedModules(prefix)) {
      for (const [name, b] of module.buffersByName) if (b !== null) yield [path === '' ? name : `${path}.${name}`, b];
    }
  }

  buffers(): Tensor[] {
    return [...this.namedBuffers()].map(([, b]) => b);
  }

  /** Number of trained scalars. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.numel(), 0);
  }

  /** Sets training mode on this module and every descendant; returns this. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: dropout off, batch norm on running statistics. */
  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /**
   * Parameters and buffers by dotted name, in PyTorch's order (each module's parameters, then its
   * buffers, then its children's). The tensors are the module's own: later training changes them.
   */
  stateDict(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    const visit = (module: Module, path: string) => {
      const key = (name: string) => (path === '' ? name : `${path}.${name}`);
      for (const [name, p] of module.parametersByName) if (p !== null) out.set(key(name), p);
      for (const [name, b] of module.buffersByName) if (b !== null) out.set(key(name), b);
      for (const [name, child] of module.childrenByName) visit(child, key(name));
    };
    visit(this, '');
    return out;
  }

  /**
   * Copies values into the parameters and buffers with the same names. With `strict` (default) the
   * names must match exactly; a shape mismatch always fails, naming the key and both shapes.
   * Nothing is changed unless every check passes.
   */
  loadStateDict(dict: ReadonlyMap<string, Tensor> | Record<string, Tensor>, { strict = true }: { strict?: boolean } = {}): void {
    const incoming = dict instanceof Map ? dict : new Map(Object.entries(dict));
    const own = this.stateDict();
    if (strict) {
      const missing = [...own.keys()].filter((k) => !incoming.has(k));
      const unexpected = [...incoming.keys()].filter((k) => !own.has(k));
      if (missing.length > 0 || unexpected.length > 0) {
        const parts = [];
        if (missing.length > 0) parts.push(`missing keys: ${missing.join(', ')}`);
        if (unexpected.length > 0) parts.push(`unexpected keys: ${unexpected.join(', ')}`);
        throw new ValueError(`loadStateDict (${this.constructor.name}): ${parts.join('; ')}`);
      }
    }
    for (const [key, target] of own) {
      const source = incoming.get(key);
      if (source === undefined) continue;
      if (formatShape(source.shape) !== formatShape(target.shape)) {
        throw new ShapeError(`loadStateDict (${this.constructor.name}): '${key}' has shape ${formatShape(source.shape)} in the state dict but ${formatShape(target.shape)} in the model`);
      }
    }
    noGrad(() => {
      for (const [key, target] of own) {
        const source = incoming.get(key);
        if (source !== undefined) target.data.set(source.data);
      }
    });
  }

  /** Applies fn to every module (children first, then this one, as PyTorch's apply), returns this. */
  apply(fn: (module: Module) => void): this {
    for (const child of this.childrenByName.values()) child.apply(fn);
    fn(this);
    return this;
  }

  /** The constructor arguments shown in toString(), like PyTorch's extra_repr. */
  extraRepr(): string {
    return '';
  }

  /** A tree like PyTorch's repr: `Sequential(\n  (0): Conv2d(1, 6, kernel_size=(5, 5), ...)\n)`. */
  toString(): string {
    const name = this.constructor.name;
    const lines = [...this.childrenByName].map(([key, child]) => `(${key}): ${child.toString().replace(/\n/g, '\n  ')}`);
    const extra = this.extraRepr();
    if (lines.length === 0) return `${name}(${extra})`;
    return `${name}(${extra === '' ? '' : extra}\n  ${lines.join('\n  ')}\n)`;
  }
}
