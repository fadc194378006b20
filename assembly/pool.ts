// Pooling tasks, plain loops (memory-bound), written like PyTorch's CPU kernels so that ties, NaNs
// and divisors come out the same. Layout: x/dx [N, C, H, W], out/dy/argmax [N, C, HO, WO]; argmax
// holds the flat index into the H·W plane. Threads split output rows (forward) or planes (backward).
import { f4 } from './simd';
import { N, C, H, W, HO, WO, KH, KW, SH, SW, PT, PL, DH, DW, HW, P, readPoolGeometry } from './geometry';
import { beginSegments, nextSegment, segUnit, segLo, segHi } from './partition';

const ARG0: usize = 56; // job arguments after the 14 geometry words

/** out = window max, argmax = its index; the last NaN wins over everything, as in PyTorch. */
export function maxPoolForward(args: usize, tid: i32, nth: i32): void {
  readPoolGeometry(args);
  const x = load<usize>(args + ARG0), out = load<usize>(args + ARG0 + 4), argmax = load<usize>(args + ARG0 + 8);
  const h = H, w = W, wo = WO, sh = SH, sw = SW, pt = PT, pl = PL, dh = DH, dw = DW;
  const extentH = (KH - 1) * dh + 1, extentW = (KW - 1) * dw + 1;
  beginSegments(tid, nth, N * C, HO, 1);
  while (nextSegment()) {
    const plane = x + f4(segUnit * HW);
    for (let i = segLo; i < segHi; i++) {
      let h0 = i * sh - pt;
      const h1 = min(h0 + extentH, h);
      while (h0 < 0) h0 += dh;
      const o = f4((segUnit * HO + i) * wo);
      for (let j = 0; j < wo; j++) {
        let w0 = j * sw - pl;
        const w1 = min(w0 + extentW, w);
        while (w0 < 0) w0 += dw;
        let best: f32 = -Infinity;
        let at = h0 * w + w0;
        for (let iy = h0; iy < h1; iy += dh) {
          for (let ix = w0; ix < w1; ix += dw) {
            const index = iy * w + ix;
            const v = load<f32>(plane + f4(index));
            if (v > best || isNaN(v)) { best = v; at = index; }
          }
        }
        store<f32>(out + o + f4(j), best);
        store<i32>(argmax + o + f4(j), at);
      }
    }
  }
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
