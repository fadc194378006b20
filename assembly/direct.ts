// Direct convolution for layers with few channels (small GEMM depth CIG·KH·KW or few output
// channels), where im2col packing and the 4 × 8 GEMM tiles' wasted rows cost more than the products.
//
// One problem: input planes [ci, hi, wi] → output planes [co, ho, wo] with kernel kh × kw, stride,
// dilation and top/left padding (bottom/right padding is implied by ho, wo). The input rows that a
// band of output rows needs are copied into a zero-padded buffer, split by column phase for stride
// sw > 1 (phase φ holds padded columns φ, φ + sw, φ + 2·sw …), so every tap of eight neighbouring
// outputs is eight neighbouring floats for any stride and dilation. Rows are outermost, so the taps
// of one output row (kernel row first) walk the band forwards instead of jumping a channel plane
// per tap (with 64 channels, planes a few KiB apart fell into the same L1 sets):
//
//   padded (c, row Y, column X = q·sw + φ) at  xp + ((Y − Y0)·ci·sw + c·sw + φ)·wq + q
//   output (o, oy, ox), tap t = (c, a, b) reads row oy·sh + a·dh, column ox·sw + b·dw, i.e.
//   phase (b·dw) mod sw, q = ox + ⌊b·dw / sw⌋  →  src(oy, ox) + tab[t]
//
// Two families of micro-kernels, both with B read in place and taps in the same order for every
// output, so results do not depend on how threads split the rows:
// - by position: 4 output channels × 8 outputs of a row (8 accumulators), and 2 channels × 16 outputs
//   for the 1–3 channels left over; weights packed per channel quad / pair as [K][4] / [K][2];
// - by channel (XNNPACK's layout): 8 output channels × 4 outputs or 16 channels × 2 outputs (8
//   accumulators each; 8 × 5 with 10 spilled in V8 and ran 2.5× slower); weights packed per block
//   of 8 or 16 channels as [K][8] or [K][16]. Rows whose width is not a multiple of 8 (10, 14 …)
//   waste lanes or run the half-speed 4 × 4 tail in the first family; 8 × 4 wastes at most 3 outputs
//   of a row, 16 × 2 at most 1 (LeNet's 16 channels on rows of 10 waste nothing).
import { f4, madd, copyFloats, zeroFloats } from './simd';

/** Floats of padded input held at once (per thread): about an L2's worth. */
const BAND_FLOATS: i32 = 1 << 16;

let ci: i32 = 0;
let hi: i32 = 0;
let wi: i32 = 0;
let co: i32 = 0;
let ho: i32 = 0;
let wo: i32 = 0;
let kh: i32 = 0;
let kw: i32 = 0;
let sh: i32 = 1;
let sw: i32 = 1;
let dh: i32 = 1;
let dw: i32 = 1;
let pt: i32 = 0;
let pl: i32 = 0;
let K: i32 = 0;
/** Output row width rounded up to 16, padded phase row width, output rows per band. */
let wop: i32 = 0;
let wq: i32 = 0;
let bandRows: i32 = 1;
let nQuads: i32 = 0;
let nPairs: i32 = 0;
/** Output channels rounded up to quads and pairs, taps rounded up to 4 (weight gradient). */
let coPad: i32 = 0;
let kPad: i32 = 0;
/**
 * Whether the forward kernels run by channel, the channels of a block (8: 8 × 4 kernel, 16: 16 × 2
 * kernel) and the block count.
 */
let byChannel: bool = false;
let blockCh: i32 = 8;
let nBlocks: i32 = 0;
/**
 * Whether the forward kernels read the input planes in place instead of a padded band: by-channel
 * kernels (they load single floats, reading at most 3 past a row's last output, inside the next row
 * or the arena's slack) on stride-1 problems whose taps all fall inside the input (no padding).
 */
let inPlace: bool = false;

/** Sets the problem (all sizes per image and group). */
export function setDirect(ci_: i32, hi_: i32, wi_: i32, co_: i32, ho_: i32, wo_: i32, kh_: i32, kw_: i32,
  sh_: i32, sw_: i32, dh_: i32, dw_: i32, pt_: i32, pl_: i32): void {
  ci = ci_; hi = hi_; wi = wi_; co = co_; ho = ho_; wo = wo_; kh = kh_; kw = kw_;
  sh = sh_; sw = sw_; dh = dh_; dw = dw_; pt = pt_; pl = pl_;
  K = ci * kh * kw;
  kPad = (K + 3) & ~3;
  wop = (wo + 15) & ~15;
  wq = wop + (kw - 1) * dw / sw;
  const perRow = ci * sw * wq;
  const maxRows = max(1, BAND_FLOATS / max(1, perRow));
  bandRows = min(ho, max(1, (maxRows - (kh - 1) * dh - 1) / sh + 1));
  nQuads = co >> 2;
  nPairs = ((co & 3) + 1) >> 1;
  coPad = nQuads * 4 + nPairs * 2;
  setBlock(8);
  byChannel = false;
  inPlace = false;
}

