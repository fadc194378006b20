// Weight gradient with the output channels o in the SIMD lanes:
//
//   dw[o, t] = Σ_n Σ_(i, j) dy[n, o, i, j] · x[n, tap t = (c, a, b) of output (i, j)]
//
// The direct kernels (direct.ts) put output columns in the lanes, which leaves lanes idle on rows
// whose width is not a multiple of 4 (LeNet's rows of 10 use 83% of them). Here each image's dy is
// transposed to dyT [position][o] (o rounded up to 8, zero past co) and x is padded into xp
// [c][row][column]; a tile of 8 channels × 4 taps keeps 8 accumulators, each holding four output
// channels of one tap, and takes per position two dy vectors and four broadcast x values. Taps are
// rounded up to 4 (a padded tap reads offset 0 and its sums are dropped). Accumulators live in
// scratch between images, and a tile's sums run in one order whatever the thread split.
import { f4, madd } from './simd';
import { CIG, COG, H, W, HO, WO, KH, KW, SH, SW, DH, DW, PT, PL } from './geometry';

// Sizes per image and group come from the job's geometry (geometry.ts): x [CIG, H, W], dy
// [COG, HO, WO], kernel KH × KW, stride, dilation and padding. Derived here: taps, taps rounded up to
// 4, o rounded up to 8, and the padded input rows and columns that outputs read.
let K: i32 = 0;
let kPad: i32 = 0;
let o8: i32 = 0;
let hp: i32 = 0;
let wp: i32 = 0;

/** Derives the packing sizes of the current job's geometry. */
export function setChannelLanesWeight(): void {
  K = CIG * KH * KW;
  kPad = (K + 3) & ~3;
  o8 = (COG + 7) & ~7;
  hp = (HO - 1) * SH + (KH - 1) * DH + 1;
  wp = (WO - 1) * SW + (KW - 1) * DW + 1;
}

function accFloats(): i32 { return o8 * kPad; }
function dyFloats(): i32 { return HO * WO * o8; }

// Scratch layout: accumulators [tap quad][channel octet][8 vectors], tap offsets, dyT, xp.
function tableAt(scratch: usize): usize { return scratch + f4(accFloats()); }
function dyAt(scratch: usize): usize { return tableAt(scratch) + f4(kPad); }
function xpAt(scratch: usize): usize { return dyAt(scratch) + f4(dyFloats()); }

/** Per-thread scratch for the current problem. */
export function channelLanesWeightScratch(): usize {
  return f4(accFloats() + kPad + dyFloats() + CIG * hp * wp) + 16;
}

/** Zeroes the accumulators of taps [t0, t1) (t0 a multiple of 4) and writes their xp offsets. */
export function channelLanesWeightBegin(scratch: usize, t0: i32, t1: i32): void {
  const q0 = t0 >> 2, q1 = (t1 + 3) >> 2;
  memory.fill(scratch + f4(q0 * 4 * o8), 0, f4((q1 - q0) * 4 * o8));
  const tab = tableAt(scratch);
  for (let t = q0 * 4; t < q1 * 4; t++) {
    let off = 0;
    if (t < K) {
      const c = t / (KH * KW), r = t - c * KH * KW, a = r / KW, b = r - a * KW;
      off = (c * hp + a * DH) * wp + b * DW;
    }
    store<i32>(tab + f4(t), off << 2);
  }
}

/** Transposes one image's dy [COG, HO, WO] into dyT and pads its x [CIG, H, W] into xp. */
function loadImage(scratch: usize, x: usize, dy: usize): void {
  const d = dyAt(scratch), P = HO * WO;
  if (o8 != COG) memory.fill(d, 0, f4(dyFloats()));
  for (let o = 0; o < COG; o++) {
    const src = dy + f4(o * P);
    for (let p = 0; p < P; p++) store<f32>(d + f4(p * o8 + o), load<f32>(src + f4(p)));
  }
  const xp = xpAt(scratch);
  for (let c = 0; c < CIG; c++) {
    for (let Y = 0; Y < hp; Y++) {
      const row = xp + f4((c * hp + Y) * wp), y = Y - PT;
      if (y < 0 || y >= H) { memory.fill(row, 0, f4(wp)); continue; }
      const src = x + f4((c * H + y) * W);
      for (let X = 0; X < wp; X++) {
        const xx = X - PL;
        store<f32>(row + f4(X), xx >= 0 && xx < W ? load<f32>(src + f4(xx)) : 0);
      }
    }
  }
}

