// The weight gradient of a Winograd layer (winograd.ts), by F(3×3, 2×2). Tiled as the forward pass,
// dw[o][c] = Σ_tiles Σ_{u,v} dy_t[u][v] · d_t[u + a][v + b] is, per tile, a 3 × 3 correlation of the
// 4 × 4 input window d_t with the 2 × 2 block of dy: in the transformed domain
//   dw[o][c] = Aᵀ [ Σ_t (G dy_ot Gᵀ) ⊙ (Bᵀ d_ct B) ] A,
// 16 matrix products M_ξ [O × C] = U_ξ [O × tiles] · V_ξ [C × tiles]ᵀ, long in the tiles, which the
// GEMM micro-kernel runs with its accumulators kept over a whole block of tiles.
//
// F(3, 2) has G = [1 0; ½ ½; ½ −½; 0 1], Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 −1 0 1],
// Aᵀ = [1 1 1 0; 0 1 −1 0; 0 1 1 1]. Its Bᵀ is the forward pass's with the last row negated, so V
// comes from the forward's input transform and U uses G with its last row negated: the two sign
// flips cancel in every product.
//
// Layouts (floats, per thread in scratch; each ξ slab skewed 16 floats off 4 KiB multiples):
//   A  [16][O/4 panels][block tiles][4]   U, as the micro-kernel's packed A
//   B  [16][C/8 panels][block tiles][8]   V, as its packed B
//   M  [16][O (to 4)][C (to 8)]          the products, summed over every tile of the part
//   stage V [16][C][8], stage U [16][O][8]   two groups' transforms (lanes: tiles), before the
//                                         4 × 4 transposes that put channels in the lanes
//   padded x [C][rows][wpp], padded dy [O][rows][wpd]
import { f4, zeroFloats, copyFloats } from './simd';
import { microKernel, INIT_LOAD } from './gemm';
import { ci, co, ho, wo, tileRows, groupsPerRow, wpp, padRows, transformInput, evens, odds } from './winograd';

let op: i32 = 0;
let cp: i32 = 0;
let blockTiles: i32 = 0;
let wpd: i32 = 0;

/** After setWinograd(C, H, W, CO, HO, WO, PT, PL, false): sizes of this pass's buffers. */
export function setWinogradWeight(): void {
  op = (co + 3) & ~3;
  cp = (ci + 7) & ~7;
  wpd = 8 * groupsPerRow + 8;
  // A and B of a block within about 512 KiB (16 floats per tile and channel of each), but at least
  // 64 tiles: a block's tiles are the micro-kernel's depth, and with 16 (256 channels each side)
  // loading and storing M took a fifth of the time (29.5 against 24.4 ms for 256 → 256 over 14²).
  blockTiles = 8 * max(8, min(16, 131072 / (128 * (op + cp))));
}

function aSlab(): i32 { return op * blockTiles + 16; }
function bSlab(): i32 { return cp * blockTiles + 16; }
function mSlab(): i32 { return op * cp + 16; }
function vStage(): i32 { return ci * 8 + 16; }
function uStage(): i32 { return co * 8 + 16; }
function xRows(): i32 { return 2 * tileRows + 2; }
function dyRows(): i32 { return 2 * tileRows; }

// Offsets in scratch, in floats.
function bAt(): i32 { return 16 * aSlab(); }
function mAt(): i32 { return bAt() + 16 * bSlab(); }
function stageVAt(): i32 { return mAt() + 16 * mSlab(); }
function stageUAt(): i32 { return stageVAt() + 16 * vStage(); }
function padXAt(): i32 { return stageUAt() + 16 * uStage(); }
function padDyAt(): i32 { return padXAt() + ci * xRows() * wpp; }

export function winogradWeightScratch(): usize {
  return f4(padDyAt() + co * dyRows() * wpd + 64);
}

/**
 * Starts a part (a slice of the batch): M = 0, and the block and stage buffers zeroed so the lanes
 * of channels past C and O (never written) hold zeros.
 */