function chooseInPlace(): void {
  inPlace = byChannel && sw == 1 && pt == 0 && pl == 0 &&
    (wo - 1) + (kw - 1) * dw <= wi - 1 && (ho - 1) * sh + (kh - 1) * dh <= hi - 1;
}

function setBlock(channels: i32): void {
  blockCh = channels;
  nBlocks = (co + channels - 1) / channels;
}

/** (channel, output) slots per output row of the by-channel kernel with `channels` × `outputs` tiles. */
function blockSlots(channels: i32, outputs: i32): i32 {
  return (co + channels - 1) / channels * channels * ((wo + outputs - 1) / outputs * outputs);
}

/**
 * Picks the kernels of the current problem: the layout that computes the fewest (channel, output)
 * slots, counting the by-position 4 × 4 tail at twice its slots (4 accumulators run at half the
 * rate of 8); ties go to by position, then to 8 × 4. 0 picks, 1 forces by position, 2 forces
 * 8 × 4 by channel, 3 forces 16 × 2 by channel.
 */
export function chooseDirectLayout(force: i32): void {
  if (force != 0) {
    byChannel = force >= 2;
    setBlock(force == 3 ? 16 : 8);
    chooseInPlace();
    return;
  }
  // A row tail of 1–4 runs 4 × 4 (4 slots at half rate), of 5–7 runs 4 × 8: 8 slots either way.
  const byPosition = nQuads * 4 * (((wo + 7) >> 3) * 8) + nPairs * 2 * (((wo + 15) >> 4) * 16);
  const by8 = blockSlots(8, 4), by16 = blockSlots(16, 2);
  byChannel = min(by8, by16) < byPosition;
  setBlock(by16 < by8 ? 16 : 8);
  chooseInPlace();
}

function bandPaddedRows(rows: i32): i32 {
  return (rows - 1) * sh + (kh - 1) * dh + 1;
}

function paddedFloats(): i32 {
  return ci * sw * wq * bandPaddedRows(bandRows);
}

/** Output channels as packed: rounded up to blocks of 8, or to quads and pairs. */
function packedChannels(): i32 {
  return byChannel ? nBlocks * blockCh : nQuads * 4 + nPairs * 2;
}

function packedFloats(): i32 {
  return packedChannels() * K;
}

/** Per-thread scratch for the current problem. */
export function directScratch(): usize {
  return f4(packedFloats() + packedChannels() + K + 4 * 16 + paddedFloats() + 16);
}

// Scratch layout.
function packedAt(scratch: usize): usize { return scratch; }
function biasAt(scratch: usize): usize { return scratch + f4(packedFloats()); }
function tableAt(scratch: usize): usize { return biasAt(scratch) + f4(packedChannels()); }
function tileAt(scratch: usize): usize { return tableAt(scratch) + f4(K); }
function bandAt(scratch: usize): usize { return (tileAt(scratch) + f4(4 * 16) + 15) & ~(<usize>15); }

// The forward kernels take taps in the order t = (a, c, b), kernel row first, so that the taps of
// the kernel rows that fall on a band's padding rows are one contiguous range to leave out (see
// tapRange); the weight gradient keeps t = (c, a, b), the layout of dw.

/** Float offset of tap t = (a, c, b) of output channel 0 in a weight with channel stride rsC. */
function tapOffset(t: i32, rsC: i32, flip: bool): i32 {
  const cb = ci * kw;
  const a = t / cb;
  const rest = t - a * cb;
  const c = rest / kw;
  let r = a * kw + (rest - c * kw);
  if (flip) r = kh * kw - 1 - r;
  return c * rsC + r;
}

/**
 * Packs the weights of one problem: weight (o, t) for t = (a, c, b) is at
 * w + 4·(o·rsO + c·rsC + a'·kw + b') with (a', b') = (a, b), or (kh−1−a, kw−1−b) when `flip`.
 * Also packs the bias (0 = none).
 */
