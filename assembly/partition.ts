// Work splitting: a task's work is `units` independent items of `len` positions each (images ×
// columns, planes × channels…), flattened; thread t takes the t-th of nth nearly equal ranges, with
// cuts inside an item moved to a multiple of `align` so threads get whole micro-tiles.

/** Flat start of thread t's range (t = nth gives the end). */
export function splitPoint(t: i32, nth: i32, units: i32, len: i32, align: i32): i64 {
  const total = <i64>units * <i64>len;
  if (t >= nth) return total;
  const v = total * <i64>t / <i64>nth;
  const u = v / <i64>len;
  let p = v - u * <i64>len;
  p = min<i64>(<i64>len, (p + <i64>align - 1) / <i64>align * <i64>align);
  return u * <i64>len + p;
}

// The current segment, set by nextSegment(): item `segUnit`, positions [segLo, segHi).
export let segUnit: i32 = 0;
export let segLo: i32 = 0;
export let segHi: i32 = 0;
let segPos: i64 = 0;
let segEnd: i64 = 0;
let segLen: i32 = 1;

/** Starts walking thread tid's share. */
export function beginSegments(tid: i32, nth: i32, units: i32, len: i32, align: i32): void {
  segPos = splitPoint(tid, nth, units, len, align);
  segEnd = splitPoint(tid + 1, nth, units, len, align);
  segLen = len;
}

/** Advances to the next non-empty segment of the share; false when the share is done. */
export function nextSegment(): bool {
  if (segLen <= 0 || segPos >= segEnd) return false;
  const u = segPos / <i64>segLen;
  const itemStart = u * <i64>segLen;
  const stop = min<i64>(segEnd, itemStart + <i64>segLen);
  segUnit = <i32>u;
  segLo = <i32>(segPos - itemStart);
  segHi = <i32>(stop - itemStart);
  segPos = stop;
  return true;
}
