// Packed, register-blocked matrix product (the GotoBLAS/BLIS loop nest):
//
//   for jc in N by NC:            B block  [KC × NC]  packed into NR-wide panels (lives in L2/L3)
//     for pc in K by KC:
//       pack B[pc.., jc..]
//       for ic in M by MC:        A block  [MC × KC]  packed into MR-tall panels (lives in L2)
//         pack A[ic.., pc..]
//         for jr in NC by NR:     one B panel [KC × NR] stays in L1
//           for ir in MC by MR:   micro-kernel: C[MR × NR] += A panel · B panel in 8 v128 registers
//
// Packed layouts: an A panel is [KC][MR] (MR values of one k side by side), a B panel is [KC][NR].
// Panels past the matrix edge are zero-filled, so the micro-kernel always runs full tiles; edge
// tiles are computed into a small buffer and the valid part copied out.
//
// MR × NR = 4 × 8 keeps 8 accumulators: V8 gives wasm 15 xmm registers on x64, and larger tiles
// (6 × 8, 4 × 12) spill inside the loop and run at half speed.
import { madd, f4 } from './simd';
import { packIm2col, packIm2colT } from './im2col';

export const MR: i32 = 4;
export const NR: i32 = 8;
export const KC: i32 = 256;
export const MC: i32 = 128;
export const NC: i32 = 1024;

/** How the first k-block initialises C: zeros, C's current values (accumulate), or a per-row bias. */
export const INIT_ZERO: i32 = 0;
export const INIT_LOAD: i32 = 1;
export const INIT_BIAS: i32 = 2;

const B_STRIDED: i32 = 0;
const B_IM2COL: i32 = 1;
const B_IM2COL_T: i32 = 2;

/** Bytes of per-thread scratch the GEMM needs: packed A block, packed B block, an edge tile, a small table. */
export const GEMM_SCRATCH_BYTES: usize = f4(MC * KC + KC * NC + MR * NR + 64);

// Where packB reads B from, set by the caller before gemm(). Module globals are per instance = per thread.
let bKind: i32 = B_STRIDED;
let bBase: usize = 0;
let bRs: i32 = 0;
let bCs: i32 = 0;

/** B(p, j) = base[p·rs + j·cs] (strides in floats). */
export function useStridedB(base: usize, rs: i32, cs: i32): void {
  bKind = B_STRIDED; bBase = base; bRs = rs; bCs = cs;
}

/** B = im2col of the input planes at `x` (one image, one group), columns starting at output position `col0`. */
export function useIm2colB(x: usize, col0: i32): void {
  bKind = B_IM2COL; bBase = x; bRs = col0;
}

/** B = im2colᵀ of the input planes at `x`: rows are output positions from `row0`, columns taps (c, a, b) from `col0`. */
export function useIm2colTB(x: usize, row0: i32, col0: i32): void {
  bKind = B_IM2COL_T; bBase = x; bRs = row0; bCs = col0;
}

// The 4 × 8 micro-kernel: C[4 × 8] (row stride ldc bytes) = init + Σ_p pa[p][0..4] ⊗ pb[p][0..8].
export function microKernel(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, mode: i32, bias: usize): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  if (mode == INIT_LOAD) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c + ldc); c11 = v128.load(c + ldc, 16);
    c20 = v128.load(c + 2 * ldc); c21 = v128.load(c + 2 * ldc, 16);
    c30 = v128.load(c + 3 * ldc); c31 = v128.load(c + 3 * ldc, 16);
  } else if (mode == INIT_BIAS) {
    c00 = v128.load32_splat(bias); c01 = c00;
    c10 = v128.load32_splat(bias, 4); c11 = c10;
    c20 = v128.load32_splat(bias, 8); c21 = c20;
    c30 = v128.load32_splat(bias, 12); c31 = c30;
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    pa += 16; pb += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
}