export function packDirectWeights(scratch: usize, w: usize, rsO: i32, rsC: i32, flip: bool, bias: usize): void {
  // The tap table depends only on the problem, so it is built with the weights, once per call.
  buildTable(tableAt(scratch), true);
  let dst = packedAt(scratch);
  const bp = biasAt(scratch);
  const rowsPadded = packedChannels();
  for (let r = 0; r < rowsPadded; r++) store<f32>(bp + f4(r), r < co && bias != 0 ? load<f32>(bias + f4(r)) : 0);
  if (byChannel) {
    // [block][K][blockCh], zero past co.
    for (let o0 = 0; o0 < co; o0 += blockCh) {
      for (let t = 0; t < K; t++) {
        const at = w + f4(tapOffset(t, rsC, flip));
        for (let i = 0; i < blockCh; i++) {
          const o = o0 + i;
          store<f32>(dst + f4(i), o < co ? load<f32>(at + f4(o * rsO)) : 0);
        }
        dst += f4(blockCh);
      }
    }
    return;
  }
  let o0 = 0;
  while (o0 < co) {
    const mr = o0 + 4 <= co - (co & 3) ? 4 : 2;
    for (let t = 0; t < K; t++) {
      const at = w + f4(tapOffset(t, rsC, flip));
      for (let i = 0; i < mr; i++) {
        const o = o0 + i;
        store<f32>(dst + f4(i), o < co ? load<f32>(at + f4(o * rsO)) : 0);
      }
      dst += f4(mr);
    }
    o0 += mr;
  }
}

// Pads input rows [Y0, Y1) (padded row numbers, input row = Y − pt) of every channel into the band.
function padBand(band: usize, x: usize, Y0: i32, Y1: i32): void {
  const chan = sw * wq, rowStride = ci * chan;
  const hw = hi * wi;
  for (let c = 0; c < ci; c++) {
    const plane = x + f4(c * hw);
    for (let Y = Y0; Y < Y1; Y++) {
      const iy = Y - pt;
      for (let ph = 0; ph < sw; ph++) {
        const dst = band + f4((Y - Y0) * rowStride + c * chan + ph * wq);
        if (<u32>iy >= <u32>hi) { zeroFloats(dst, wq); continue; }
        const src = plane + f4(iy * wi);
        // Columns q with input column q·sw + ph − pl in [0, wi).
        const first = ph - pl;
        const qLo = min(wq, first >= 0 ? 0 : (-first + sw - 1) / sw);
        const qHi = max(qLo, min(wq, wi - 1 - first >= 0 ? (wi - 1 - first) / sw + 1 : 0));
        zeroFloats(dst, qLo);
        if (sw == 1) {
          copyFloats(dst + f4(qLo), src + f4(qLo + first), qHi - qLo);
        } else {
          let q = qLo;
          if (sw == 2) {
            for (; q + 4 <= qHi; q += 4) {
              const s = src + f4(q * 2 + first);
              // Four even-indexed floats of s[0 .. 8): the last load stops at s + 8, inside the row.
              const lo = v128.load(s), hi4 = v128.load(s, 12);
              v128.store(dst + f4(q), i32x4.shuffle(lo, hi4, 0, 2, 5, 7));
            }
          }
          for (; q < qHi; q++) store<f32>(dst + f4(q), load<f32>(src + f4(q * sw + first)));
        }
        zeroFloats(dst + f4(qHi), wq - qHi);
      }
    }
  }
}

// Byte offsets of the K taps relative to an output's (row, column) origin in the band, taps in
// the order (a, c, b) when `rowFirst` (forward kernels), (c, a, b) otherwise (weight gradient).
function buildTable(tab: usize, rowFirst: bool): void {
  const chan = sw * wq, rowStride = ci * chan;
  for (let c = 0; c < ci; c++) for (let a = 0; a < kh; a++) for (let b = 0; b < kw; b++) {
    const col = b * dw;
    const ph = col % sw;
    const t = rowFirst ? (a * ci + c) * kw + b : (c * kh + a) * kw + b;
    // In place (forward only): the input planes [ci, hi, wi] themselves, stride 1, no padding.
    const at = rowFirst && inPlace ? c * hi * wi + a * dh * wi + col : a * dh * rowStride + c * chan + ph * wq + col / sw;
    store<i32>(tab + f4(t), <i32>f4(at));
  }
}

// The taps of output row oy that read real input rows: kernel rows a with pt ≤ oy·sh + a·dh < pt + hi
// (the others read zero padding), as the range [tapLo, tapLo + tapCount) of the (a, c, b) order.
let tapLo: i32 = 0;
let tapCount: i32 = 0;
function tapRange(oy: i32): void {
  const top = pt - oy * sh;
  const aLo = top <= 0 ? 0 : (top + dh - 1) / dh;
  const bottom = pt + hi - 1 - oy * sh;
  const aHi = bottom < 0 ? -1 : min(kh - 1, bottom / dh);
  tapLo = aLo * ci * kw;
  tapCount = aHi >= aLo ? (aHi - aLo + 1) * ci * kw : 0;
}

