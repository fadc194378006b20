/**
 * A seeded pseudo-random generator (xoshiro128**), passed explicitly wherever randomness is used:
 * one seed makes a whole run reproducible, and its state can be saved in a checkpoint and restored.
 *
 * @example
 * import { Generator, randn } from 'waldo';
 * const g = new Generator(42);
 * g.uniform(); // a number in [0, 1)
 * randn([2], { generator: new Generator(42) }).toArray(); // the same on every run
 */
export class Generator {
  private s = new Uint32Array(4);
  /** A second normal deviate kept from the last Box–Muller pair, or null. */
  private spareNormal: number | null = null;

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /** Resets the state from a seed (splitmix32 expands it, so nearby seeds give unrelated streams). */
  manualSeed(seed: number): this {
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if (this.s.every((v) => v === 0)) this.s[0] = 1;
    this.spareNormal = null;
    return this;
  }

  /** A uniformly distributed 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A standard normal deviate (Box–Muller). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** An integer in [0, n). */
  integer(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** A random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.integer(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** The full state, for checkpoints. */
  getState(): number[] {
    return [...this.s, this.spareNormal === null ? NaN : this.spareNormal];
  }

  /** Restores a state from getState(); the spare normal may be NaN or null (JSON turns NaN into null). */
  setState(state: readonly (number | null)[]): this {
    if (state.length !== 5 || state.slice(0, 4).some((v) => typeof v !== 'number')) {
      throw new Error(`Generator.setState: expected 4 integers and a spare normal, got ${JSON.stringify(state)}`);
    }
    for (let i = 0; i < 4; i++) this.s[i] = (state[i] as number) >>> 0;
    const spare = state[4];
    this.spareNormal = spare === null || Number.isNaN(spare) ? null : spare;
    return this;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * The generator used when a caller passes none; seed it with `manualSeed` for reproducible runs.
 *
 * @example
 * import { defaultGenerator, manualSeed } from 'waldo';
 * manualSeed(3) === defaultGenerator; // true
 */
export const defaultGenerator = new Generator(0);

/**
 * Seeds the default generator, like `torch.manual_seed`.
 *
 * @example
 * import { manualSeed, rand } from 'waldo';
 * manualSeed(0);
 * const a = rand([2]).toArray();
 * manualSeed(0);
 * rand([2]).toArray(); // the same values as a
 */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}