// C[mc × nc] (row stride ldc floats) from packed A [mc/MR panels] and packed B [nc/NR panels].
function macroKernel(mc: i32, nc: i32, kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, mode: i32, bias: usize, tile: usize): void {
  const ldcB = f4(ldc);
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    const pbj = pb + f4(jr * kc);
    for (let ir = 0; ir < mc; ir += MR) {
      const mr = min(MR, mc - ir);
      const pai = pa + f4(ir * kc);
      const cij = c + <usize>ir * ldcB + f4(jr);
      const bi = bias + f4(ir);
      if (mr == MR && nr == NR) {
        microKernel(kc, pai, pbj, cij, ldcB, mode, bi);
      } else {
        // Same arithmetic as a full tile (so results do not depend on where tiles fall), through a buffer.
        if (mode == INIT_LOAD) {
          for (let r = 0; r < mr; r++) for (let q = 0; q < nr; q++) {
            store<f32>(tile + f4(r * NR + q), load<f32>(cij + <usize>r * ldcB + f4(q)));
          }
        }
        microKernel(kc, pai, pbj, tile, f4(NR), mode, bi);
        for (let r = 0; r < mr; r++) for (let q = 0; q < nr; q++) {
          store<f32>(cij + <usize>r * ldcB + f4(q), load<f32>(tile + f4(r * NR + q)));
        }
      }
    }
  }
}

// Packs A[mc × kc] (A(i, p) = a[i·rs + p·cs]) into MR-tall panels, zero-filling past mc.
function packA(dst: usize, a: usize, rs: i32, cs: i32, mc: i32, kc: i32): void {
  const rsB = f4(rs);
  const csB = f4(cs);
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = min(MR, mc - ir);
    const r0 = a + <usize>ir * rsB;
    if (mr == MR && cs == 1) {
      const r1 = r0 + rsB, r2 = r1 + rsB, r3 = r2 + rsB;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        // 4 × 4 transpose: rows of A become the MR-wide columns of the panel.
        const o = f4(p);
        const x0 = v128.load(r0 + o), x1 = v128.load(r1 + o), x2 = v128.load(r2 + o), x3 = v128.load(r3 + o);
        const t0 = i32x4.shuffle(x0, x1, 0, 4, 1, 5);
        const t1 = i32x4.shuffle(x2, x3, 0, 4, 1, 5);
        const t2 = i32x4.shuffle(x0, x1, 2, 6, 3, 7);
        const t3 = i32x4.shuffle(x2, x3, 2, 6, 3, 7);
        v128.store(dst, i64x2.shuffle(t0, t1, 0, 2));
        v128.store(dst, i64x2.shuffle(t0, t1, 1, 3), 16);
        v128.store(dst, i64x2.shuffle(t2, t3, 0, 2), 32);
        v128.store(dst, i64x2.shuffle(t2, t3, 1, 3), 48);
        dst += 64;
      }
      for (; p < kc; p++) {
        const o = f4(p);
        store<f32>(dst, load<f32>(r0 + o)); store<f32>(dst, load<f32>(r1 + o), 4);
        store<f32>(dst, load<f32>(r2 + o), 8); store<f32>(dst, load<f32>(r3 + o), 12);
        dst += 16;
      }
    } else if (mr == MR && rs == 1) {
      // Transposed A: the MR values of one k are contiguous.
      for (let p = 0; p < kc; p++) {
        const src = r0 + <usize>p * csB;
        store<f32>(dst, load<f32>(src)); store<f32>(dst, load<f32>(src, 4), 4);
        store<f32>(dst, load<f32>(src, 8), 8); store<f32>(dst, load<f32>(src, 12), 12);
        dst += 16;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const src = r0 + <usize>p * csB;
        for (let r = 0; r < MR; r++) store<f32>(dst + f4(r), r < mr ? load<f32>(src + <usize>r * rsB) : 0);
        dst += 16;
      }
    }
  }
}

