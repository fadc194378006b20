import { ShapeError, ValueError } from '../errors.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** The element arrays an optimizer updates: a floating-point parameter's `.data`, and its state buffers. */
export type FloatArray = Float32Array | Float64Array;

/** Options every optimizer has; each optimizer adds its own (momentum, betas, ...). */
export interface OptimizerOptions {
  lr: number;
}

/**
 * Fields a learning-rate scheduler may add to a parameter group, as PyTorch's schedulers do
 * (`initial_lr`, and OneCycleLR's `max_lr`, `min_lr`, `max_momentum`, `base_momentum`). They are
 * saved with the group in the optimizer's state dict.
 */
export interface SchedulerFields {
  initialLr?: number;
  maxLr?: number;
  minLr?: number;
  maxMomentum?: number;
  baseMomentum?: number;
}

/** One of an optimizer's parameter groups: its parameters and the options used to update them. */
export type ParamGroup<O extends OptimizerOptions = OptimizerOptions> = O & SchedulerFields & { params: Tensor[] };

/** A parameter group as given to a constructor: options left out take the optimizer's defaults. */
export type ParamGroupInput<O extends OptimizerOptions = OptimizerOptions> = Partial<O> & { params: Tensor[] };

/** What an optimizer is built from: a list of parameters (one group), or a list of parameter groups. */
export type Params<O extends OptimizerOptions = OptimizerOptions> = Tensor[] | ParamGroupInput<O>[];

/** One value of per-parameter state: a step count, a buffer with one element per parameter element, or null. */
export type StateValue = number | null | FloatArray;

/**
 * An optimizer's state as a plain object, like PyTorch's `optimizer.state_dict()`:
 *
 * ```
 * {
 *   state: { '0': { step: 3, expAvg: Float32Array [...], expAvgSq: Float32Array [...] }, '2': {...} },
 *   paramGroups: [{ lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false,
 *                   initialLr: 0.001, params: [0, 1, 2] }],
 * }
 * ```
 *
 * Parameters are numbered 0, 1, 2... through the groups in order; `state` is keyed by that number
 * (as a string) and holds only parameters that have been stepped. Buffers are copies in the
 * parameter's dtype (Float32Array or Float64Array), so a snapshot does not change as training goes
 * on; loadStateDict also accepts plain number arrays (e.g. after `JSON.stringify`, which does not
 * keep typed arrays). Everything else is JSON: numbers, booleans, null and arrays of numbers.
 */
export interface OptimizerStateDict {
  state: Record<string, Record<string, StateValue | number[]>>;
  paramGroups: (Record<string, unknown> & { params: number[] })[];
}

/**
 * The base of waldo's optimizers, with PyTorch's `torch.optim.Optimizer` semantics: parameter
 * groups with their own options (`paramGroups[i].lr` is what schedulers read and write), per-
 * parameter state created at a parameter's first step, `zeroGrad()` setting gradients to null,
 * and a state dict from which a new optimizer continues bit-identically.
 *
 * `step()` writes straight into each parameter's `.data`: no graph is recorded, and parameters
 * whose `.grad` is null are skipped (their state is not created or advanced). A subclass supplies
 * `update()`, the per-element rule for one parameter, written as a single loop in float64
 * arithmetic whose results are stored in the parameter's (and the buffers') own dtype.
 *
 * @example
 * import { optim, nn, functional as F, randn } from 'waldo';
 * const model = new nn.Linear(4, 1);
 * const opt: optim.Optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad();
 * F.mseLoss(model.call(randn([8, 4])), randn([8, 1])).backward();
 * opt.step();
 * opt.paramGroups[0].lr; // 0.1
 */
