// Pooling tasks, plain loops (memory-bound), written like PyTorch's CPU kernels so that ties, NaNs
// and divisors come out the same. Layout: x/dx [N, C, H, W], out/dy/argmax [N, C, HO, WO]; argmax
// holds the flat index into the H·W plane. Threads split output rows (forward) or planes (backward).
import { f4 } from './simd';
import { N, C, H, W, HO, WO, KH, KW, SH, SW, PT, PL, DH, DW, HW, P, readPoolGeometry } from './geometry';
import { beginSegments, nextSegment, segUnit, segLo, segHi } from './partition';

const ARG0: usize = 56; // job arguments after the 14 geometry words

/**
 * out = window max, argmax = its index; the last NaN wins over everything, as in PyTorch.
 * Pooled values arrive in random order, so "take this one?" is a select, not a branch (a
 * mispredicted branch per element cost more than the rest of the loop).
 */
export function maxPoolForward(args: usize, tid: i32, nth: i32): void {
  readPoolGeometry(args);
  const x = load<usize>(args + ARG0), out = load<usize>(args + ARG0 + 4), argmax = load<usize>(args + ARG0 + 8);
  const h = H, w = W, wo = WO, sh = SH, sw = SW, pt = PT, pl = PL, dh = DH, dw = DW;
  const extentH = (KH - 1) * dh + 1, extentW = (KW - 1) * dw + 1;
  const pairs = KH == 2 && KW == 2 && sh == 2 && sw == 2 && pt == 0 && pl == 0 && dh == 1 && dw == 1;
  beginSegments(tid, nth, N * C, HO, 1);
  while (nextSegment()) {
    const plane = x + f4(segUnit * HW);
    for (let i = segLo; i < segHi; i++) {
      let h0 = i * sh - pt;
      const h1 = min(h0 + extentH, h);
      while (h0 < 0) h0 += dh;
      const o = f4((segUnit * HO + i) * wo);
      let j = 0;
      // 2 × 2 windows with stride 2 (the common case), four outputs at a time while both rows and
      // all eight columns exist (ceilMode can clip the last window; the scalar loop takes those).
      if (pairs && h0 + 1 < h) j = maxPool2x2Row(plane, h0, w, min(wo, w >> 1), out + o, argmax + o);
      for (; j < wo; j++) {
        let w0 = j * sw - pl;
        const w1 = min(w0 + extentW, w);
        while (w0 < 0) w0 += dw;
        let best: f32 = -Infinity;
        let at = h0 * w + w0;
        for (let iy = h0; iy < h1; iy += dh) {
          for (let ix = w0; ix < w1; ix += dw) {
            const index = iy * w + ix;
            const v = load<f32>(plane + f4(index));
            const take = v > best || v != v;
            best = select<f32>(v, best, take);
            at = select<i32>(index, at, take);
          }
        }
        store<f32>(out + o + f4(j), best);
        store<i32>(argmax + o + f4(j), at);
      }
    }
  }
}

// Output columns [0, n4) of one row of 2 × 2 / stride-2 windows over input rows y, y + 1, in groups
// of four with n4 = the largest multiple of 4 ≤ n; returns n4. The candidates are visited in
// PyTorch's order (top-left, top-right, bottom-left, bottom-right) with its rule, v > best or NaN.
function maxPool2x2Row(plane: usize, y: i32, w: i32, n: i32, out: usize, argmax: usize): i32 {
  const r0 = plane + f4(y * w), r1 = r0 + f4(w);
  const step = i32x4.splat(8);
  // Flat indices of the four candidates of outputs j … j + 3.
  let ia = i32x4.add(i32x4.splat(y * w), v128(0, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 6, 0, 0, 0));
  const one = i32x4.splat(1), down = i32x4.splat(w);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = f4(2 * j);
    const t0 = v128.load(r0 + o), t1 = v128.load(r0 + o, 16);
    const b0 = v128.load(r1 + o), b1 = v128.load(r1 + o, 16);
    let best = i32x4.shuffle(t0, t1, 0, 2, 4, 6);
    let at = ia;
    const ib = i32x4.add(ia, one), ic = i32x4.add(ia, down), id = i32x4.add(ic, one);
    let v = i32x4.shuffle(t0, t1, 1, 3, 5, 7);
    let take = v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
    best = v128.bitselect(v, best, take); at = v128.bitselect(ib, at, take);
    v = i32x4.shuffle(b0, b1, 0, 2, 4, 6);
    take = v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
    best = v128.bitselect(v, best, take); at = v128.bitselect(ic, at, take);
    v = i32x4.shuffle(b0, b1, 1, 3, 5, 7);
    take = v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
    best = v128.bitselect(v, best, take); at = v128.bitselect(id, at, take);
    v128.store(out + f4(j), best);
    v128.store(argmax + f4(j), at);
    ia = i32x4.add(ia, step);
  }
  return j;
}