// 4 channels × 8 outputs: out rows at dst + r·ldo (bytes), n ≤ 8 valid outputs.
function kernel4x8(k: i32, pa: usize, tab: usize, src: usize, bp: usize, dst: usize, ldo: usize, n: i32, tile: usize): void {
  let c00 = v128.load32_splat(bp), c01 = c00;
  let c10 = v128.load32_splat(bp, 4), c11 = c10;
  let c20 = v128.load32_splat(bp, 8), c21 = c20;
  let c30 = v128.load32_splat(bp, 12), c31 = c30;
  const end = tab + f4(k);
  while (tab < end) {
    const p = src + <usize>load<i32>(tab);
    const b0 = v128.load(p), b1 = v128.load(p, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    pa += 16; tab += 4;
  }
  if (n == 8) {
    v128.store(dst, c00); v128.store(dst, c01, 16);
    v128.store(dst + ldo, c10); v128.store(dst + ldo, c11, 16);
    v128.store(dst + 2 * ldo, c20); v128.store(dst + 2 * ldo, c21, 16);
    v128.store(dst + 3 * ldo, c30); v128.store(dst + 3 * ldo, c31, 16);
  } else {
    v128.store(tile, c00); v128.store(tile, c01, 16);
    v128.store(tile, c10, 32); v128.store(tile, c11, 48);
    v128.store(tile, c20, 64); v128.store(tile, c21, 80);
    v128.store(tile, c30, 96); v128.store(tile, c31, 112);
    for (let r = 0; r < 4; r++) copyFloats(dst + <usize>r * ldo, tile + f4(r * 8), n);
  }
}

// 4 channels × 4 outputs, for row tails of at most 4 (n ≤ 4 valid outputs).
function kernel4x4(k: i32, pa: usize, tab: usize, src: usize, bp: usize, dst: usize, ldo: usize, n: i32, tile: usize): void {
  let c0 = v128.load32_splat(bp), c1 = v128.load32_splat(bp, 4), c2 = v128.load32_splat(bp, 8), c3 = v128.load32_splat(bp, 12);
  const end = tab + f4(k);
  while (tab < end) {
    const b = v128.load(src + <usize>load<i32>(tab));
    c0 = madd(v128.load32_splat(pa), b, c0);
    c1 = madd(v128.load32_splat(pa, 4), b, c1);
    c2 = madd(v128.load32_splat(pa, 8), b, c2);
    c3 = madd(v128.load32_splat(pa, 12), b, c3);
    pa += 16; tab += 4;
  }
  v128.store(tile, c0); v128.store(tile, c1, 16); v128.store(tile, c2, 32); v128.store(tile, c3, 48);
  for (let r = 0; r < 4; r++) copyFloats(dst + <usize>r * ldo, tile + f4(r * 4), n);
}

// 2 channels × 16 outputs (mr = 1 or 2 rows stored), n ≤ 16 valid outputs.
function kernel2x16(k: i32, pa: usize, tab: usize, src: usize, bp: usize, dst: usize, ldo: usize, mr: i32, n: i32, tile: usize): void {
  let c00 = v128.load32_splat(bp), c01 = c00, c02 = c00, c03 = c00;
  let c10 = v128.load32_splat(bp, 4), c11 = c10, c12 = c10, c13 = c10;
  const end = tab + f4(k);
  while (tab < end) {
    const p = src + <usize>load<i32>(tab);
    const b0 = v128.load(p), b1 = v128.load(p, 16), b2 = v128.load(p, 32), b3 = v128.load(p, 48);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01); c02 = madd(a, b2, c02); c03 = madd(a, b3, c03);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11); c12 = madd(a, b2, c12); c13 = madd(a, b3, c13);
    pa += 8; tab += 4;
  }
  if (n == 16) {
    v128.store(dst, c00); v128.store(dst, c01, 16); v128.store(dst, c02, 32); v128.store(dst, c03, 48);
    if (mr == 2) {
      v128.store(dst + ldo, c10); v128.store(dst + ldo, c11, 16); v128.store(dst + ldo, c12, 32); v128.store(dst + ldo, c13, 48);
    }
  } else {
    v128.store(tile, c00); v128.store(tile, c01, 16); v128.store(tile, c02, 32); v128.store(tile, c03, 48);
    v128.store(tile, c10, 64); v128.store(tile, c11, 80); v128.store(tile, c12, 96); v128.store(tile, c13, 112);
    for (let r = 0; r < mr; r++) copyFloats(dst + <usize>r * ldo, tile + f4(r * 16), n);
  }
}