export abstract class Optimizer<O extends OptimizerOptions = OptimizerOptions, S extends object = object> {
  /** The options groups fall back on, as given to the constructor (PyTorch's `defaults`). */
  readonly defaults: Readonly<Partial<O>>;
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state (PyTorch's `optimizer.state`), created at a parameter's first step. */
  readonly state = new Map<Tensor, S>();

  protected constructor(
    /** The optimizer's name, used in error messages. */
    readonly name: string,
    params: Params<O>,
    defaults: Partial<O>,
  ) {
    this.defaults = defaults;
    if (params instanceof Tensor || !Array.isArray(params)) {
      throw new ValueError(`${name}: params must be an array of tensors (e.g. model.parameters()) or of parameter groups { params, ...options }`);
    }
    if (params.length === 0) throw new ValueError(`${name}: got an empty parameter list`);
    const groups: ParamGroupInput<O>[] = params.every((p) => p instanceof Tensor)
      ? [{ params: params as Tensor[] } as ParamGroupInput<O>]
      : (params as ParamGroupInput<O>[]);
    for (const group of groups) this.addParamGroup(group);
  }

  /**
   * Adds a group of parameters with its own options (those left out take the defaults), like
   * PyTorch's `add_param_group`; e.g. to train a new head with a larger learning rate.
   */
  addParamGroup(group: ParamGroupInput<O>): void {
    const where = `parameter group ${this.paramGroups.length}`;
    if (group === null || typeof group !== 'object' || group instanceof Tensor || !Array.isArray(group.params)) {
      throw new ValueError(`${this.name}: ${where} must be an object { params: Tensor[], ...options }`);
    }
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    const params: Tensor[] = [];
    group.params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new ValueError(`${this.name}: ${where}: params[${i}] is not a Tensor`);
      if (p.dtype !== 'float32' && p.dtype !== 'float64') throw new ValueError(`${this.name}: ${where}: params[${i}] is ${p.dtype}; only floating-point tensors can be optimized`);
      if (!p.isLeaf) throw new ValueError(`${this.name}: ${where}: params[${i}] is not a leaf tensor (it was computed from others); optimize the tensors it was made from`);
      if (seen.has(p)) throw new ValueError(`${this.name}: ${where}: params[${i}] ${formatShape(p.shape)} appears more than once in the parameter groups; each parameter may be given once`);
      seen.add(p);
      params.push(p);
    });
    if (params.length === 0) throw new ValueError(`${this.name}: ${where} has no parameters`);
    const merged: Record<string, unknown> = { params };
    for (const [key, value] of Object.entries({ ...this.defaults, ...withoutUndefined(group) })) if (key !== 'params') merged[key] = copyValue(value);
    if (merged.lr === undefined) throw new ValueError(`${this.name}: lr is required; give it in the options or in every parameter group (${where} has none)`);
    this.validate(merged as unknown as ParamGroup<O>, this.paramGroups.length);
    this.paramGroups.push(merged as unknown as ParamGroup<O>);
  }

  /**
   * Checks one group's options, throwing a ValueError that names the optimizer and the option.
   * `index` is the group's position (named in the message when there are several groups).
   */
  protected abstract validate(group: ParamGroup<O>, index: number): void;

  /** The state entries a parameter in `group` must have (checked when a state dict is loaded). */
  protected abstract stateKeys(group: ParamGroup<O>): readonly string[];

  /** Creates the state of a parameter at its first step. */
  protected abstract initState(param: Tensor, group: ParamGroup<O>): S;

  /**
   * Updates one parameter in place from its gradient: `param` is the parameter's `.data`, `grad`
   * its gradient's elements (same length), `state` the parameter's state (updated in place).
   */
  protected abstract update(param: FloatArray, grad: ArrayLike<number>, group: ParamGroup<O>, state: S): void;

  /** Performs one optimisation step on every parameter that has a gradient. */
  step(): void {
    let index = 0;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const grad = p.grad;
        if (grad !== null) {
          if (grad.numel() !== p.numel()) {
            throw new ShapeError(`${this.name}.step: parameter ${index} has shape ${formatShape(p.shape)} but its gradient has shape ${formatShape(grad.shape)}`);
          }
          let state = this.state.get(p);
          if (state === undefined) {
            state = this.initState(p, group);
            this.state.set(p, state);
          }
          this.update(p.data as FloatArray, grad.data, group, state);
        }
        index++;
      }
    }
  }

  /**
   * Clears the gradients of all parameters: sets them to null (PyTorch 2's default), or with
   * `setToNone = false` fills them with zeros in place.
   */
  zeroGrad(setToNone = true): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (setToNone) p.grad = null;
        else p.grad?.data.fill(0);
      }
    }
  }

  /** The optimizer's state and options as a plain object (see OptimizerStateDict for the format). */
  stateDict(): OptimizerStateDict {
    const indices = this.parameterIndices();
    const state: OptimizerStateDict['state'] = {};
    for (const [p, s] of this.state) {
      const entry: Record<string, StateValue> = {};
      for (const [key, value] of Object.entries(s)) entry[key] = copyValue(value as StateValue) as StateValue;
      state[String(indices.get(p))] = entry;
    }
    const paramGroups = this.paramGroups.map((group) => {
      const packed: Record<string, unknown> & { params: number[] } = { params: group.params.map((p) => indices.get(p) as number) };
      for (const [key, value] of Object.entries(group)) if (key !== 'params') packed[key] = copyValue(value);
      return packed;
    });
    return { state, paramGroups };
  }

  /**
   * Restores a state dict from `stateDict()` of an optimizer of the same kind over parameters of
   * the same shapes, in the same groups: group options (lr, momentum, scheduler fields...) are
   * replaced by the saved ones, and the state buffers are copied into the parameters' dtype.
   */
  loadStateDict(dict: OptimizerStateDict): void {
    const where = `${this.name}.loadStateDict`;
    if (dict === null || typeof dict !== 'object' || !Array.isArray(dict.paramGroups) || dict.state === null || typeof dict.state !== 'object') {
      throw new ValueError(`${where}: expected an object { state, paramGroups } from stateDict()`);
    }
    if (dict.paramGroups.length !== this.paramGroups.length) {
      throw new ValueError(`${where}: the state dict has ${dict.paramGroups.length} parameter groups but the optimizer has ${this.paramGroups.length}`);
    }
    const byIndex = new Map<number, Tensor>();
    dict.paramGroups.forEach((saved, g) => {
      const current = this.paramGroups[g];
      if (!Array.isArray(saved.params) || saved.params.length !== current.params.length) {
        throw new ValueError(`${where}: parameter group ${g} holds ${Array.isArray(saved.params) ? saved.params.length : 'no'} parameters in the state dict but ${current.params.length} in the optimizer`);
      }
      for (const key of Object.keys(this.defaults)) {
        if (!(key in saved)) throw new ValueError(`${where}: parameter group ${g} of the state dict has no '${key}'; was it saved from another kind of optimizer?`);
      }
      saved.params.forEach((index, i) => byIndex.set(index, current.params[i]));
    });

    const state = new Map<Tensor, S>();
    for (const [key, savedState] of Object.entries(dict.state)) {
      const p = byIndex.get(Number(key));
      if (p === undefined) throw new ValueError(`${where}: the state dict has state for parameter ${key}, which no parameter group lists`);
      const entry: Record<string, StateValue> = {};
      for (const [name, value] of Object.entries(savedState)) {
        if (Array.isArray(value) || ArrayBuffer.isView(value)) {
          const values = value as ArrayLike<number>;
          if (values.length !== p.numel()) {
            throw new ShapeError(`${where}: state '${name}' of parameter ${key} has ${values.length} elements but the parameter has shape ${formatShape(p.shape)} (${p.numel()} elements)`);
          }
          const buffer = p.dtype === 'float64' ? new Float64Array(values.length) : new Float32Array(values.length);
          buffer.set(values);
          entry[name] = buffer;
        } else if (value === null || typeof value === 'number') {
          entry[name] = value;
        } else {
          throw new ValueError(`${where}: state '${name}' of parameter ${key} is ${typeof value}; expected a number, null or an array`);
        }
      }
      state.set(p, entry as S);
    }
    let index = 0;
    dict.paramGroups.forEach((saved, g) => {
      for (const p of this.paramGroups[g].params) {
        const entry = state.get(p) as Record<string, StateValue> | undefined;
        const missing = entry === undefined ? [] : this.stateKeys(saved as unknown as ParamGroup<O>).filter((k) => !(k in entry));
        if (missing.length > 0) throw new ValueError(`${where}: the state of parameter ${index} has no ${missing.map((k) => `'${k}'`).join(', ')}; was it saved from another kind of optimizer, or with other options?`);
        index++;
      }
    });

    const groups = dict.paramGroups.map((saved, g) => {
      const group: Record<string, unknown> = { params: this.paramGroups[g].params };
      for (const [key, value] of Object.entries(saved)) if (key !== 'params') group[key] = copyValue(value);
      this.validate(group as unknown as ParamGroup<O>, g);
      return group as unknown as ParamGroup<O>;
    });
    // Only now that everything checked out is the optimizer changed.
    this.state.clear();
    for (const [p, s] of state) this.state.set(p, s);
    groups.forEach((group, g) => {
      const target = this.paramGroups[g] as unknown as Record<string, unknown>;
      for (const key of Object.keys(target)) if (key !== 'params') delete target[key];
      Object.assign(target, group);
    });
  }

  /** Each parameter's number in the state dict: 0, 1, 2... through the groups in order. */
  private parameterIndices(): Map<Tensor, number> {
    const indices = new Map<Tensor, number>();
    for (const group of this.paramGroups) for (const p of group.params) indices.set(p, indices.size);
    return indices;
  }

  /** " (parameter group 2)" when the optimizer has several groups, for error messages. */
  protected groupSuffix(index: number): string {
    return index > 0 || this.paramGroups.length > 1 ? ` (parameter group ${index})` : '';
  }
}