/** dx = Σ dy routed to each window's argmax. */
export function maxPoolBackward(args: usize, tid: i32, nth: i32): void {
  readPoolGeometry(args);
  const dy = load<usize>(args + ARG0), argmax = load<usize>(args + ARG0 + 4), dx = load<usize>(args + ARG0 + 8);
  beginSegments(tid, nth, 1, N * C, 1);
  while (nextSegment()) {
    memory.fill(dx + f4(segLo * HW), 0, f4((segHi - segLo) * HW));
    const hw = HW, p = P;
    for (let plane = segLo; plane < segHi; plane++) {
      const d = dx + f4(plane * hw);
      const o = f4(plane * p);
      for (let q = 0; q < p; q++) {
        const at = load<i32>(argmax + o + f4(q));
        if (<u32>at < <u32>hw) {
          const e = d + f4(at);
          store<f32>(e, load<f32>(e) + load<f32>(dy + o + f4(q)));
        }
      }
    }
  }
}

// PyTorch's avg_pool2d window and divisor. The padded input is [−PT, H + PT) × [−PL, W + PL): pooling
// padding is symmetric, and windows that ceilMode lets run past it are clipped there. `countIncludePad`
// divides by the clipped window size, otherwise by the number of real input elements in it.
// Row and column ranges are independent, so they are computed once per output row and per column.

/** Writes, per output column j, the clipped column range [w0, w1) and the column factor of the divisor. */
function avgColumns(table: usize, countIncludePad: bool): void {
  const w = W, sw = SW, pl = PL, extent = (KW - 1) * DW + 1;
  for (let j = 0; j < WO; j++) {
    let w0 = j * sw - pl;
    let w1 = min(w0 + extent, w + pl);
    const padded = w1 - w0;
    w0 = max(w0, 0); w1 = min(w1, w);
    store<i32>(table + f4(3 * j), w0);
    store<i32>(table + f4(3 * j + 1), w1);
    store<i32>(table + f4(3 * j + 2), countIncludePad ? padded : w1 - w0);
  }
}

export function avgPoolScratch(): usize {
  return f4(3 * WO + 16);
}

export function avgPoolForward(args: usize, tid: i32, nth: i32, scratch: usize): void {
  readPoolGeometry(args);
  const countIncludePad = load<i32>(args + ARG0) != 0;
  const x = load<usize>(args + ARG0 + 4), out = load<usize>(args + ARG0 + 8);
  const w = W, wo = WO, sh = SH, pt = PT, dh = DH, dw = DW, h = H, extent = (KH - 1) * DH + 1;
  avgColumns(scratch, countIncludePad);
  beginSegments(tid, nth, N * C, HO, 1);
  while (nextSegment()) {
    const plane = x + f4(segUnit * HW);
    for (let i = segLo; i < segHi; i++) {
      let h0 = i * sh - pt;
      let h1 = min(h0 + extent, h + pt);
      const paddedRows = h1 - h0;
      h0 = max(h0, 0); h1 = min(h1, h);
      const rows = countIncludePad ? paddedRows : h1 - h0;
      const dst = out + f4((segUnit * HO + i) * wo);
      for (let j = 0; j < wo; j++) {
        const w0 = load<i32>(scratch + f4(3 * j)), w1 = load<i32>(scratch + f4(3 * j + 1));
        let v: f32 = 0;
        if (h0 < h1 && w0 < w1) {
          let sum: f32 = 0;
          for (let iy = h0; iy < h1; iy += dh) {
            const row = plane + f4(iy * w);
            for (let ix = w0; ix < w1; ix += dw) sum += load<f32>(row + f4(ix));
          }
          v = sum / <f32>(rows * load<i32>(scratch + f4(3 * j + 2)));
        }
        store<f32>(dst + f4(j), v);
      }
    }
  }
}

export function avgPoolBackward(args: usize, tid: i32, nth: i32, scratch: usize): void {
  readPoolGeometry(args);
  const countIncludePad = load<i32>(args + ARG0) != 0;
  const dy = load<usize>(args + ARG0 + 4), dx = load<usize>(args + ARG0 + 8);
  const w = W, wo = WO, ho = HO, hw = HW, sh = SH, pt = PT, dh = DH, dw = DW, h = H, extent = (KH - 1) * DH + 1;
  avgColumns(scratch, countIncludePad);
  beginSegments(tid, nth, 1, N * C, 1);
  while (nextSegment()) {
    memory.fill(dx + f4(segLo * hw), 0, f4((segHi - segLo) * hw));
    for (let plane = segLo; plane < segHi; plane++) {
      const d = dx + f4(plane * hw);
      for (let i = 0; i < ho; i++) {
        let h0 = i * sh - pt;
        let h1 = min(h0 + extent, h + pt);
        const paddedRows = h1 - h0;
        h0 = max(h0, 0); h1 = min(h1, h);
        const rows = countIncludePad ? paddedRows : h1 - h0;
        const src = dy + f4((plane * ho + i) * wo);
        for (let j = 0; j < wo; j++) {
          const w0 = load<i32>(scratch + f4(3 * j)), w1 = load<i32>(scratch + f4(3 * j + 1));
          const share = load<f32>(src + f4(j)) / <f32>(rows * load<i32>(scratch + f4(3 * j + 2)));
          for (let iy = h0; iy < h1; iy += dh) {
            const row = d + f4(iy * w);
            for (let ix = w0; ix < w1; ix += dw) {
              const p = row + f4(ix);
              store<f32>(p, load<f32>(p) + share);
            }
          }
        }
      }
    }
  }
}
