// Per-channel kernels of batch normalization over x [N, C, S] (S = a channel's plane): moments
// (mean and squared deviations), the two backward sums, and the per-channel affine map. Threads
// split the channels, so each channel's sums run in one fixed order whatever the thread count.
// Per-plane partial sums use f32x4 lanes over chunks of CHUNK values, added up in f64.
import { f4 } from './simd';
import { beginSegments, nextSegment, segUnit, segLo, segHi } from './partition';

const CHUNK: i32 = 512;

let n: i32 = 0;
let c: i32 = 0;
let s: i32 = 0;

function readChannelGeometry(args: usize): void {
  n = load<i32>(args); c = load<i32>(args, 4); s = load<i32>(args, 8);
}

@inline function f8(i: i32): usize {
  return <usize>i << 3;
}

@inline function lanes(v: v128): f64 {
  return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
}

/** Σ (x − m) over len floats at p, or Σ (x − m)² when `squares`. */
function planeSum(p: usize, len: i32, m: f32, squares: bool): f64 {
  const mv = f32x4.splat(m);
  let total: f64 = 0;
  for (let c0 = 0; c0 < len; c0 += CHUNK) {
    const end = min(len, c0 + CHUNK);
    let a0 = f32x4.splat(0), a1 = a0;
    let i = c0;
    for (; i + 8 <= end; i += 8) {
      const d0 = f32x4.sub(v128.load(p + f4(i)), mv), d1 = f32x4.sub(v128.load(p + f4(i), 16), mv);
      if (squares) { a0 = f32x4.add(a0, f32x4.mul(d0, d0)); a1 = f32x4.add(a1, f32x4.mul(d1, d1)); }
      else { a0 = f32x4.add(a0, d0); a1 = f32x4.add(a1, d1); }
    }
    let rest: f64 = 0;
    for (; i < end; i++) {
      const d = <f64>load<f32>(p + f4(i)) - <f64>m;
      rest += squares ? d * d : d;
    }
    total += lanes(f32x4.add(a0, a1)) + rest;
  }
  return total;
}

/** Σ g·(x − m) over len floats. */
function planeDot(g: usize, x: usize, len: i32, m: f32): f64 {
  const mv = f32x4.splat(m);
  let total: f64 = 0;
  for (let c0 = 0; c0 < len; c0 += CHUNK) {
    const end = min(len, c0 + CHUNK);
    let a0 = f32x4.splat(0), a1 = a0;
    let i = c0;
    for (; i + 8 <= end; i += 8) {
      const o = f4(i);
      a0 = f32x4.add(a0, f32x4.mul(v128.load(g + o), f32x4.sub(v128.load(x + o), mv)));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(g + o, 16), f32x4.sub(v128.load(x + o, 16), mv)));
    }
    let rest: f64 = 0;
    for (; i < end; i++) rest += <f64>load<f32>(g + f4(i)) * (<f64>load<f32>(x + f4(i)) - <f64>m);
    total += lanes(f32x4.add(a0, a1)) + rest;
  }
  return total;
}

/** args: n, c, s, x, mean (f64[c] out), squares (f64[c] out). */
export function channelMoments(args: usize, tid: i32, nth: i32): void {
  readChannelGeometry(args);
  const x = load<usize>(args, 12), mean = load<usize>(args, 16), squares = load<usize>(args, 20);
  const count = <f64>n * <f64>s;
  beginSegments(tid, nth, 1, c, 1);
  while (nextSegment()) {
    for (let ch = segLo; ch < segHi; ch++) {
      let sum: f64 = 0;
      for (let b = 0; b < n; b++) sum += planeSum(x + f4((b * c + ch) * s), s, 0, false);
      const m = sum / count;
      // Deviations from the float32 mean mf: Σ(x − mf)² = Σ(x − m)² + count·(m − mf)².
      const mf = <f32>m;
      let sq: f64 = 0;
      for (let b = 0; b < n; b++) sq += planeSum(x + f4((b * c + ch) * s), s, mf, true);
      const e = m - <f64>mf;
      store<f64>(mean + f8(ch), m);
      store<f64>(squares + f8(ch), max<f64>(0, sq - count * e * e));
    }
  }
}

/** args: n, c, s, dy, x, center (f64[c]), sums (f64[c] out), dots (f64[c] out). */
export function channelDots(args: usize, tid: i32, nth: i32): void {
  readChannelGeometry(args);
  const dy = load<usize>(args, 12), x = load<usize>(args, 16), center = load<usize>(args, 20);
  const sums = load<usize>(args, 24), dots = load<usize>(args, 28);
  beginSegments(tid, nth, 1, c, 1);
  while (nextSegment()) {
    for (let ch = segLo; ch < segHi; ch++) {
      const m = load<f64>(center + f8(ch));
      const mf = <f32>m;
      let sum: f64 = 0, dot: f64 = 0;
      for (let b = 0; b < n; b++) {
        const o = f4((b * c + ch) * s);
        sum += planeSum(dy + o, s, 0, false);
        dot += planeDot(dy + o, x + o, s, mf);
      }
      // Σ dy·(x − m) = Σ dy·(x − mf) − (m − mf)·Σ dy.
      store<f64>(sums + f8(ch), sum);
      store<f64>(dots + f8(ch), dot - (m - <f64>mf) * sum);
    }
  }
}