export function winogradWeightBegin(scratch: usize): void {
  zeroFloats(scratch, padXAt());
}

/** Adds one image's tiles to M: x [C, H, W] and dy [O, HO, WO] of that image. */
export function winogradWeightImage(x: usize, dy: usize, scratch: usize): void {
  const padX = scratch + f4(padXAt()), padDy = scratch + f4(padDyAt());
  padRows(x, padX, 0, xRows());
  padGradient(dy, padDy);
  const stageV = scratch + f4(stageVAt()), stageU = scratch + f4(stageUAt());
  const groups = tileRows * groupsPerRow, perBlock = blockTiles >> 2;
  for (let b0 = 0; b0 < groups; b0 += perBlock) {
    const b1 = min(groups, b0 + perBlock);
    for (let gi = b0; gi < b1; gi++) {
      const slot = gi - b0, lane = (slot & 1) * 4;
      transformInput(padX, xRows(), gi, 0, stageV + f4(lane), f4(vStage()));
      transformGradient(padDy, gi, stageU + f4(lane), f4(uStage()));
      if ((slot & 1) == 1 || gi == b1 - 1) transposeInto(scratch, 4 * (slot & ~1), (slot & 1) + 1);
    }
    multiplyAccumulate(scratch, 4 * (b1 - b0));
  }
}

// dy rows and columns past the output read as zeros (tiles and groups that overhang the edges).
function padGradient(dy: usize, pad: usize): void {
  const rowB = f4(wpd), rows = dyRows();
  for (let o = 0; o < co; o++) {
    let dst = pad + <usize>(o * rows) * rowB;
    for (let r = 0; r < rows; r++) {
      zeroFloats(dst, wpd);
      if (r < ho) copyFloats(dst, dy + f4((o * ho + r) * wo), wo);
      dst += rowB;
    }
  }
}

// U_ξ[o][lanes of the group] = (G' dy_t G'ᵀ)[ξ], G' = [1 0; ½ ½; ½ −½; 0 −1]: 4 floats at
// at + ξ·xiStride + o·8 floats.
function transformGradient(pad: usize, gi: i32, at: usize, xiStride: usize): void {
  const ty = gi / groupsPerRow, tx0 = 4 * (gi - ty * groupsPerRow);
  const rowB = f4(wpd), rows = dyRows();
  const half = f32x4.splat(0.5);
  let src = pad + <usize>(2 * ty) * rowB + f4(2 * tx0);
  for (let o = 0; o < co; o++) {
    const a0 = v128.load(src), b0 = v128.load(src, 16), a1 = v128.load(src + rowB), b1 = v128.load(src + rowB, 16);
    // d_uv: dy row u, column v of each tile.
    const d00 = evens(a0, b0), d01 = odds(a0, b0), d10 = evens(a1, b1), d11 = odds(a1, b1);
    // Rows of G' dy (columns 0 and 1), then G' across each row.
    const dst = at + f4(o * 8);
    storeRow(dst, xiStride, 0, d00, d01, half);
    storeRow(dst, xiStride, 1, f32x4.mul(f32x4.add(d00, d10), half), f32x4.mul(f32x4.add(d01, d11), half), half);
    storeRow(dst, xiStride, 2, f32x4.mul(f32x4.sub(d00, d10), half), f32x4.mul(f32x4.sub(d01, d11), half), half);
    storeRow(dst, xiStride, 3, f32x4.neg(d10), f32x4.neg(d11), half);
    src += <usize>rows * rowB;
  }
}

// Row i of (G' dy) G'ᵀ from row i of G' dy (r0, r1): ξ = 4i … 4i + 3.
@inline function storeRow(dst: usize, xiStride: usize, i: i32, r0: v128, r1: v128, half: v128): void {
  const base = dst + <usize>(4 * i) * xiStride;
  v128.store(base, r0);
  v128.store(base + xiStride, f32x4.mul(f32x4.add(r0, r1), half));
  v128.store(base + 2 * xiStride, f32x4.mul(f32x4.sub(r0, r1), half));
  v128.store(base + 3 * xiStride, f32x4.neg(r1));
}

