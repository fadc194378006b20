// im2col without the column matrix: the GEMM's B operand for a convolution is packed straight from
// the input planes into NR-wide panels (see gemm.ts for the panel layout).
//
// For one image and group, x is [CIG, H, W] and the virtual column matrix is
//   col[(c, a, b), (oy, ox)] = x[c, oy·SH − PT + a·DH, ox·SW − PL + b·DW]   (0 outside the input)
// with rows (c, a, b) in [0, KG) and columns (oy, ox) in [0, P).
import { f4 } from './simd';
import { H, W, WO, SH, SW, PT, PL, DH, DW, KH, KW, KHW, HW } from './geometry';

const OUTSIDE: i32 = -(1 << 28);

/** Packs col[kk0 .. kk0+kc, j0 .. j0+nc] (forward pass: rows (c, a, b), columns output positions). */
export function packIm2col(dst: usize, x: usize, kk0: i32, kc: i32, j0: i32, nc: i32, table: usize): void {
  const h = H, w = W, wo = WO, sh = SH, sw = SW, dh = DH, dw = DW, kw = KW, kh = KH;
  for (let jr = 0; jr < nc; jr += 8) {
    const nr = min(8, nc - jr);
    const j = j0 + jr;
    const oy = j / wo;
    const ox = j - oy * wo;
    // Eight columns in one output row with stride 1 read eight neighbouring input values.
    const sameRow = nr == 8 && ox + 8 <= wo && sw == 1;
    const iyb = oy * sh - PT;
    const ixb = ox * sw - PL;
    if (!sameRow) {
      for (let q = 0; q < 8; q++) {
        let iy = OUTSIDE, ix = OUTSIDE;
        if (q < nr) {
          const oyq = (j + q) / wo;
          iy = oyq * sh - PT;
          ix = (j + q - oyq * wo) * sw - PL;
        }
        store<i32>(table + f4(q), iy);
        store<i32>(table + f4(8 + q), ix);
      }
    }
    let c = kk0 / KHW;
    const r = kk0 - c * KHW;
    let a = r / kw;
    let b = r - a * kw;
    let plane = x + f4(c * HW);
    let d = dst + f4(jr * kc);
    for (let t = 0; t < kc; t++) {
      const ady = a * dh, bdw = b * dw;
      if (sameRow) {
        const iy = iyb + ady;
        const ix = ixb + bdw;
        if (<u32>iy < <u32>h) {
          const row = plane + f4(iy * w);
          if (ix >= 0 && ix + 8 <= w) {
            const src = row + f4(ix);
            v128.store(d, v128.load(src));
            v128.store(d, v128.load(src, 16), 16);
          } else {
            for (let q = 0; q < 8; q++) {
              let v: f32 = 0;
              if (<u32>(ix + q) < <u32>w) v = load<f32>(row + f4(ix + q));
              store<f32>(d + f4(q), v);
            }
          }
        } else {
          v128.store(d, f32x4.splat(0));
          v128.store(d, f32x4.splat(0), 16);
        }
      } else {
        for (let q = 0; q < 8; q++) {
          const iy = load<i32>(table + f4(q)) + ady;
          const ix = load<i32>(table + f4(8 + q)) + bdw;
          let v: f32 = 0;
          if (<u32>iy < <u32>h && <u32>ix < <u32>w) v = load<f32>(plane + f4(iy * w + ix));
          store<f32>(d + f4(q), v);
        }
      }
      d += 32;
      if (++b == kw) {
        b = 0;
        if (++a == kh) { a = 0; c++; plane += f4(HW); }
      }
    }
  }
}

/**
 * Packs colᵀ[p0 .. p0+kc, j0 .. j0+nc] (weight gradient: rows output positions, columns (c, a, b)).
 * Each packed row gathers eight window taps of one output position.
 */
