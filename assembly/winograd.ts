// Winograd convolution F(2×2, 3×3) for 3 × 3, stride-1, undilated, ungrouped layers: each 2 × 2
// block of outputs (a tile) comes from a 4 × 4 window of input, and in the transformed domain
//   Y = Aᵀ [ Σ_c (G g_oc Gᵀ) ⊙ (Bᵀ d_c B) ] A
// the 36 multiply-adds per tile, channel and output channel of the direct sum become 16. The 16
// products are 16 independent matrix products over channels,
//   M_ξ [O × tiles] = U_ξ [O × C] · V_ξ [C × tiles]   (ξ = one of the 4 × 4 transformed positions),
// run by the GEMM micro-kernel on blocks of tiles small enough that V and M stay in L2.
//
// Layouts (floats, per thread in scratch; the V and M slab of each ξ padded 16 floats, see vSlab):
//   U  [16][O/4 panels][C][4]      the transformed weights, as the micro-kernel's packed A panels
//   V  [16][panels][C][8]          a block's transformed input tiles, as packed B panels of 8 tiles
//   M  [16][O (to a multiple of 4)][block tiles]   the products
//   pad [C][rows][wpp]             the input rows a segment needs, zero-padded
// Tiles go in groups of 4 along a tile row (a group's 4 windows sit at stride 2 in the same input
// rows, so one pair of loads and a shuffle give a window column for all four), two groups a panel.
//
// The same code runs the data gradient: that is the stride-1 convolution of dy with the flipped,
// transposed kernel and padding 2 − P (setWinograd's `flip`).
import { f4, zeroFloats, copyFloats } from './simd';
import { microKernel, INIT_ZERO } from './gemm';

// The convolution this module runs (set by setWinograd): in/out channels, sizes, padding, flip
// (read by winogradWeight.ts too, which tiles the same way).
export let ci: i32 = 0;
export let co: i32 = 0;
let hi: i32 = 0;
let wi: i32 = 0;
export let ho: i32 = 0;
export let wo: i32 = 0;
let pt: i32 = 0;
let pl: i32 = 0;
let flipped: bool = false;
// Derived: tile rows, groups of 4 tiles per tile row, padded width, O rounded to 4, panels a block.
export let tileRows: i32 = 0;
export let groupsPerRow: i32 = 0;
export let wpp: i32 = 0;
let op: i32 = 0;
let blockPanels: i32 = 0;

export function setWinograd(cin: i32, h: i32, w: i32, cout: i32, outH: i32, outW: i32, padTop: i32, padLeft: i32, flip: bool): void {
  ci = cin; co = cout; hi = h; wi = w; ho = outH; wo = outW; pt = padTop; pl = padLeft; flipped = flip;
  tileRows = (ho + 1) >> 1;
  groupsPerRow = (((wo + 1) >> 1) + 3) >> 2;
  // A group reads window columns up to 2·(4·groupsPerRow) + 1, and its loads 8 floats past their start.
  wpp = max(8 * groupsPerRow + 12, pl + wi);
  op = (co + 3) & ~3;
  // V and M of a block within about 256 KiB: 128 floats per panel and channel of each.
  blockPanels = max(1, min(8, 65536 / (128 * (ci + op))));
}

/** Groups of 4 tiles in one image: the work items threads split (a cut falls between panels). */
export function winogradGroups(): i32 {
  return tileRows * groupsPerRow;
}

function uFloats(): i32 { return 16 * op * ci; }
// One ξ's slab of V and of M, 16 floats longer than its data: slabs a multiple of 4 KiB apart put
// the 16 vectors a transform stores or loads in one L1 set (and alias in the store buffer); the
// skew made a 32 → 32 layer over 28² 1.4× faster (1.16× → 1.63× the direct kernels).
function vSlab(): i32 { return 8 * blockPanels * ci + 16; }
function mSlab(): i32 { return 8 * blockPanels * op + 16; }
function vFloats(): i32 { return 16 * vSlab(); }
function mFloats(): i32 { return 16 * mSlab(); }
function padFloats(): i32 { return ci * (2 * tileRows + 2) * wpp; }

export function winogradScratch(): usize {
  return f4(uFloats() + vFloats() + mFloats() + padFloats() + 8 + 64);
}

