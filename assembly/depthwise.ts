// Direct kernels for depthwise convolutions (one input channel per group: CIG = 1, any channel
// multiplier COG). As a GEMM these have M = COG and K = KH·KW, far too small for the micro-kernel;
// here each plane is copied once into a zero-padded buffer and swept with vectors along the row.
//
// Padded plane xp [hp × wp]: input (r, c) sits at (r + PT, c + PL), zeros around it, wide enough
// that every window tap of every output (and vector over-reads past the last output) stays inside.
import { f4, madd, copyFloats, zeroFloats } from './simd';
import { N, C, CO, H, W, HO, WO, KH, KW, SH, SW, PT, PL, DH, DW, COG, HW, P, KHW } from './geometry';
import { beginSegments, nextSegment, segLo, segHi } from './partition';

let hp: i32 = 0;
let wp: i32 = 0;
let wop: i32 = 0;

function planeDims(): void {
  wop = (WO + 7) & ~7;
  hp = max((HO - 1) * SH + (KH - 1) * DH + 1, PT + H);
  wp = max((wop - 1) * SW + (KW - 1) * DW + 1, PL + W) + 8;
}

/** Per-thread scratch: the padded plane, a row accumulator, per-tap accumulators. */
export function depthwiseScratch(): usize {
  planeDims();
  return f4(hp * wp + wop + 4 * KHW + 16);
}

// Copies a plane into the padded buffer. Only the first plane of a call zeroes the buffer: later
// planes overwrite the same interior, so the zeros around it stay (for S5 that skips 1.6 MB of stores).
function padPlane(xp: usize, src: usize, first: bool): void {
  if (first) zeroFloats(xp, hp * wp);
  const w = W, wpB = f4(wp);
  let dst = xp + <usize>PT * wpB + f4(PL);
  for (let r = 0; r < H; r++) {
    copyFloats(dst, src + f4(r * w), w);
    dst += wpB;
  }
}

// Four values at base, base + SW, base + 2·SW, base + 3·SW (floats).
@inline function loadStrided(base: usize, sw: i32): v128 {
  if (sw == 1) return v128.load(base);
  if (sw == 2) return i32x4.shuffle(v128.load(base), v128.load(base, 16), 0, 2, 4, 6);
  const s = f4(sw);
  let v = f32x4.splat(load<f32>(base));
  v = f32x4.replace_lane(v, 1, load<f32>(base + s));
  v = f32x4.replace_lane(v, 2, load<f32>(base + 2 * s));
  return f32x4.replace_lane(v, 3, load<f32>(base + 3 * s));
}

// Outputs j … j + 7 of a row (fewer at the row's end, through the tail buffer).
@inline function storeEight(dst: usize, j: i32, wo: i32, lo: v128, hi: v128, tail: usize): void {
  if (j + 8 <= wo) {
    v128.store(dst + f4(j), lo);
    v128.store(dst + f4(j), hi, 16);
  } else {
    v128.store(tail, lo);
    v128.store(tail, hi, 16);
    copyFloats(dst + f4(j), tail, wo - j);
  }
}

// One output row: eight outputs in two registers, all taps summed before the store. Blocks are
// independent, so the out-of-order core overlaps their multiply-add chains. Inlined with constant
// sw/kw at the call sites, so the common shapes get straight-line code without per-tap branches.
@inline function forwardRow(rows: usize, wo0: usize, dst: usize, tail: usize, b0: v128, wo: i32, kh: i32, kw: i32, sw: i32, dh: i32, dw: i32, wpB: usize): void {
  for (let j = 0; j < wo; j += 8) {
    let acc0 = b0, acc1 = b0;
    const col = rows + f4(j * sw);
    for (let a = 0; a < kh; a++) {
      const r = col + <usize>(a * dh) * wpB;
      const wa = wo0 + f4(a * kw);
      for (let b = 0; b < kw; b++) {
        const wv = v128.load32_splat(wa + f4(b));
        const src = r + f4(b * dw);
        acc0 = madd(wv, loadStrided(src, sw), acc0);
        acc1 = madd(wv, loadStrided(src + f4(4 * sw), sw), acc1);
      }
    }
    storeEight(dst, j, wo, acc0, acc1, tail);
  }
}