export function packIm2colT(dst: usize, x: usize, p0: i32, kc: i32, j0: i32, nc: i32, table: usize): void {
  const h = H, w = W, wo = WO, sh = SH, sw = SW, dh = DH, dw = DW, kw = KW;
  for (let jr = 0; jr < nc; jr += 8) {
    const nr = min(8, nc - jr);
    // Per column: flat offset of the tap relative to (iy0, ix0), and its row/column displacement.
    let minA = i32.MAX_VALUE, maxA = i32.MIN_VALUE, minB = i32.MAX_VALUE, maxB = i32.MIN_VALUE;
    for (let q = 0; q < 8; q++) {
      let off = 0, ady = OUTSIDE, bdw = 0;
      if (q < nr) {
        const jj = j0 + jr + q;
        const c = jj / KHW;
        const r = jj - c * KHW;
        const a = r / kw;
        const b = r - a * kw;
        ady = a * dh; bdw = b * dw;
        off = c * HW + ady * w + bdw;
        minA = min(minA, ady); maxA = max(maxA, ady); minB = min(minB, bdw); maxB = max(maxB, bdw);
      }
      store<i32>(table + f4(q), off);
      store<i32>(table + f4(8 + q), ady);
      store<i32>(table + f4(16 + q), bdw);
    }
    const o0 = load<i32>(table), o1 = load<i32>(table, 4), o2 = load<i32>(table, 8), o3 = load<i32>(table, 12);
    const o4 = load<i32>(table, 16), o5 = load<i32>(table, 20), o6 = load<i32>(table, 24), o7 = load<i32>(table, 28);
    let oy = p0 / wo;
    let ox = p0 - oy * wo;
    let d = dst + f4(jr * kc);
    for (let t = 0; t < kc; t++) {
      const iy0 = oy * sh - PT;
      const ix0 = ox * sw - PL;
      if (nr == 8 && iy0 + minA >= 0 && iy0 + maxA < h && ix0 + minB >= 0 && ix0 + maxB < w) {
        const base = x + f4(iy0 * w + ix0);
        store<f32>(d, load<f32>(base + f4(o0)));
        store<f32>(d, load<f32>(base + f4(o1)), 4);
        store<f32>(d, load<f32>(base + f4(o2)), 8);
        store<f32>(d, load<f32>(base + f4(o3)), 12);
        store<f32>(d, load<f32>(base + f4(o4)), 16);
        store<f32>(d, load<f32>(base + f4(o5)), 20);
        store<f32>(d, load<f32>(base + f4(o6)), 24);
        store<f32>(d, load<f32>(base + f4(o7)), 28);
      } else {
        for (let q = 0; q < 8; q++) {
          const iy = iy0 + load<i32>(table + f4(8 + q));
          const ix = ix0 + load<i32>(table + f4(16 + q));
          let v: f32 = 0;
          if (<u32>iy < <u32>h && <u32>ix < <u32>w) v = load<f32>(x + f4(load<i32>(table + f4(q)) + iy0 * w + ix0));
          store<f32>(d + f4(q), v);
        }
      }
      d += 32;
      if (++ox == wo) { ox = 0; oy++; }
    }
  }
}

function ceilDiv(a: i32, b: i32): i32 {
  return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}

function floorDiv(a: i32, b: i32): i32 {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/**
 * col2im: dx[c, iy, ix] += dcol[(c − c0, a, b), q − q0] for channels [c0, c1) and output positions
 * [q0, q1); dcol rows have stride `ld` floats, dx planes are [H, W] starting at `dx`.
 */
export function col2im(dcol: usize, ld: i32, dx: usize, c0: i32, c1: i32, q0: i32, q1: i32): void {
  const h = H, w = W, wo = WO, sh = SH, sw = SW, dh = DH, dw = DW, kw = KW, kh = KH;
  for (let c = c0; c < c1; c++) {
    const plane = dx + f4(c * HW);
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        const row = dcol + f4(((c - c0) * KHW + a * kw + b) * ld);
        // Output columns whose tap lands inside the input: 0 <= ox·SW − PL + b·DW < W.
        const shift = b * dw - PL;
        const oxLo = max(0, ceilDiv(-shift, sw));
        const oxHi = min(wo, floorDiv(w - 1 - shift, sw) + 1);
        let q = q0;
        while (q < q1) {
          const oy = q / wo;
          const ox0 = q - oy * wo;
          const ox1 = min(wo, ox0 + q1 - q);
          const iy = oy * sh - PT + a * dh;
          if (<u32>iy < <u32>h) {
            const lo = max(ox0, oxLo), hi = min(ox1, oxHi);
            // src[ox] is dcol's value for output column ox of this row, dst[ox·SW] its input position.
            const src = row + f4(q - q0 - ox0);
            const dst = plane + f4(iy * w + shift);
            if (sw == 1) {
              let ox = lo;
              for (; ox + 4 <= hi; ox += 4) {
                const p = dst + f4(ox);
                v128.store(p, f32x4.add(v128.load(p), v128.load(src + f4(ox))));
              }
              for (; ox < hi; ox++) {
                const p = dst + f4(ox);
                store<f32>(p, load<f32>(p) + load<f32>(src + f4(ox)));
              }
            } else {
              for (let ox = lo; ox < hi; ox++) {
                const p = dst + f4(ox * sw);
                store<f32>(p, load<f32>(p) + load<f32>(src + f4(ox)));
              }
            }
          }
          q += ox1 - ox0;
        }
      }
    }
  }
}