/**
 * U_ξ[o][c] = (G g Gᵀ)[ξ] for g = w[o][c] (forward) or w[c][o] turned 180° (data gradient), with
 * G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]; zero for the rows o ≥ O that fill the last panel.
 */
export function winogradWeights(w: usize, scratch: usize): void {
  const u = scratch;
  const panelStride = f4(ci * 4), xiStride = f4(op * ci);
  for (let o = 0; o < op; o++) {
    for (let c = 0; c < ci; c++) {
      const at = u + <usize>(o >> 2) * panelStride + f4(c * 4 + (o & 3));
      if (o >= co) {
        for (let xi = 0; xi < 16; xi++) store<f32>(at + <usize>xi * xiStride, 0);
        continue;
      }
      // g[a][b], read through the flip when running the data gradient.
      const g = flipped ? w + f4((c * co + o) * 9) : w + f4((o * ci + c) * 9);
      // Rows a of g Gᵀ (4 columns each), then G applied down each column s.
      const k0 = rowTimesGt(g, 0), k1 = rowTimesGt(g, 1), k2 = rowTimesGt(g, 2);
      for (let s = 0; s < 4; s++) {
        const r0 = lane(k0, s), r1 = lane(k1, s), r2 = lane(k2, s);
        store<f32>(at + <usize>s * xiStride, r0);
        store<f32>(at + <usize>(4 + s) * xiStride, 0.5 * (r0 + r1 + r2));
        store<f32>(at + <usize>(8 + s) * xiStride, 0.5 * (r0 - r1 + r2));
        store<f32>(at + <usize>(12 + s) * xiStride, r2);
      }
    }
  }
}

// Row a of g Gᵀ as a vector: [g0, ½(g0 + g1 + g2), ½(g0 − g1 + g2), g2] for g = row a of g.
function rowTimesGt(g: usize, a: i32): v128 {
  const g0 = tap(g, a, 0), g1 = tap(g, a, 1), g2 = tap(g, a, 2);
  let v = f32x4.splat(g0);
  v = f32x4.replace_lane(v, 1, 0.5 * (g0 + g1 + g2));
  v = f32x4.replace_lane(v, 2, 0.5 * (g0 - g1 + g2));
  return f32x4.replace_lane(v, 3, g2);
}

@inline function lane(v: v128, s: i32): f32 {
  return s == 0 ? f32x4.extract_lane(v, 0) : s == 1 ? f32x4.extract_lane(v, 1) : s == 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3);
}

@inline function tap(g: usize, a: i32, b: i32): f32 {
  return flipped ? load<f32>(g + f4((2 - a) * 3 + (2 - b))) : load<f32>(g + f4(a * 3 + b));
}

/**
 * One image's groups [g0, g1) (from winogradGroups' numbering): out[o] = bias[o] + Σ_c w ⋆ x over
 * the tiles of those groups. `x` and `out` are the image's planes; `bias` may be 0.
 */
export function winogradGroupsOf(x: usize, bias: usize, out: usize, g0: i32, g1: i32, scratch: usize): void {
  const u = scratch, v = u + f4(uFloats()), m = v + f4(vFloats()), pad = m + f4(mFloats());
  const ty0 = g0 / groupsPerRow, ty1 = (g1 - 1) / groupsPerRow;
  const rows = 2 * (ty1 - ty0) + 4;
  padRows(x, pad, 2 * ty0, rows);
  const perBlock = 2 * blockPanels;
  for (let b0 = g0; b0 < g1; b0 += perBlock) {
    const b1 = min(g1, b0 + perBlock);
    for (let gi = b0; gi < b1; gi++) {
      const slot = gi - b0;
      transformInput(pad, rows, gi, ty0, v + f4((slot >> 1) * ci * 8 + (slot & 1) * 4), f4(vSlab()));
    }
    const panels = (b1 - b0 + 1) >> 1;
    multiply(u, v, m, panels);
    for (let gi = b0; gi < b1; gi++) transformOutput(m, gi, gi - b0, bias, out, pad + f4(padFloats()));
  }
}