/** src·a + k for four floats, each computed in f64 and rounded once to f32 (channelAffine's rounding). */
@inline function affine4(v: v128, a: v128, k: v128): v128 {
  const lo = f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(v), a), k);
  const hi = f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)), a), k);
  return i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/** The same for one float. */
@inline function affine1(v: f32, a: f64, k: f64): f32 {
  return <f32>(<f64>v * a + k);
}

/**
 * args: n, c, s, src, out, params (f64 [4][c]: scale, shift, center, coef), x (0: no extra term),
 * relu (without a term: 1 applies relu to out in the same pass, as reluForward would after it).
 * out = src·scale + shift (+ (x − center)·coef), computed in f64 and rounded once, in the same
 * operation order as the reference loops, so both backends give the same bits. Threads split the
 * (image, channel) planes.
 */
export function channelAffine(args: usize, tid: i32, nth: i32): void {
  readChannelGeometry(args);
  const src = load<usize>(args, 12), out = load<usize>(args, 16), params = load<usize>(args, 20), x = load<usize>(args, 24);
  const relu = load<i32>(args, 28) != 0;
  const zero = f32x4.splat(0);
  beginSegments(tid, nth, n * c, s, 4);
  while (nextSegment()) {
    const plane = f4(segUnit * s);
    const ch = segUnit % c;
    const ka = load<f64>(params + f8(ch)), kc = load<f64>(params + f8(c + ch));
    const km = load<f64>(params + f8(2 * c + ch)), kb = load<f64>(params + f8(3 * c + ch));
    const a = f64x2.splat(ka), k = f64x2.splat(kc), m = f64x2.splat(km), b = f64x2.splat(kb);
    const sp = src + plane, op = out + plane, xp = x + plane;
    let i = segLo;
    if (x == 0) {
      for (; i + 4 <= segHi; i += 4) {
        let r = affine4(v128.load(sp + f4(i)), a, k);
        // relu as reluForward: keep r where r > 0 or r is NaN.
        if (relu) r = v128.and(r, v128.or(f32x4.gt(r, zero), f32x4.ne(r, r)));
        v128.store(op + f4(i), r);
      }
      for (; i < segHi; i++) {
        const r = affine1(load<f32>(sp + f4(i)), ka, kc);
        store<f32>(op + f4(i), !relu || r > 0 || r != r ? r : 0);
      }
    } else {
      for (; i + 4 <= segHi; i += 4) {
        const v = v128.load(sp + f4(i)), w = v128.load(xp + f4(i));
        const vh = i32x4.shuffle(v, v, 2, 3, 0, 1), wh = i32x4.shuffle(w, w, 2, 3, 0, 1);
        const lo = f64x2.add(f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(v), a), f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(w), m), b)), k);
        const hi = f64x2.add(f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(vh), a), f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(wh), m), b)), k);
        v128.store(op + f4(i), i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5));
      }
      for (; i < segHi; i++) {
        const t = (<f64>load<f32>(xp + f4(i)) - km) * kb;
        store<f32>(op + f4(i), <f32>(<f64>load<f32>(sp + f4(i)) * ka + t + kc));
      }
    }
  }
}

/**
 * args: n, c, s, dy (in place), x, params (f64 [2][c]: scale, shift). The gradient of a ReLU fused
 * after the affine map: dy keeps its value where x·scale + shift, computed as channelAffine computes
 * it (f64, rounded once to f32), is > 0, and becomes +0 elsewhere, as reluBackward would give with
 * that layer's output. Threads split the (image, channel) planes.
 */
export function channelReluMask(args: usize, tid: i32, nth: i32): void {
  readChannelGeometry(args);
  const dy = load<usize>(args, 12), x = load<usize>(args, 16), params = load<usize>(args, 20);
  const zero = f32x4.splat(0);
  beginSegments(tid, nth, n * c, s, 4);
  while (nextSegment()) {
    const plane = f4(segUnit * s);
    const ch = segUnit % c;
    const ka = load<f64>(params + f8(ch)), kc = load<f64>(params + f8(c + ch));
    const a = f64x2.splat(ka), k = f64x2.splat(kc);
    const gp = dy + plane, xp = x + plane;
    let i = segLo;
    for (; i + 4 <= segHi; i += 4) {
      const r = affine4(v128.load(xp + f4(i)), a, k);
      v128.store(gp + f4(i), v128.and(v128.load(gp + f4(i)), f32x4.gt(r, zero)));
    }
    for (; i < segHi; i++) {
      const r = affine1(load<f32>(xp + f4(i)), ka, kc);
      store<f32>(gp + f4(i), r > 0 ? load<f32>(gp + f4(i)) : 0);
    }
  }
}