// 8 channels × 4 outputs: channels o0 … o0 + 7 of the block (mc ≤ 8 valid, channel planes
// `plane` bytes apart) at outputs dst … dst + n − 1 (n ≤ 4 valid), reading consecutive columns.
function kernel8x4(k: i32, pw: usize, tab: usize, src: usize, bp: usize, dst: usize, plane: usize, mc: i32, n: i32, tile: usize): void {
  const bLo = v128.load(bp), bHi = v128.load(bp, 16);
  let c0l = bLo, c0h = bHi, c1l = bLo, c1h = bHi, c2l = bLo, c2h = bHi, c3l = bLo, c3h = bHi;
  const end = tab + f4(k);
  while (tab < end) {
    const p = src + <usize>load<i32>(tab);
    const wl = v128.load(pw), wh = v128.load(pw, 16);
    let x = v128.load32_splat(p);
    c0l = madd(x, wl, c0l); c0h = madd(x, wh, c0h);
    x = v128.load32_splat(p, 4);
    c1l = madd(x, wl, c1l); c1h = madd(x, wh, c1h);
    x = v128.load32_splat(p, 8);
    c2l = madd(x, wl, c2l); c2h = madd(x, wh, c2h);
    x = v128.load32_splat(p, 12);
    c3l = madd(x, wl, c3l); c3h = madd(x, wh, c3h);
    pw += 32; tab += 4;
  }
  // tile [4 outputs][8 channels] → the NCHW planes.
  v128.store(tile, c0l); v128.store(tile, c0h, 16);
  v128.store(tile, c1l, 32); v128.store(tile, c1h, 48);
  v128.store(tile, c2l, 64); v128.store(tile, c2h, 80);
  v128.store(tile, c3l, 96); v128.store(tile, c3h, 112);
  for (let o = 0; o < mc; o++) {
    const d = dst + <usize>o * plane;
    for (let q = 0; q < n; q++) store<f32>(d + f4(q), load<f32>(tile + f4(q * 8 + o)));
  }
}

// 16 channels × 2 outputs: channels o0 … o0 + 15 of the block (mc ≤ 16 valid, channel planes
// `plane` bytes apart) at outputs dst, dst + 1 (n ≤ 2 valid), reading consecutive columns.
function kernel16x2(k: i32, pw: usize, tab: usize, src: usize, bp: usize, dst: usize, plane: usize, mc: i32, n: i32, tile: usize): void {
  const b0 = v128.load(bp), b1 = v128.load(bp, 16), b2 = v128.load(bp, 32), b3 = v128.load(bp, 48);
  let c00 = b0, c01 = b1, c02 = b2, c03 = b3, c10 = b0, c11 = b1, c12 = b2, c13 = b3;
  const end = tab + f4(k);
  while (tab < end) {
    const p = src + <usize>load<i32>(tab);
    const x0 = v128.load32_splat(p), x1 = v128.load32_splat(p, 4);
    let w = v128.load(pw);
    c00 = madd(x0, w, c00); c10 = madd(x1, w, c10);
    w = v128.load(pw, 16);
    c01 = madd(x0, w, c01); c11 = madd(x1, w, c11);
    w = v128.load(pw, 32);
    c02 = madd(x0, w, c02); c12 = madd(x1, w, c12);
    w = v128.load(pw, 48);
    c03 = madd(x0, w, c03); c13 = madd(x1, w, c13);
    pw += 64; tab += 4;
  }
  if (n == 2 && mc == 16) {
    // Interleave the two outputs of each channel and store them as one 64-bit pair.
    storeChannelPairs(dst, plane, c00, c10);
    storeChannelPairs(dst + 4 * plane, plane, c01, c11);
    storeChannelPairs(dst + 8 * plane, plane, c02, c12);
    storeChannelPairs(dst + 12 * plane, plane, c03, c13);
    return;
  }
  // tile [2 outputs][16 channels] → the NCHW planes.
  v128.store(tile, c00); v128.store(tile, c01, 16); v128.store(tile, c02, 32); v128.store(tile, c03, 48);
  v128.store(tile, c10, 64); v128.store(tile, c11, 80); v128.store(tile, c12, 96); v128.store(tile, c13, 112);
  for (let o = 0; o < mc; o++) {
    const d = dst + <usize>o * plane;
    for (let q = 0; q < n; q++) store<f32>(d + f4(q), load<f32>(tile + f4(q * 16 + o)));
  }
}

// Channels 0–3 of outputs 0 (first) and 1 (second) → two floats in each of 4 planes.
@inline function storeChannelPairs(dst: usize, plane: usize, first: v128, second: v128): void {
  const lo = i32x4.shuffle(first, second, 0, 4, 1, 5), hi = i32x4.shuffle(first, second, 2, 6, 3, 7);
  v128.store64_lane(dst, lo, 0);
  v128.store64_lane(dst + plane, lo, 1);
  v128.store64_lane(dst + 2 * plane, hi, 0);
  v128.store64_lane(dst + 3 * plane, hi, 1);
}