// Packs the strided B[kc × nc] block starting at (p0, j0) into NR-wide panels.
function packStridedB(dst: usize, p0: i32, kc: i32, j0: i32, nc: i32): void {
  const rsB = f4(bRs);
  const csB = f4(bCs);
  const origin = bBase + <usize>p0 * rsB + <usize>j0 * csB;
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    const col = origin + <usize>jr * csB;
    if (nr == NR && bCs == 1) {
      let src = col;
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src)); v128.store(dst, v128.load(src, 16), 16);
        src += rsB; dst += 32;
      }
    } else if (nr == NR && bRs == 1) {
      // Transposed B: each column is contiguous along k; transpose 4 × 4 blocks of two column quads.
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const o = f4(p);
        for (let h = 0; h < 2; h++) {
          const c0 = col + <usize>(h * 4) * csB + o;
          const x0 = v128.load(c0), x1 = v128.load(c0 + csB), x2 = v128.load(c0 + 2 * csB), x3 = v128.load(c0 + 3 * csB);
          const t0 = i32x4.shuffle(x0, x1, 0, 4, 1, 5);
          const t1 = i32x4.shuffle(x2, x3, 0, 4, 1, 5);
          const t2 = i32x4.shuffle(x0, x1, 2, 6, 3, 7);
          const t3 = i32x4.shuffle(x2, x3, 2, 6, 3, 7);
          const d = dst + f4(h * 4);
          v128.store(d, i64x2.shuffle(t0, t1, 0, 2));
          v128.store(d, i64x2.shuffle(t0, t1, 1, 3), 32);
          v128.store(d, i64x2.shuffle(t2, t3, 0, 2), 64);
          v128.store(d, i64x2.shuffle(t2, t3, 1, 3), 96);
        }
        dst += 128;
      }
      for (; p < kc; p++) {
        const src = col + f4(p);
        for (let q = 0; q < NR; q++) store<f32>(dst + f4(q), load<f32>(src + <usize>q * csB));
        dst += 32;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const src = col + <usize>p * rsB;
        for (let q = 0; q < NR; q++) store<f32>(dst + f4(q), q < nr ? load<f32>(src + <usize>q * csB) : 0);
        dst += 32;
      }
    }
  }
}

function packB(dst: usize, p0: i32, kc: i32, j0: i32, nc: i32, table: usize): void {
  if (bKind == B_STRIDED) packStridedB(dst, p0, kc, j0, nc);
  else if (bKind == B_IM2COL) packIm2col(dst, bBase, p0, kc, bRs + j0, nc, table);
  else packIm2colT(dst, bBase, bRs + p0, kc, bCs + j0, nc, table);
}

/**
 * C[M × N] (row stride ldc floats) = init + A·B with A(i, p) = a[i·rsA + p·csA] and B as set by use…B().
 * `mode` says how C starts (INIT_ZERO, INIT_LOAD, INIT_BIAS with bias[M]); single-threaded, `scratch`
 * holds GEMM_SCRATCH_BYTES.
 */
export function gemm(M: i32, N: i32, K: i32, a: usize, rsA: i32, csA: i32, c: usize, ldc: i32, mode: i32, bias: usize, scratch: usize): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (mode == INIT_LOAD) return;
    for (let i = 0; i < M; i++) {
      const v: f32 = mode == INIT_BIAS ? load<f32>(bias + f4(i)) : 0;
      const row = c + <usize>i * f4(ldc);
      for (let j = 0; j < N; j++) store<f32>(row + f4(j), v);
    }
    return;
  }
  const pa = scratch;
  const pb = pa + f4(MC * KC);
  const tile = pb + f4(KC * NC);
  const table = tile + f4(MR * NR);
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      packB(pb, pc, kc, jc, nc, table);
      const m = pc == 0 ? mode : INIT_LOAD;
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic);
        packA(pa, a + <usize>ic * f4(rsA) + <usize>pc * f4(csA), rsA, csA, mc, kc);
        macroKernel(mc, nc, kc, pa, pb, c + <usize>ic * f4(ldc) + f4(jc), ldc, m, bias + f4(ic), tile);
      }
    }
  }
}