// The 3 × 3 case (most depthwise layers): nine weight vectors held in registers, three input rows,
// straight-line code per eight outputs.
@inline function forwardRow3x3(r0: usize, r1: usize, r2: usize, dst: usize, tail: usize, b0: v128, wo: i32, sw: i32, d1: usize, d2: usize,
  w0: v128, w1: v128, w2: v128, w3: v128, w4: v128, w5: v128, w6: v128, w7: v128, w8: v128): void {
  const half = f4(4 * sw);
  for (let j = 0; j < wo; j += 8) {
    const o = f4(j * sw);
    const p0 = r0 + o, p1 = r1 + o, p2 = r2 + o;
    let acc0 = madd(w0, loadStrided(p0, sw), b0);
    let acc1 = madd(w0, loadStrided(p0 + half, sw), b0);
    acc0 = madd(w1, loadStrided(p0 + d1, sw), acc0); acc1 = madd(w1, loadStrided(p0 + d1 + half, sw), acc1);
    acc0 = madd(w2, loadStrided(p0 + d2, sw), acc0); acc1 = madd(w2, loadStrided(p0 + d2 + half, sw), acc1);
    acc0 = madd(w3, loadStrided(p1, sw), acc0); acc1 = madd(w3, loadStrided(p1 + half, sw), acc1);
    acc0 = madd(w4, loadStrided(p1 + d1, sw), acc0); acc1 = madd(w4, loadStrided(p1 + d1 + half, sw), acc1);
    acc0 = madd(w5, loadStrided(p1 + d2, sw), acc0); acc1 = madd(w5, loadStrided(p1 + d2 + half, sw), acc1);
    acc0 = madd(w6, loadStrided(p2, sw), acc0); acc1 = madd(w6, loadStrided(p2 + half, sw), acc1);
    acc0 = madd(w7, loadStrided(p2 + d1, sw), acc0); acc1 = madd(w7, loadStrided(p2 + d1 + half, sw), acc1);
    acc0 = madd(w8, loadStrided(p2 + d2, sw), acc0); acc1 = madd(w8, loadStrided(p2 + d2 + half, sw), acc1);
    storeEight(dst, j, wo, acc0, acc1, tail);
  }
}

// Two output rows of the 3 × 3, stride-1, undilated case at once: they share two of their four
// input rows, so each input vector is loaded once for both (24 loads per 36 multiply-adds, against
// 36 for one row at a time). Each output's taps are summed in the same order as forwardRow3x3, so
// both give the same bits.
@inline function forwardRowPair3x3(r0: usize, wpB: usize, dst: usize, dstNext: usize, tail: usize, b0: v128, wo: i32,
  w0: v128, w1: v128, w2: v128, w3: v128, w4: v128, w5: v128, w6: v128, w7: v128, w8: v128): void {
  const r1 = r0 + wpB, r2 = r1 + wpB, r3 = r2 + wpB;
  for (let j = 0; j < wo; j += 8) {
    const o = f4(j);
    // a: the upper output row (input rows r0–r2), c: the lower one (r1–r3); suffix 0/1: outputs j…j+3, j+4…j+7.
    let x0 = v128.load(r0 + o), x1 = v128.load(r0 + o, 16);
    let a0 = madd(w0, x0, b0), a1 = madd(w0, x1, b0);
    x0 = v128.load(r0 + o, 4); x1 = v128.load(r0 + o, 20);
    a0 = madd(w1, x0, a0); a1 = madd(w1, x1, a1);
    x0 = v128.load(r0 + o, 8); x1 = v128.load(r0 + o, 24);
    a0 = madd(w2, x0, a0); a1 = madd(w2, x1, a1);
    x0 = v128.load(r1 + o); x1 = v128.load(r1 + o, 16);
    a0 = madd(w3, x0, a0); a1 = madd(w3, x1, a1);
    let c0 = madd(w0, x0, b0), c1 = madd(w0, x1, b0);
    x0 = v128.load(r1 + o, 4); x1 = v128.load(r1 + o, 20);
    a0 = madd(w4, x0, a0); a1 = madd(w4, x1, a1);
    c0 = madd(w1, x0, c0); c1 = madd(w1, x1, c1);
    x0 = v128.load(r1 + o, 8); x1 = v128.load(r1 + o, 24);
    a0 = madd(w5, x0, a0); a1 = madd(w5, x1, a1);
    c0 = madd(w2, x0, c0); c1 = madd(w2, x1, c1);
    x0 = v128.load(r2 + o); x1 = v128.load(r2 + o, 16);
    a0 = madd(w6, x0, a0); a1 = madd(w6, x1, a1);
    c0 = madd(w3, x0, c0); c1 = madd(w3, x1, c1);
    x0 = v128.load(r2 + o, 4); x1 = v128.load(r2 + o, 20);
    a0 = madd(w7, x0, a0); a1 = madd(w7, x1, a1);
    c0 = madd(w4, x0, c0); c1 = madd(w4, x1, c1);
    x0 = v128.load(r2 + o, 8); x1 = v128.load(r2 + o, 24);
    a0 = madd(w8, x0, a0); a1 = madd(w8, x1, a1);
    c0 = madd(w5, x0, c0); c1 = madd(w5, x1, c1);
    x0 = v128.load(r3 + o); x1 = v128.load(r3 + o, 16);
    c0 = madd(w6, x0, c0); c1 = madd(w6, x1, c1);
    x0 = v128.load(r3 + o, 4); x1 = v128.load(r3 + o, 20);
    c0 = madd(w7, x0, c0); c1 = madd(w7, x1, c1);
    x0 = v128.load(r3 + o, 8); x1 = v128.load(r3 + o, 24);
    c0 = madd(w8, x0, c0); c1 = madd(w8, x1, c1);
    storeEight(dst, j, wo, a0, a1, tail);
    storeEight(dstNext, j, wo, c0, c1, tail);
  }
}

