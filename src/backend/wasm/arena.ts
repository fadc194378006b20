import { ARENA_BASE, PAGE_BYTES } from './layout.js';

/**
 * The per-call working area in the backend's wasm memory: a bump allocator reset at the start of
 * every kernel call. Memory grows when a call needs more than any call before it and never otherwise,
 * so repeated calls with the same shapes run in a fixed footprint.
 */
export interface Arena {
  readonly memory: WebAssembly.Memory;
  /** Frees everything allocated since the last reset. */
  reset(): void;
  /** Reserves `bytes` (64-byte aligned, with slack for kernels that read a vector past the end); returns the address. */
  alloc(bytes: number): number;
  /** Copies a typed array in; returns its address. */
  copyIn(src: Float32Array | Int32Array | Float64Array): number;
  /** Copies `dst.length` elements out of memory from `address`. */
  copyOut(address: number, dst: Float32Array | Int32Array | Float64Array): void;
  /**
   * dst = the sum, in order, of `parts` arrays of `dst.length` floats stored one after another from
   * `address`, each addition rounded to float32 as a kernel's would be.
   */
  copyOutSum(address: number, parts: number, dst: Float32Array): void;
  /** The bytes the memory holds now. */
  byteLength(): number;
}

const ALIGN = 64;

export function createArena(memory: WebAssembly.Memory): Arena {
  let top = ARENA_BASE;
  let buffer = memory.buffer;
  let f32 = new Float32Array(buffer);
  let i32 = new Int32Array(buffer);
  let f64 = new Float64Array(buffer);

  function refresh(): void {
    // A grown shared memory hands out a new, longer buffer; views on the old one stay short.
    if (memory.buffer.byteLength !== buffer.byteLength) {
      buffer = memory.buffer;
      f32 = new Float32Array(buffer);
      i32 = new Int32Array(buffer);
      f64 = new Float64Array(buffer);
    }
  }

  function alloc(bytes: number): number {
    const address = top;
    top = Math.ceil((top + bytes + ALIGN) / ALIGN) * ALIGN;
    if (top > buffer.byteLength) {
      const have = memory.buffer.byteLength / PAGE_BYTES;
      const need = Math.ceil(top / PAGE_BYTES);
      if (need > have) {
        // Grow by at least an eighth, so a slowly rising high-water mark does not grow on every call.
        const pages = Math.max(need - have, Math.ceil(have / 8));
        try {
          memory.grow(pages);
        } catch {
          memory.grow(need - have);
        }
      }
      refresh();
    }
    return address;
  }

  return {
    memory,
    reset() { top = ARENA_BASE; refresh(); },
    alloc,
    copyIn(src) {
      const address = alloc(src.byteLength);
      if (src instanceof Float32Array) f32.set(src, address >>> 2);
      else if (src instanceof Float64Array) f64.set(src, address >>> 3);
      else i32.set(src, address >>> 2);
      return address;
    },
    copyOut(address, dst) {
      if (dst instanceof Float64Array) {
        dst.set(f64.subarray(address >>> 3, (address >>> 3) + dst.length));
        return;
      }
      const start = address >>> 2;
      if (dst instanceof Float32Array) dst.set(f32.subarray(start, start + dst.length));
      else dst.set(i32.subarray(start, start + dst.length));
    },
    copyOutSum(address, parts, dst) {
      const n = dst.length, start = address >>> 2;
      dst.set(f32.subarray(start, start + n));
      // A float64 sum of two float32 values rounds to the float32 sum when stored (53 ≥ 2·24 + 2 bits).
      for (let p = 1; p < parts; p++) {
        const part = f32.subarray(start + p * n, start + (p + 1) * n);
        for (let i = 0; i < n; i++) dst[i] += part[i]!;
      }
    },
    byteLength() { return memory.buffer.byteLength; },
  };
}