// Padded input rows [r0, r0 + rows) (padded coordinates: input row r − pt) of every channel.
export function padRows(x: usize, pad: usize, r0: i32, rows: i32): void {
  const rowB = f4(wpp);
  for (let c = 0; c < ci; c++) {
    const plane = x + f4(c * hi * wi);
    let dst = pad + <usize>(c * rows) * rowB;
    for (let r = 0; r < rows; r++) {
      zeroFloats(dst, wpp);
      const src = r0 + r - pt;
      if (src >= 0 && src < hi) copyFloats(dst + f4(pl), plane + f4(src * wi), wi);
      dst += rowB;
    }
  }
}

// V_ξ[c][lanes of the group] = (Bᵀ d B)[ξ] for the group's 4 windows d, every channel, with
// Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]: 4 floats at vAt + ξ·xiStride + c·8 floats.
export function transformInput(pad: usize, rows: i32, gi: i32, ty0: i32, vAt: usize, xiStride: usize): void {
  const ty = gi / groupsPerRow, tx0 = 4 * (gi - ty * groupsPerRow);
  const rowB = f4(wpp);
  let src = pad + <usize>(2 * (ty - ty0)) * rowB + f4(2 * tx0);
  const planeB = <usize>rows * rowB;
  for (let c = 0; c < ci; c++) {
    const at = vAt + f4(c * 8);
    // Column j of d B, per window row r (lanes: the group's 4 windows).
    let r = src;
    let a = v128.load(r), b = v128.load(r, 16), a2 = v128.load(r, 8), b2 = v128.load(r, 24);
    let e0 = evens(a, b), o1 = odds(a, b), e2 = evens(a2, b2), o3 = odds(a2, b2);
    const q00 = f32x4.sub(e0, e2), q01 = f32x4.add(o1, e2), q02 = f32x4.sub(e2, o1), q03 = f32x4.sub(o1, o3);
    r += rowB;
    a = v128.load(r); b = v128.load(r, 16); a2 = v128.load(r, 8); b2 = v128.load(r, 24);
    e0 = evens(a, b); o1 = odds(a, b); e2 = evens(a2, b2); o3 = odds(a2, b2);
    const q10 = f32x4.sub(e0, e2), q11 = f32x4.add(o1, e2), q12 = f32x4.sub(e2, o1), q13 = f32x4.sub(o1, o3);
    r += rowB;
    a = v128.load(r); b = v128.load(r, 16); a2 = v128.load(r, 8); b2 = v128.load(r, 24);
    e0 = evens(a, b); o1 = odds(a, b); e2 = evens(a2, b2); o3 = odds(a2, b2);
    const q20 = f32x4.sub(e0, e2), q21 = f32x4.add(o1, e2), q22 = f32x4.sub(e2, o1), q23 = f32x4.sub(o1, o3);
    r += rowB;
    a = v128.load(r); b = v128.load(r, 16); a2 = v128.load(r, 8); b2 = v128.load(r, 24);
    e0 = evens(a, b); o1 = odds(a, b); e2 = evens(a2, b2); o3 = odds(a2, b2);
    const q30 = f32x4.sub(e0, e2), q31 = f32x4.add(o1, e2), q32 = f32x4.sub(e2, o1), q33 = f32x4.sub(o1, o3);
    storeColumn(at, xiStride, 0, q00, q10, q20, q30);
    storeColumn(at, xiStride, 1, q01, q11, q21, q31);
    storeColumn(at, xiStride, 2, q02, q12, q22, q32);
    storeColumn(at, xiStride, 3, q03, q13, q23, q33);
    src += planeB;
  }
}

// Of the 8 floats a, b from a window row's start (window k starts 2k floats in): window column 0
// of each window (evens), column 1 (odds); from 2 floats further on, columns 2 and 3.
@inline export function evens(a: v128, b: v128): v128 {
  return i32x4.shuffle(a, b, 0, 2, 4, 6);
}

@inline export function odds(a: v128, b: v128): v128 {
  return i32x4.shuffle(a, b, 1, 3, 5, 7);
}

// Bᵀ applied down column j (rows f0…f3), stored at ξ = 4i + j.
@inline function storeColumn(at: usize, xiStride: usize, j: i32, f0: v128, f1: v128, f2: v128, f3: v128): void {
  v128.store(at + <usize>j * xiStride, f32x4.sub(f0, f2));
  v128.store(at + <usize>(4 + j) * xiStride, f32x4.add(f1, f2));
  v128.store(at + <usize>(8 + j) * xiStride, f32x4.sub(f2, f1));
  v128.store(at + <usize>(12 + j) * xiStride, f32x4.sub(f1, f3));
}

