// Data gradient of a stride-1, dilation-1 convolution with the output channels o in the SIMD lanes:
//
//   dx[c, p, q] = Σ_(a, b) Σ_o w[o, c, a, b] · dy[o, p + pt − a, q + pl − b]   (taps inside dy only)
//
// The direct kernels (direct.ts) run this as a convolution of dy padded by k − 1 − pad with lanes
// along a dx row; on layers with few input channels and small maps (LeNet's 6 → 16, 5 × 5, on 10 × 10
// outputs) a third of their taps multiply padding zeros and rows of 14 leave lanes idle. Here dy is
// transposed per image to dyT [row][column][o] (o rounded up to 4, zero lanes past co), so the sum over
// o runs along contiguous vectors, only the taps that fall inside dy are visited, and each
// accumulator holds four partial sums (o ≡ lane mod 4) added up once per output.
//
// Tiles: 4 dx channels × 2 neighbouring positions, and 2 channels × 4 positions for a leftover pair
// (8 accumulators each; 10 spilled in V8). A tile's positions share their tap rows; columns take
// the union of their taps, so dyT has 3 zero columns on each side. A row whose width is not a
// multiple of the tile's ends with a tile moved back to overlap its neighbour (the same values are
// stored twice). Every output is one thread's sum in one fixed order, whatever the thread split.
import { f4, madd } from './simd';
import { CIG, COG, H, W, HO, WO, KH, KW, PT, PL } from './geometry';

/** Zero columns on each side of a dyT row: a tile spans at most 4 positions. */
const SIDE: i32 = 3;

// Sizes per image and group come from the job's geometry (geometry.ts): dy [COG, HO, WO] → dx
// [CIG, H, W], kernel KH × KW, padding PT, PL. Derived here: o rounded up to 4, the dyT row width,
// dx channels as packed (quads, then one pair), and the quads.
let o4: i32 = 0;
let wt: i32 = 0;
let cPad: i32 = 0;
let nQuads: i32 = 0;

/** Derives the packing sizes of the current job's geometry. */
export function setChannelLanes(): void {
  o4 = (COG + 3) & ~3;
  wt = WO + 2 * SIDE;
  nQuads = CIG >> 2;
  const rest = CIG & 3;
  // A leftover of 3 channels runs as one more (zero-padded) quad, of 1 or 2 as a pair.
  if (rest == 3) nQuads++;
  cPad = nQuads * 4 + (rest == 1 || rest == 2 ? 2 : 0);
}

function packedFloats(): i32 { return KH * KW * cPad * o4; }
function dyFloats(): i32 { return HO * wt * o4; }

/** Per-thread scratch: the packed weight, then one image's dyT. */
export function channelLanesScratch(): usize {
  return f4(packedFloats() + dyFloats()) + 16;
}

function dyAt(scratch: usize): usize { return scratch + f4(packedFloats()); }

/**
 * Packs w [COG, CIG, KH, KW] (one group) per block of dx channels (quads, then the pair) as
 * [a][b′][o / 4][channel of the block][4 lanes of o], b′ = KW − 1 − b, zeros for padded channels and
 * o lanes. Reversed columns make the dyT columns of consecutive b′ consecutive too, so a tile's
 * taps of one kernel row are one linear walk through dyT and through the packed weight.
 */
export function packChannelLanes(scratch: usize, w: usize): void {
  memory.fill(scratch, 0, f4(packedFloats()));
  const khw = KH * KW;
  for (let c = 0; c < CIG; c++) {
    const quad = c < nQuads * 4;
    const cb = quad ? 4 : 2;
    const block = scratch + f4(quad ? (c >> 2) * 4 * khw * o4 : nQuads * 4 * khw * o4);
    const k = quad ? c & 3 : c - nQuads * 4;
    for (let o = 0; o < COG; o++) {
      const src = w + f4((o * CIG + c) * khw);
      for (let a = 0; a < KH; a++) {
        for (let b = 0; b < KW; b++) {
          const t = a * KW + (KW - 1 - b);
          store<f32>(block + f4((t * o4 + (o & ~3)) * cb + k * 4 + (o & 3)), load<f32>(src + f4(a * KW + b)));
        }
      }
    }
  }
}

/** Transposes one image's dy planes [COG, HO, WO] into dyT [HO][wt][o4] (zero margins and lanes). */
export function loadChannelLanesImage(scratch: usize, dy: usize): void {
  const d = dyAt(scratch);
  memory.fill(d, 0, f4(dyFloats()));
  for (let o = 0; o < COG; o++) {
    for (let i = 0; i < HO; i++) {
      const src = dy + f4((o * HO + i) * WO);
      const dst = d + f4((i * wt + SIDE) * o4 + o);
      for (let j = 0; j < WO; j++) store<f32>(dst + f4(j * o4), load<f32>(src + f4(j)));
    }
  }
}

/**
 * dx rows [y0, y1) of the image whose dyT was loaded, all CIG channels: dx holds the CIG planes
 * [H, W]. Needs W ≥ 4 (a tile's positions must fit in a row).
 */