/** Adds one image's contribution to the accumulators of taps [t0, t1): x its CIG planes, dy its COG planes. */
export function channelLanesWeightImage(x: usize, dy: usize, t0: i32, t1: i32, scratch: usize): void {
  loadImage(scratch, x, dy);
  const d = dyAt(scratch), xp = xpAt(scratch), tab = tableAt(scratch);
  const octets = o8 >> 3;
  for (let q = t0 >> 2; q < (t1 + 3) >> 2; q++) {
    const offs = tab + f4(q * 4);
    const o0 = <usize>load<i32>(offs), o1 = <usize>load<i32>(offs, 4);
    const o2 = <usize>load<i32>(offs, 8), o3 = <usize>load<i32>(offs, 12);
    for (let k = 0; k < octets; k++) {
      tile(scratch + f4((q * octets + k) * 32), d + f4(k * 8), xp, o0, o1, o2, o3);
    }
  }
}

// One tile over one image: channels of octet (dy at d, positions o8 floats apart) × 4 taps at byte
// offsets o0 … o3 from each output's window origin in xp; acc holds [tap][2 vectors].
function tile(acc: usize, d: usize, xp: usize, o0: usize, o1: usize, o2: usize, o3: usize): void {
  let a00 = v128.load(acc), a01 = v128.load(acc, 16), a10 = v128.load(acc, 32), a11 = v128.load(acc, 48);
  let a20 = v128.load(acc, 64), a21 = v128.load(acc, 80), a30 = v128.load(acc, 96), a31 = v128.load(acc, 112);
  const step = f4(o8), colStep = f4(SW), rowStep = f4(SH * wp);
  let dp = d;
  for (let i = 0; i < HO; i++) {
    let xq = xp + <usize>i * rowStep;
    const end = dp + <usize>WO * step;
    for (; dp < end; dp += step, xq += colStep) {
      const d0 = v128.load(dp), d1 = v128.load(dp, 16);
      let v = v128.load32_splat(xq + o0);
      a00 = madd(d0, v, a00); a01 = madd(d1, v, a01);
      v = v128.load32_splat(xq + o1);
      a10 = madd(d0, v, a10); a11 = madd(d1, v, a11);
      v = v128.load32_splat(xq + o2);
      a20 = madd(d0, v, a20); a21 = madd(d1, v, a21);
      v = v128.load32_splat(xq + o3);
      a30 = madd(d0, v, a30); a31 = madd(d1, v, a31);
    }
  }
  v128.store(acc, a00); v128.store(acc, a01, 16); v128.store(acc, a10, 32); v128.store(acc, a11, 48);
  v128.store(acc, a20, 64); v128.store(acc, a21, 80); v128.store(acc, a30, 96); v128.store(acc, a31, 112);
}

/** dw[o, t] for taps [t0, t1) (row stride ldw floats) from the accumulators. */
export function channelLanesWeightEnd(scratch: usize, dwOut: usize, ldw: i32, t0: i32, t1: i32): void {
  const octets = o8 >> 3;
  for (let t = t0; t < t1; t++) {
    const q = t >> 2, k = t & 3;
    for (let o = 0; o < COG; o++) {
      const acc = scratch + f4((q * octets + (o >> 3)) * 32 + k * 8 + (o & 7));
      store<f32>(dwOut + f4(o * ldw + t), load<f32>(acc));
    }
  }
}