/** out[n, o] = bias[o] + w[o] ⋆ x[n, o / COG]; threads split the output planes. */
export function depthwiseForward(x: usize, w: usize, bias: usize, out: usize, tid: i32, nth: i32, scratch: usize): void {
  planeDims();
  const xp = scratch, tail = scratch + f4(hp * wp);
  const wpB = f4(wp), wo = WO, ho = HO, sh = SH, sw = SW, dh = DH, dw = DW, kh = KH, kw = KW;
  let first = true;
  beginSegments(tid, nth, 1, N * CO, 1);
  while (nextSegment()) {
    for (let plane = segLo; plane < segHi; plane++) {
      const n = plane / CO, o = plane - n * CO;
      padPlane(xp, x + f4((n * C + o / COG) * HW), first);
      first = false;
      const wo0 = w + f4(o * KHW);
      const b0 = f32x4.splat(bias != 0 ? load<f32>(bias + f4(o)) : 0);
      if (kh == 3 && kw == 3 && sw <= 2) {
        const w0 = v128.load32_splat(wo0), w1 = v128.load32_splat(wo0, 4), w2 = v128.load32_splat(wo0, 8);
        const w3 = v128.load32_splat(wo0, 12), w4 = v128.load32_splat(wo0, 16), w5 = v128.load32_splat(wo0, 20);
        const w6 = v128.load32_splat(wo0, 24), w7 = v128.load32_splat(wo0, 28), w8 = v128.load32_splat(wo0, 32);
        const d1 = f4(dw), d2 = f4(2 * dw), rowStep = <usize>dh * wpB;
        let i = 0;
        if (sw == 1 && sh == 1 && dh == 1 && dw == 1) {
          for (; i + 2 <= ho; i += 2) {
            const dst = out + f4(plane * P + i * wo);
            forwardRowPair3x3(xp + <usize>i * wpB, wpB, dst, dst + f4(wo), tail, b0, wo, w0, w1, w2, w3, w4, w5, w6, w7, w8);
          }
        }
        for (; i < ho; i++) {
          const r0 = xp + <usize>(i * sh) * wpB;
          const dst = out + f4(plane * P + i * wo);
          if (sw == 1) forwardRow3x3(r0, r0 + rowStep, r0 + 2 * rowStep, dst, tail, b0, wo, 1, d1, d2, w0, w1, w2, w3, w4, w5, w6, w7, w8);
          else forwardRow3x3(r0, r0 + rowStep, r0 + 2 * rowStep, dst, tail, b0, wo, 2, d1, d2, w0, w1, w2, w3, w4, w5, w6, w7, w8);
        }
      } else {
        for (let i = 0; i < ho; i++) {
          const rows = xp + <usize>(i * sh) * wpB;
          const dst = out + f4(plane * P + i * wo);
          if (sw == 1) forwardRow(rows, wo0, dst, tail, b0, wo, kh, kw, 1, dh, dw, wpB);
          else forwardRow(rows, wo0, dst, tail, b0, wo, kh, kw, sw, dh, dw, wpB);
        }
      }
    }
  }
}