export function channelLanesRows(dx: usize, y0: i32, y1: i32, scratch: usize): void {
  const d = dyAt(scratch);
  const khw = KH * KW;
  const plane = f4(H * W), step = f4(o4);
  for (let p = y0; p < y1; p++) {
    // Tap rows a with dy row i = p + PT − a inside [0, HO).
    const a0 = max(0, p + PT - HO + 1), a1 = min(KH, p + PT + 1);
    for (let c0 = 0; c0 < cPad; c0 += 4) {
      const quad = c0 < nQuads * 4;
      const cb = quad ? 4 : 2, span = quad ? 2 : 4;
      const cs = min(CIG - c0, cb);
      const block = scratch + f4(c0 * khw * o4);
      for (let q0 = 0; q0 < W; q0 += span) {
        const q = min(q0, W - span);
        // Tap columns b with some dy column q + t + PL − b (t < span) inside [0, WO), walked as
        // b′ = KW − 1 − b upwards: dyT from column q + PL − b1 + 1 on, (b1 − b0)·o4 floats per tap row.
        const b0 = max(0, q + PL - WO + 1), b1 = min(KW, q + PL + span);
        const len = f4(max(0, b1 - b0) * o4);
        // Byte offsets of tap row a0's first dyT float and packed weight; each later tap row a is one
        // dyT row back and one packed kernel row on.
        const dp = d + f4(((p + PT - a0) * wt + SIDE + q + PL - b1 + 1) * o4);
        const wp = block + f4((a0 * KW + KW - b1) * o4 * cb);
        const rows = max(0, a1 - a0);
        const out = dx + f4(c0 * H * W + p * W + q);
        if (quad) quadTile(dp, wp, len, rows, f4(wt * o4), f4(KW * o4 * 4), step, out, plane, cs);
        else pairTile(dp, wp, len, rows, f4(wt * o4), f4(KW * o4 * 2), step, out, plane, cs);
      }
    }
  }
}

/** The four lanes of v added up, in one fixed order. */
@inline function lanesSum(v: v128): f32 {
  const s = f32x4.add(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(f32x4.add(s, v128.shuffle<f32>(s, s, 1, 0, 3, 2)), 0);
}

// 4 dx channels (cs of them stored) × positions q, q + 1: `rows` tap rows of `len` bytes of dyT
// each (position 1 `step` bytes on), dyT rows `dyRow` bytes back per tap row, packed weight
// [b′][o / 4][4 channels][4] `wRow` bytes on per tap row.
function quadTile(dp: usize, wp: usize, len: usize, rows: i32, dyRow: usize, wRow: usize, step: usize,
  out: usize, plane: usize, cs: i32): void {
  let s00 = f32x4.splat(0), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
  for (let r = 0; r < rows; r++, dp -= dyRow, wp += wRow) {
    let x = dp, wq = wp;
    const end = dp + len;
    for (; x < end; x += 16, wq += 64) {
      const x0 = v128.load(x), x1 = v128.load(x + step);
      let w = v128.load(wq);
      s00 = madd(x0, w, s00); s01 = madd(x1, w, s01);
      w = v128.load(wq, 16);
      s10 = madd(x0, w, s10); s11 = madd(x1, w, s11);
      w = v128.load(wq, 32);
      s20 = madd(x0, w, s20); s21 = madd(x1, w, s21);
      w = v128.load(wq, 48);
      s30 = madd(x0, w, s30); s31 = madd(x1, w, s31);
    }
  }
  store<f32>(out, lanesSum(s00)); store<f32>(out, lanesSum(s01), 4);
  if (cs > 1) { store<f32>(out + plane, lanesSum(s10)); store<f32>(out + plane, lanesSum(s11), 4); }
  if (cs > 2) { store<f32>(out + 2 * plane, lanesSum(s20)); store<f32>(out + 2 * plane, lanesSum(s21), 4); }
  if (cs > 3) { store<f32>(out + 3 * plane, lanesSum(s30)); store<f32>(out + 3 * plane, lanesSum(s31), 4); }
}

// 2 dx channels (cs of them stored) × positions q … q + 3, as quadTile with packed [b′][o / 4][2][4].
function pairTile(dp: usize, wp: usize, len: usize, rows: i32, dyRow: usize, wRow: usize, step: usize,
  out: usize, plane: usize, cs: i32): void {
  let s00 = f32x4.splat(0), s01 = s00, s02 = s00, s03 = s00, s10 = s00, s11 = s00, s12 = s00, s13 = s00;
  for (let r = 0; r < rows; r++, dp -= dyRow, wp += wRow) {
    let x = dp, wq = wp;
    const end = dp + len;
    for (; x < end; x += 16, wq += 32) {
      const w0 = v128.load(wq), w1 = v128.load(wq, 16);
      let v = v128.load(x);
      s00 = madd(v, w0, s00); s10 = madd(v, w1, s10);
      v = v128.load(x + step);
      s01 = madd(v, w0, s01); s11 = madd(v, w1, s11);
      v = v128.load(x + 2 * step);
      s02 = madd(v, w0, s02); s12 = madd(v, w1, s12);
      v = v128.load(x + 3 * step);
      s03 = madd(v, w0, s03); s13 = madd(v, w1, s13);
    }
  }
  store<f32>(out, lanesSum(s00)); store<f32>(out, lanesSum(s01), 4);
  store<f32>(out, lanesSum(s02), 8); store<f32>(out, lanesSum(s03), 12);
  if (cs > 1) {
    store<f32>(out + plane, lanesSum(s10)); store<f32>(out + plane, lanesSum(s11), 4);
    store<f32>(out + plane, lanesSum(s12), 8); store<f32>(out + plane, lanesSum(s13), 12);
  }
}