/** A buffer for one parameter's state: zeros in the parameter's dtype. */
export function zerosLike(param: Tensor): FloatArray {
  return param.dtype === 'float64' ? new Float64Array(param.numel()) : new Float32Array(param.numel());
}

/**
 * Throws `<optimizer>: <option> must be <rule>, got <value>` unless `ok`.
 *
 * @example
 * check(lr >= 0, 'SGD', 'lr', 'a number ≥ 0', lr, '');
 */
export function check(ok: boolean, optimizer: string, option: string, rule: string, value: unknown, suffix: string): void {
  if (!ok) throw new ValueError(`${optimizer}: ${option} must be ${rule}, got ${formatValue(value)}${suffix}`);
}

/** Checks `betas`: a pair of numbers each in [0, 1), as PyTorch's Adam and AdamW. */
export function checkBetas(betas: unknown, optimizer: string, suffix: string): void {
  if (!Array.isArray(betas) || betas.length !== 2) {
    throw new ValueError(`${optimizer}: betas must be a pair [beta1, beta2], got ${formatValue(betas)}${suffix}`);
  }
  betas.forEach((b, i) => check(typeof b === 'number' && b >= 0 && b < 1, optimizer, `betas[${i}]`, 'in [0, 1)', b, suffix));
}

function formatValue(value: unknown): string {
  return Array.isArray(value) ? `[${value.map(formatValue).join(', ')}]` : typeof value === 'string' ? `'${value}'` : String(value);
}

function copyValue(value: unknown): unknown {
  if (value instanceof Float32Array || value instanceof Float64Array) return value.slice();
  if (Array.isArray(value)) return value.map(copyValue);
  return value;
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
