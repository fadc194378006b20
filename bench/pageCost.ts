// What faulting in fresh memory costs on this machine, measured in the benchmark's own run: every
// contender allocates its outputs, and on some VMs (this project's 2-core one among them) each new
// 4 KiB page costs microseconds, enough to outweigh a small layer's arithmetic. The table's readers
// need that figure next to the small cases' times.
import { median } from './timing.js';

const FLOATS = 2 * 1024 * 1024; // 8 MiB
const TRIALS = 7;

export interface PageCost {
  /** Median ms to fill a newly allocated 8 MiB array, and one already written. */
  freshMs: number;
  reusedMs: number;
  /** The difference per 4 KiB page, in µs. */
  usPerPage: number;
}

export function measurePageCost(): PageCost {
  // The fresh arrays stay referenced until the end, so none of them can reuse another's memory.
  const held: Float32Array[] = [];
  const fresh: number[] = [];
  for (let i = 0; i < TRIALS; i++) {
    const t0 = performance.now();
    const a = new Float32Array(FLOATS);
    a.fill(i + 1);
    fresh.push(performance.now() - t0);
    held.push(a);
  }
  const reused: number[] = [];
  const a = held[0]!;
  for (let i = 0; i < TRIALS; i++) {
    const t0 = performance.now();
    a.fill(i + 2);
    reused.push(performance.now() - t0);
  }
  const freshMs = median(fresh), reusedMs = median(reused);
  return { freshMs, reusedMs, usPerPage: ((freshMs - reusedMs) * 1000) / ((FLOATS * 4) / 4096) };
}