// The staged groups' tiles [t0, t0 + 4·count) into A and B, channels in the lanes (4 × 4 transposes).
function transposeInto(scratch: usize, t0: i32, count: i32): void {
  const stageV = scratch + f4(stageVAt()), stageU = scratch + f4(stageUAt());
  const a = scratch, b = scratch + f4(bAt());
  for (let xi = 0; xi < 16; xi++) {
    for (let h = 0; h < count; h++) {
      const t = t0 + 4 * h;
      const sv = stageV + f4(xi * vStage() + 4 * h);
      for (let c = 0; c < ci; c += 4) {
        const dst = b + f4(xi * bSlab() + (c >> 3) * 8 * blockTiles + t * 8 + (c & 7));
        transpose4(sv + f4(c * 8), f4(8), dst, f4(8));
      }
      const su = stageU + f4(xi * uStage() + 4 * h);
      for (let o = 0; o < co; o += 4) {
        const dst = a + f4(xi * aSlab() + (o >> 2) * 4 * blockTiles + t * 4);
        transpose4(su + f4(o * 8), f4(8), dst, f4(4));
      }
    }
  }
}

// Rows src + k·srcStride (k < 4) as columns: dst + l·dstStride gets lane l of each row.
@inline function transpose4(src: usize, srcStride: usize, dst: usize, dstStride: usize): void {
  const r0 = v128.load(src), r1 = v128.load(src + srcStride), r2 = v128.load(src + 2 * srcStride), r3 = v128.load(src + 3 * srcStride);
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(dst + dstStride, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * dstStride, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * dstStride, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

// M_ξ += A_ξ · B_ξ over the block's `tiles`.
function multiplyAccumulate(scratch: usize, tiles: i32): void {
  const a = scratch, b = scratch + f4(bAt()), m = scratch + f4(mAt());
  const ldc = f4(cp);
  for (let xi = 0; xi < 16; xi++) {
    const aXi = a + f4(xi * aSlab()), bXi = b + f4(xi * bSlab()), mXi = m + f4(xi * mSlab());
    for (let q = 0; q < op; q += 4) {
      for (let r = 0; r < cp; r += 8) microKernel(tiles, aXi + f4(q * blockTiles), bXi + f4(r * blockTiles), mXi + <usize>q * ldc + f4(r), ldc, INIT_LOAD, 0);
    }
  }
}

/** dw[o][c][a][b] = (Aᵀ M A)[a][b] for the part's sums, at dw (row stride C·9 floats per o). */
export function winogradWeightEnd(scratch: usize, dw: usize): void {
  const m = scratch + f4(mAt()), slab = f4(mSlab());
  for (let o = 0; o < co; o++) {
    for (let c = 0; c < ci; c++) {
      const at = m + f4(o * cp + c);
      const out = dw + f4((o * ci + c) * 9);
      for (let i = 0; i < 3; i++) {
        // Row i of Aᵀ M, column j: rows 0 + 1 + 2, 1 − 2, 1 + 2 + 3 of M.
        const r0 = column(at, slab, i, 0), r1 = column(at, slab, i, 1), r2 = column(at, slab, i, 2), r3 = column(at, slab, i, 3);
        store<f32>(out + f4(3 * i), r0 + r1 + r2);
        store<f32>(out + f4(3 * i + 1), r1 - r2);
        store<f32>(out + f4(3 * i + 2), r1 + r2 + r3);
      }
    }
  }
}

// (Aᵀ M)[i][j] for the M entries at + ξ·slab.
@inline function column(at: usize, slab: usize, i: i32, j: i32): f32 {
  const m1 = load<f32>(at + <usize>(4 + j) * slab), m2 = load<f32>(at + <usize>(8 + j) * slab);
  if (i == 0) return load<f32>(at + <usize>j * slab) + m1 + m2;
  if (i == 1) return m1 - m2;
  return m1 + m2 + load<f32>(at + <usize>(12 + j) * slab);
}