// M_ξ = U_ξ · V_ξ for the block's panels.
function multiply(u: usize, v: usize, m: usize, panels: i32): void {
  const tiles = 8 * blockPanels;
  const ldc = f4(tiles);
  for (let xi = 0; xi < 16; xi++) {
    const uXi = u + f4(xi * op * ci), vXi = v + f4(xi * vSlab()), mXi = m + f4(xi * mSlab());
    for (let p = 0; p < panels; p++) {
      const pb = vXi + f4(p * ci * 8);
      for (let q = 0; q < op; q += 4) microKernel(ci, uXi + f4(q * ci), pb, mXi + <usize>q * ldc + f4(8 * p), ldc, INIT_ZERO, 0);
    }
  }
}

// Y = Aᵀ M A (Aᵀ = [1 1 1 0; 0 1 −1 −1]) for the group's 4 tiles, plus bias, into the output planes.
function transformOutput(m: usize, gi: i32, slot: i32, bias: usize, out: usize, tail: usize): void {
  const ty = gi / groupsPerRow, tx0 = 4 * (gi - ty * groupsPerRow);
  const col = 2 * tx0, row = 2 * ty;
  if (col >= wo) return;
  const tiles = 8 * blockPanels;
  const xiStride = f4(mSlab());
  const second = row + 1 < ho;
  const plane = ho * wo;
  for (let o = 0; o < co; o++) {
    const at = m + f4(o * tiles + 4 * slot);
    const m0 = v128.load(at), m1 = v128.load(at + xiStride), m2 = v128.load(at + 2 * xiStride), m3 = v128.load(at + 3 * xiStride);
    const m4 = v128.load(at + 4 * xiStride), m5 = v128.load(at + 5 * xiStride), m6 = v128.load(at + 6 * xiStride), m7 = v128.load(at + 7 * xiStride);
    const m8 = v128.load(at + 8 * xiStride), m9 = v128.load(at + 9 * xiStride), m10 = v128.load(at + 10 * xiStride), m11 = v128.load(at + 11 * xiStride);
    const m12 = v128.load(at + 12 * xiStride), m13 = v128.load(at + 13 * xiStride), m14 = v128.load(at + 14 * xiStride), m15 = v128.load(at + 15 * xiStride);
    // s: rows 0 + 1 + 2, t: rows 1 − 2 − 3, per column j.
    const s0 = f32x4.add(f32x4.add(m0, m4), m8), s1 = f32x4.add(f32x4.add(m1, m5), m9);
    const s2 = f32x4.add(f32x4.add(m2, m6), m10), s3 = f32x4.add(f32x4.add(m3, m7), m11);
    const t0 = f32x4.sub(f32x4.sub(m4, m8), m12), t1 = f32x4.sub(f32x4.sub(m5, m9), m13);
    const t2 = f32x4.sub(f32x4.sub(m6, m10), m14), t3 = f32x4.sub(f32x4.sub(m7, m11), m15);
    const b = f32x4.splat(bias != 0 ? load<f32>(bias + f4(o)) : 0);
    const dst = out + f4(o * plane + row * wo + col);
    const y00 = f32x4.add(f32x4.add(f32x4.add(s0, s1), s2), b), y01 = f32x4.add(f32x4.sub(f32x4.sub(s1, s2), s3), b);
    storeRow(dst, col, y00, y01, tail);
    if (second) {
      const y10 = f32x4.add(f32x4.add(f32x4.add(t0, t1), t2), b), y11 = f32x4.add(f32x4.sub(f32x4.sub(t1, t2), t3), b);
      storeRow(dst + f4(wo), col, y10, y11, tail);
    }
  }
}

// The 8 outputs of a row of 4 tiles (left and right column of each, interleaved), cut at the row's end.
@inline function storeRow(dst: usize, col: i32, left: v128, right: v128, tail: usize): void {
  const lo = i32x4.shuffle(left, right, 0, 4, 1, 5), hi = i32x4.shuffle(left, right, 2, 6, 3, 7);
  const n = wo - col;
  if (n >= 8) {
    v128.store(dst, lo);
    v128.store(dst, hi, 16);
  } else {
    v128.store(tail, lo);
    v128.store(tail, hi, 16);
    copyFloats(dst, tail, n);
  }
}