/** dx[n, c] = Σ over the COG outputs of channel c of w[o] scattered by dy[n, o]; threads split the input planes. */
export function depthwiseBackwardData(dy: usize, w: usize, dx: usize, tid: i32, nth: i32, scratch: usize): void {
  planeDims();
  const dxp = scratch;
  const wpB = f4(wp), wo = WO, ho = HO, sh = SH, sw = SW, dh = DH, dw = DW, kh = KH, kw = KW, cog = COG;
  beginSegments(tid, nth, 1, N * C, 1);
  while (nextSegment()) {
    for (let plane = segLo; plane < segHi; plane++) {
      const n = plane / C, c = plane - n * C;
      zeroFloats(dxp, hp * wp);
      for (let m = 0; m < cog; m++) {
        const o = c * cog + m;
        const dyo = dy + f4((n * CO + o) * P);
        const wo0 = w + f4(o * KHW);
        for (let i = 0; i < ho; i++) {
          const dyRow = dyo + f4(i * wo);
          for (let a = 0; a < kh; a++) {
            const row = dxp + <usize>(i * sh + a * dh) * wpB;
            for (let b = 0; b < kw; b++) {
              const wb = load<f32>(wo0 + f4(a * kw + b));
              const base = row + f4(b * dw);
              let j = 0;
              if (sw == 1) {
                const wv = f32x4.splat(wb);
                for (; j + 8 <= wo; j += 8) {
                  const p = base + f4(j);
                  v128.store(p, madd(wv, v128.load(dyRow + f4(j)), v128.load(p)));
                  v128.store(p, madd(wv, v128.load(dyRow + f4(j), 16), v128.load(p, 16)), 16);
                }
                for (; j + 4 <= wo; j += 4) {
                  const p = base + f4(j);
                  v128.store(p, madd(wv, v128.load(dyRow + f4(j)), v128.load(p)));
                }
              }
              for (; j < wo; j++) {
                const p = base + f4(j * sw);
                store<f32>(p, load<f32>(p) + wb * load<f32>(dyRow + f4(j)));
              }
            }
          }
        }
      }
      for (let r = 0; r < H; r++) copyFloats(dx + f4(plane * HW + r * W), dxp + f4((r + PT) * wp + PL), W);
    }
  }
}

/** dw[o, a, b] = Σ_n Σ_{i,j} dy[n, o, i, j] · x[n, o / COG, tap]; threads split the output channels. */
export function depthwiseBackwardWeight(x: usize, dy: usize, dwOut: usize, tid: i32, nth: i32, scratch: usize): void {
  planeDims();
  const xp = scratch, taps = scratch + f4(hp * wp + wop);
  const wpB = f4(wp), wo = WO, ho = HO, sh = SH, sw = SW, dh = DH, dw = DW, kh = KH, kw = KW;
  let first = true;
  beginSegments(tid, nth, 1, CO, 1, 1);
  while (nextSegment()) {
    for (let o = segLo; o < segHi; o++) {
      const c = o / COG;
      zeroFloats(taps, 4 * KHW);
      for (let n = 0; n < N; n++) {
        padPlane(xp, x + f4((n * C + c) * HW), first);
        first = false;
        const dyo = dy + f4((n * CO + o) * P);
        for (let i = 0; i < ho; i++) {
          const dyRow = dyo + f4(i * wo);
          for (let a = 0; a < kh; a++) {
            const row = xp + <usize>(i * sh + a * dh) * wpB;
            for (let b = 0; b < kw; b++) {
              const base = row + f4(b * dw);
              const t = taps + f4(4 * (a * kw + b));
              let s0 = v128.load(t), s1 = f32x4.splat(0);
              let j = 0;
              for (; j + 8 <= wo; j += 8) {
                s0 = madd(v128.load(dyRow + f4(j)), loadStrided(base + f4(j * sw), sw), s0);
                s1 = madd(v128.load(dyRow + f4(j + 4)), loadStrided(base + f4((j + 4) * sw), sw), s1);
              }
              for (; j + 4 <= wo; j += 4) s0 = madd(v128.load(dyRow + f4(j)), loadStrided(base + f4(j * sw), sw), s0);
              s0 = f32x4.add(s0, s1);
              // The tail goes into lane 0, one product at a time.
              let tail: f32 = 0;
              for (; j < wo; j++) tail += load<f32>(dyRow + f4(j)) * load<f32>(base + f4(j * sw));
              v128.store(t, f32x4.replace_lane(s0, 0, f32x4.extract_lane(s0, 0) + tail));
            }
          }
        }
      }
      for (let k = 0; k < KHW; k++) {
        const t = taps + f4(4 * k);
        store<f32>(dwOut + f4(o * KHW + k), (load<f32>(t) + load<f32>(t, 4)) + (load<f32>(t, 8) + load<f32>(t, 12)));
      }
    }
  }
}
