import { ValueError } from '../../errors.js';

/** Throws `<scheduler>: <option> must be <rule>, got <value>` unless `ok`. */
export function checkOption(ok: boolean, scheduler: string, option: string, rule: string, value: unknown): void {
  if (!ok) throw new ValueError(`${scheduler}: ${option} must be ${rule}, got ${typeof value === 'string' ? `'${value}'` : Array.isArray(value) ? `[${value.join(', ')}]` : String(value)}`);
}

/** A number, or one per parameter group (PyTorch's `_format_param`). */
export function perGroup(value: number | number[], groups: number, scheduler: string, option: string): number[] {
  if (Array.isArray(value)) {
    if (value.length !== groups) throw new ValueError(`${scheduler}: expected ${groups} values for ${option} (one per parameter group), got ${value.length}`);
    return [...value];
  }
  return new Array<number>(groups).fill(value);
}