/**
 * Output rows [y0, y1) of every output channel: x holds the ci input planes, out the co output
 * planes [ho, wo]; weights packed by packDirectWeights into the same scratch.
 */
export function directRows(x: usize, out: usize, y0: i32, y1: i32, scratch: usize): void {
  const pa0 = packedAt(scratch), bp0 = biasAt(scratch), tab = tableAt(scratch), tile = tileAt(scratch), band = bandAt(scratch);
  const plane = f4(ho * wo);
  for (let r0 = y0; r0 < y1; r0 += bandRows) {
    const r1 = min(y1, r0 + bandRows);
    const Y0 = r0 * sh, rows = bandPaddedRows(r1 - r0);
    if (!inPlace) padBand(band, x, Y0, Y0 + rows);
    const rowStep = f4(sh * (inPlace ? wi : ci * sw * wq));
    const src0 = inPlace ? x + f4(Y0 * wi) : band;
    let pa = pa0, bp = bp0;
    if (byChannel) {
      for (let b = 0; b < nBlocks; b++) {
        const mc = min(blockCh, co - b * blockCh);
        const outB = out + <usize>(b * blockCh) * plane;
        let src = src0;
        for (let oy = r0; oy < r1; oy++) {
          const dst = outB + f4(oy * wo);
          tapRange(oy);
          const pw = pa + f4(tapLo * blockCh), tb = tab + f4(tapLo);
          if (blockCh == 16) {
            for (let ox = 0; ox < wo; ox += 2) kernel16x2(tapCount, pw, tb, src + f4(ox), bp, dst + f4(ox), plane, mc, min(2, wo - ox), tile);
          } else {
            for (let ox = 0; ox < wo; ox += 4) kernel8x4(tapCount, pw, tb, src + f4(ox), bp, dst + f4(ox), plane, mc, min(4, wo - ox), tile);
          }
          src += rowStep;
        }
        pa += f4(blockCh * K); bp += f4(blockCh);
      }
      continue;
    }
    for (let q = 0; q < nQuads; q++) {
      const outQ = out + <usize>(q * 4) * plane;
      let src = src0;
      for (let oy = r0; oy < r1; oy++) {
        const dst = outQ + f4(oy * wo);
        tapRange(oy);
        const pw = pa + f4(tapLo * 4), tb = tab + f4(tapLo);
        let ox = 0;
        for (; ox + 4 < wo; ox += 8) kernel4x8(tapCount, pw, tb, src + f4(ox), bp, dst + f4(ox), plane, min(8, wo - ox), tile);
        if (ox < wo) kernel4x4(tapCount, pw, tb, src + f4(ox), bp, dst + f4(ox), plane, wo - ox, tile);
        src += rowStep;
      }
      pa += f4(4 * K); bp += 16;
    }
    for (let p = 0; p < nPairs; p++) {
      const o = nQuads * 4 + p * 2;
      const mr = min(2, co - o);
      const outP = out + <usize>o * plane;
      let src = src0;
      for (let oy = r0; oy < r1; oy++) {
        const dst = outP + f4(oy * wo);
        tapRange(oy);
        const pw = pa + f4(tapLo * 2), tb = tab + f4(tapLo);
        for (let ox = 0; ox < wo; ox += 16) kernel2x16(tapCount, pw, tb, src + f4(ox), bp, dst + f4(ox), plane, mr, min(16, wo - ox), tile);
        src += rowStep;
      }
      pa += f4(2 * K); bp += 8;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Weight gradient: dw[o, t] = Σ_n Σ_(oy, ox) dy[n, o, oy, ox] · x(tap t of (oy, ox)), with x
// padded into the same band layout and dy copied into a band [coPad][rows][wop] (zero channels
// past co). Accumulators are f32x4 partial sums over output columns ≡ lane (mod 4), kept in
// scratch as [coPad][kPad][4] between bands and images, and reduced to dw at the end. Tiles: 4
// channels × 2 taps, and 2 channels × 4 taps for the leftover pair; each tile's sums run in the
// same order whatever the thread split (taps are split in multiples of 4).

function dyBandFloats(): i32 { return coPad * bandRows * wop; }

/** Per-thread scratch for the weight gradient of the current problem. */
export function directWeightScratch(): usize {
  return f4(coPad * kPad * 4 + kPad + 8 + dyBandFloats() + paddedFloats() + 16);
}

function wAccAt(scratch: usize): usize { return scratch; }
function wTableAt(scratch: usize): usize { return scratch + f4(coPad * kPad * 4); }
function wMaskAt(scratch: usize): usize { return (wTableAt(scratch) + f4(kPad) + 15) & ~(<usize>15); }
function wDyAt(scratch: usize): usize { return wMaskAt(scratch) + 16; }
function wBandAt(scratch: usize): usize { return wDyAt(scratch) + f4(dyBandFloats()); }

/** Zeroes the accumulators of taps [t0, t1) (t0, t1 multiples of 4, or t1 = K). */
export function directWeightBegin(scratch: usize, t0: i32, t1: i32): void {
  const acc = wAccAt(scratch), tab = wTableAt(scratch);
  buildTable(tab, false);
  for (let t = K; t < kPad; t++) store<i32>(tab + f4(t), 0);
  const t1p = (t1 + 3) & ~3;
  for (let o = 0; o < coPad; o++) zeroFloats(acc + f4((o * kPad + t0) * 4), (t1p - t0) * 4);
  // Lanes of the last column vector that lie past wo read x but must not add to dw (x may hold Inf).
  const m = wMaskAt(scratch), valid = wo & 3;
  for (let l = 0; l < 4; l++) store<i32>(m + f4(l), valid == 0 || l < valid ? -1 : 0);
}

// One tile over a band: acc tile rows at acc + i·ldAcc, dy channel rows at dy + i·ldDy.
function wgradQuad(acc: usize, ldAcc: usize, dy: usize, ldDy: usize, x: usize, off0: usize, off1: usize,
  rows: i32, rowDy: usize, rowX: usize, nv: i32, tail: bool, mask: usize): void {
  let a00 = v128.load(acc), a01 = v128.load(acc, 16);
  let a10 = v128.load(acc + ldAcc), a11 = v128.load(acc + ldAcc, 16);
  let a20 = v128.load(acc + 2 * ldAcc), a21 = v128.load(acc + 2 * ldAcc, 16);
  let a30 = v128.load(acc + 3 * ldAcc), a31 = v128.load(acc + 3 * ldAcc, 16);
  for (let r = 0; r < rows; r++) {
    let d = dy, p0 = x + off0, p1 = x + off1;
    const end = dy + f4(nv * 4);
    while (d < end) {
      const x0 = v128.load(p0), x1 = v128.load(p1);
      let v = v128.load(d);
      a00 = madd(v, x0, a00); a01 = madd(v, x1, a01);
      v = v128.load(d + ldDy);
      a10 = madd(v, x0, a10); a11 = madd(v, x1, a11);
      v = v128.load(d + 2 * ldDy);
      a20 = madd(v, x0, a20); a21 = madd(v, x1, a21);
      v = v128.load(d + 3 * ldDy);
      a30 = madd(v, x0, a30); a31 = madd(v, x1, a31);
      d += 16; p0 += 16; p1 += 16;
    }
    if (tail) {
      const mk = v128.load(mask);
      const x0 = v128.and(v128.load(p0), mk), x1 = v128.and(v128.load(p1), mk);
      let v = v128.load(d);
      a00 = madd(v, x0, a00); a01 = madd(v, x1, a01);
      v = v128.load(d + ldDy);
      a10 = madd(v, x0, a10); a11 = madd(v, x1, a11);
      v = v128.load(d + 2 * ldDy);
      a20 = madd(v, x0, a20); a21 = madd(v, x1, a21);
      v = v128.load(d + 3 * ldDy);
      a30 = madd(v, x0, a30); a31 = madd(v, x1, a31);
    }
    dy += rowDy; x += rowX;
  }
  v128.store(acc, a00); v128.store(acc, a01, 16);
  v128.store(acc + ldAcc, a10); v128.store(acc + ldAcc, a11, 16);
  v128.store(acc + 2 * ldAcc, a20); v128.store(acc + 2 * ldAcc, a21, 16);
  v128.store(acc + 3 * ldAcc, a30); v128.store(acc + 3 * ldAcc, a31, 16);
}

function wgradPair(acc: usize, ldAcc: usize, dy: usize, ldDy: usize, x: usize, tab: usize,
  rows: i32, rowDy: usize, rowX: usize, nv: i32, tail: bool, mask: usize): void {
  const off0 = <usize>load<i32>(tab), off1 = <usize>load<i32>(tab, 4), off2 = <usize>load<i32>(tab, 8), off3 = <usize>load<i32>(tab, 12);
  let a00 = v128.load(acc), a01 = v128.load(acc, 16), a02 = v128.load(acc, 32), a03 = v128.load(acc, 48);
  let a10 = v128.load(acc + ldAcc), a11 = v128.load(acc + ldAcc, 16), a12 = v128.load(acc + ldAcc, 32), a13 = v128.load(acc + ldAcc, 48);
  for (let r = 0; r < rows; r++) {
    let d = dy, p = x;
    const end = dy + f4(nv * 4);
    while (d < end) {
      const v0 = v128.load(d), v1 = v128.load(d + ldDy);
      let xv = v128.load(p + off0);
      a00 = madd(v0, xv, a00); a10 = madd(v1, xv, a10);
      xv = v128.load(p + off1);
      a01 = madd(v0, xv, a01); a11 = madd(v1, xv, a11);
      xv = v128.load(p + off2);
      a02 = madd(v0, xv, a02); a12 = madd(v1, xv, a12);
      xv = v128.load(p + off3);
      a03 = madd(v0, xv, a03); a13 = madd(v1, xv, a13);
      d += 16; p += 16;
    }
    if (tail) {
      const mk = v128.load(mask);
      const v0 = v128.load(d), v1 = v128.load(d + ldDy);
      let xv = v128.and(v128.load(p + off0), mk);
      a00 = madd(v0, xv, a00); a10 = madd(v1, xv, a10);
      xv = v128.and(v128.load(p + off1), mk);
      a01 = madd(v0, xv, a01); a11 = madd(v1, xv, a11);
      xv = v128.and(v128.load(p + off2), mk);
      a02 = madd(v0, xv, a02); a12 = madd(v1, xv, a12);
      xv = v128.and(v128.load(p + off3), mk);
      a03 = madd(v0, xv, a03); a13 = madd(v1, xv, a13);
    }
    dy += rowDy; x += rowX;
  }
  v128.store(acc, a00); v128.store(acc, a01, 16); v128.store(acc, a02, 32); v128.store(acc, a03, 48);
  v128.store(acc + ldAcc, a10); v128.store(acc + ldAcc, a11, 16); v128.store(acc + ldAcc, a12, 32); v128.store(acc + ldAcc, a13, 48);
}

/** Adds one image's contribution to the accumulators of taps [t0, t1): x its ci input planes, dy its co gradient planes. */
export function directWeightImage(x: usize, dy: usize, t0: i32, t1: i32, scratch: usize): void {
  const acc = wAccAt(scratch), tab = wTableAt(scratch), mask = wMaskAt(scratch), dyb = wDyAt(scratch), band = wBandAt(scratch);
  const nv = wo >> 2, tail = (wo & 3) != 0;
  const ldAcc = f4(kPad * 4);
  for (let r0 = 0; r0 < ho; r0 += bandRows) {
    const r1 = min(ho, r0 + bandRows), rowsOut = r1 - r0;
    const Y0 = r0 * sh, rows = bandPaddedRows(rowsOut);
    padBand(band, x, Y0, Y0 + rows);
    // dy rows [r0, r1) of every channel, zero past wo and in the padding channels.
    const ldDy = f4(rowsOut * wop);
    for (let o = 0; o < coPad; o++) {
      for (let r = 0; r < rowsOut; r++) {
        const dst = dyb + <usize>o * ldDy + f4(r * wop);
        if (o < co) {
          copyFloats(dst, dy + f4((o * ho + r0 + r) * wo), wo);
          zeroFloats(dst + f4(wo), wop - wo);
        } else {
          zeroFloats(dst, wop);
        }
      }
    }
    const rowX = f4(sh * ci * sw * wq), rowDy = f4(wop);
    for (let q = 0; q < nQuads; q++) {
      const accQ = acc + <usize>(q * 4) * ldAcc, dyQ = dyb + <usize>(q * 4) * ldDy;
      for (let t = t0; t < t1; t += 2) {
        wgradQuad(accQ + f4(t * 4), ldAcc, dyQ, ldDy, band, <usize>load<i32>(tab + f4(t)), <usize>load<i32>(tab + f4(t + 1)),
          rowsOut, rowDy, rowX, nv, tail, mask);
      }
    }
    for (let p = 0; p < nPairs; p++) {
      const o = nQuads * 4 + p * 2;
      const accP = acc + <usize>o * ldAcc, dyP = dyb + <usize>o * ldDy;
      for (let t = t0; t < t1; t += 4) {
        wgradPair(accP + f4(t * 4), ldAcc, dyP, ldDy, band, tab + f4(t), rowsOut, rowDy, rowX, nv, tail, mask);
      }
    }
  }
}

/** dw[o, t] for taps [t0, t1) (row stride ldw floats) from the accumulators. */
export function directWeightEnd(scratch: usize, dw: usize, ldw: i32, t0: i32, t1: i32): void {
  const acc = wAccAt(scratch);
  for (let o = 0; o < co; o++) {
    for (let t = t0; t < t1; t++) {
      const a = acc + f4((o * kPad + t) * 4);
      store<f32>(dw + f4(o * ldw + t), (load<f32>(a) + load<f32>(a, 4)) + (load<f32>(a, 8) + load<f32>(a, 12)));
    }
  }
}
