// Convolution tasks. Layouts: x [N, C, H, W], w [CO, CIG, KH, KW], out/dy [N, CO, HO, WO]; per image
// and group g the forward pass is the matrix product
//   out[n, g] [COG × P] = w[g] [COG × KG] · col(x[n, g]) [KG × P]
// and the backward passes are its two transposed products (see each task).
import { f4 } from './simd';
import { N, C, CO, G, H, W, HO, WO, KH, KW, SH, SW, PT, PL, DH, DW, HW, P, KG, KHW, CIG, COG, readConvGeometry, isPointwise } from './geometry';
import { gemm, useStridedB, useIm2colB, useIm2colTB, GEMM_SCRATCH_BYTES, INIT_ZERO, INIT_LOAD, INIT_BIAS, NR } from './gemm';
import { col2im } from './im2col';
import { beginSegments, nextSegment, segUnit, segLo, segHi } from './partition';
import { depthwiseScratch, depthwiseForward, depthwiseBackwardData, depthwiseBackwardWeight } from './depthwise';
import { setChannelLanes, channelLanesScratch, packChannelLanes, loadChannelLanesImage, channelLanesRows } from './channelLanes';
import { setChannelLanesWeight, channelLanesWeightScratch, channelLanesWeightBegin, channelLanesWeightImage, channelLanesWeightEnd } from './channelLanesWeight';
import { setWinograd, winogradScratch, winogradWeights, winogradGroups, winogradGroupsOf } from './winograd';
import { setWinogradWeight, winogradWeightScratch, winogradWeightBegin, winogradWeightImage, winogradWeightEnd } from './winogradWeight';
import { setDirect, chooseDirectLayout, directScratch, packDirectWeights, directRows, directWeightScratch, directWeightBegin, directWeightImage, directWeightEnd } from './direct';

/** Floats of the per-thread dcol buffer for the data gradient (512 KiB: an L2-sized chunk). */
const DCOL_FLOATS: i32 = 1 << 17;

// Job arguments after the 16 geometry words.
const ARG0: usize = 64;
/** Deepest GEMM (taps per output) the direct forward and data-gradient kernels take in automatic mode. */
const DIRECT_MAX_K: i32 = 1536;
/**
 * Job argument word with the algorithm choice: 0 automatic, 1 GEMM, 2 direct (where it applies) with
 * the by-position kernels, 3 direct with the 8 × 4 by-channel kernel, 4 with the 16 × 2 one (direct.ts),
 * 5 the channel-lanes gradients (channelLanes.ts, channelLanesWeight.ts) where they apply, the forward
 * pass automatic, 6 Winograd (winograd.ts, winogradWeight.ts) for all three passes where it applies.
 */
const ALGO: usize = 96;
const ALGO_CHANNEL_LANES: i32 = 5;
const ALGO_WINOGRAD: i32 = 6;
/** dyT floats per image up to which the channel-lanes data gradient is picked automatically (1 MiB). */
const LANES_MAX_DY: i32 = 1 << 18;

/** The algorithm word, with the channel-lanes and Winograd choices read as automatic by the passes they do not cover. */
function algorithm(args: usize): i32 {
  const algo = load<i32>(args + ALGO);
  return algo == ALGO_CHANNEL_LANES || algo == ALGO_WINOGRAD ? 0 : algo;
}

/** The algorithm word for the weight gradient's other kernels (a forced Winograd reads as automatic where it does not fit). */
function weightAlgorithm(args: usize): i32 {
  const algo = load<i32>(args + ALGO);
  return algo == ALGO_WINOGRAD ? 0 : algo;
}

/** Whether the layer is one Winograd F(2×2, 3×3) computes: 3 × 3, stride 1, undilated, ungrouped, U small enough to keep per thread. */
function winogradFits(): bool {
  return KH == 3 && KW == 3 && SH == 1 && SW == 1 && DH == 1 && DW == 1 && G == 1 && C * CO <= WINOGRAD_MAX_WEIGHTS;
}

/** Most weights of a Winograd layer: each thread keeps their 16/9 as many transformed (4 MiB at this size). */
const WINOGRAD_MAX_WEIGHTS: i32 = 1 << 16;

/**
 * Winograd in automatic mode: from 16 channels in and out. Measured against the kernels picked
 * before (1 thread, all three passes alike; bench/convAlgorithms.ts): 1.8× on S3 (64 → 64 over 32²) and on 256 → 256
 * over 14² (the GEMM's), 1.75× on 64 → 64 over 14², 1.45–1.6× on 32 → 32 over 28², 1.2–1.3× with
 * 16 channels on either side; 12 channels gain 1.1×, 8 lose (0.92×): the products over channels
 * are too short for the micro-kernel.
 */
function winogradChosen(args: usize): bool {
  const algo = load<i32>(args + ALGO);
  return algo == ALGO_WINOGRAD || (algo == 0 && C >= WINOGRAD_MIN_CHANNELS && CO >= WINOGRAD_MIN_CHANNELS);
}

const WINOGRAD_MIN_CHANNELS: i32 = 16;

/** The forward pass and the weight gradient by Winograd. */
function useWinograd(args: usize): bool {
  return winogradFits() && winogradChosen(args);
}

function setBackwardWeightWinograd(): void {
  setWinograd(C, H, W, CO, HO, WO, PT, PL, false);
  setWinogradWeight();
}

/** The data gradient by Winograd: its convolution of dy pads by 2 − P, which must not be negative. */
function backwardDataWinograd(args: usize): bool {
  return winogradFits() && PT <= 2 && PL <= 2 && winogradChosen(args);
}

/**
 * The convolution set by setWinograd over every image: src images `srcImage` floats apart, dst
 * images `dstImage` apart. Threads split the (image, group of 4 tiles) space at panel boundaries;
 * each transforms the weights for itself.
 */
function winogradImages(src: usize, srcImage: i32, w: usize, bias: usize, dst: usize, dstImage: i32, tid: i32, nth: i32, scratch: usize): void {
  winogradWeights(w, scratch);
  beginSegments(tid, nth, N, winogradGroups(), 2);
  while (nextSegment()) winogradGroupsOf(src + f4(segUnit * srcImage), bias, dst + f4(segUnit * dstImage), segLo, segHi, scratch);
}

/** Depthwise-like convolutions (one input channel per group, few outputs each) run the direct kernels. */
function useDirect(): bool {
  return CIG == 1 && COG <= 4;
}

/**
 * Forward by the direct kernels (direct.ts): layers with few output channels or a shallow GEMM
 * (K = CIG·KH·KW), where per-image im2col packing and 4 × 8 tiles with idle rows dominate.
 */
function forwardDirect(args: usize): bool {
  const algo = algorithm(args);
  if (algo == 1 || isPointwise()) return false;
  if (algo >= 2) return true;
  // Measured against the GEMM: the direct kernels win up to a few hundred channels, except on very
  // deep layers (no K blocking) and on rows of ≤ 4 outputs (half of each 8-wide strip idle).
  return COG <= 16 || (KG <= DIRECT_MAX_K && WO > 4);
}

function setForwardDirect(args: usize): void {
  setDirect(CIG, H, W, COG, HO, WO, KH, KW, SH, SW, DH, DW, PT, PL);
  chooseDirectLayout(directLayout(args));
}

/** The direct kernels' layout the algorithm word forces: 0 none, 1 by position, 2 and 3 by channel (8 × 4, 16 × 2). */
function directLayout(args: usize): i32 {
  const algo = algorithm(args);
  return algo >= 2 ? algo - 1 : 0;
}

/**
 * The data gradient of a stride-1 convolution is a stride-1 convolution of dy with the flipped,
 * transposed kernel and padding (K − 1)·D − P; the direct kernels run it when that padding is ≥ 0.
 */
function backwardDataDirect(args: usize): bool {
  const algo = algorithm(args);
  if (algo == 1 || isPointwise() || SH != 1 || SW != 1 || (KH - 1) * DH < PT || (KW - 1) * DW < PL) return false;
  if (algo >= 2) return true;
  return CIG <= 16 || (COG * KHW <= DIRECT_MAX_K && W > 4);
}

function setBackwardDataDirect(args: usize): void {
  setDirect(COG, HO, WO, CIG, H, W, KH, KW, 1, 1, DH, DW, (KH - 1) * DH - PT, (KW - 1) * DW - PL);
  chooseDirectLayout(directLayout(args));
}

/**
 * The data gradient with output channels in the SIMD lanes (channelLanes.ts): stride 1, dilation 1,
 * rows of at least 4. Picked automatically for few dx channels per group (≤ 8), o a multiple of 4
 * (no idle lanes) and dy rows short next to the kernel (WO < 9·(KW − 1): over a tenth of the direct
 * kernels' taps along a row fall on padding). Measured against the direct kernels: 1.41× on
 * LeNet's 6 → 16 5 × 5 (rows of 10), 1.08× on 5 × 5 over rows of 28; 0.79–0.96× for 3 × 3 over
 * rows of 28–56, which stay direct.
 */
function backwardDataLanes(args: usize): bool {
  const algo = load<i32>(args + ALGO);
  if (SH != 1 || SW != 1 || DH != 1 || DW != 1 || W < 4 || isPointwise()) return false;
  if (algo == ALGO_CHANNEL_LANES) return true;
  return algo == 0 && CIG <= 8 && (COG & 3) == 0 && WO < 9 * (KW - 1) && HO * (WO + 6) * COG <= LANES_MAX_DY;
}

export function convForwardScratch(args: usize): usize {
  readConvGeometry(args);
  if (useDirect()) return depthwiseScratch();
  if (useWinograd(args)) { setWinograd(C, H, W, CO, HO, WO, PT, PL, false); return winogradScratch(); }
  if (forwardDirect(args)) { setForwardDirect(args); return directScratch(); }
  return GEMM_SCRATCH_BYTES;
}

/**
 * out = bias + w ⋆ x. Threads split the (image·group, output position) space, so each output
 * column block belongs to one thread.
 */
export function convForward(args: usize, tid: i32, nth: i32, scratch: usize): void {
  readConvGeometry(args);
  const x = load<usize>(args + ARG0), w = load<usize>(args + ARG0 + 4);
  const bias = load<usize>(args + ARG0 + 8), out = load<usize>(args + ARG0 + 12);
  if (useDirect()) { depthwiseForward(x, w, bias, out, tid, nth, scratch); return; }
  if (useWinograd(args)) {
    setWinograd(C, H, W, CO, HO, WO, PT, PL, false);
    winogradImages(x, C * HW, w, bias, out, CO * P, tid, nth, scratch);
    return;
  }
  if (forwardDirect(args)) {
    // Threads split the (image·group, output row) space.
    setForwardDirect(args);
    beginSegments(tid, nth, N * G, HO, 1);
    let packed = -1;
    while (nextSegment()) {
      const n = segUnit / G, g = segUnit - n * G;
      if (g != packed) {
        packDirectWeights(scratch, w + f4(g * COG * KG), KG, KHW, false, bias != 0 ? bias + f4(g * COG) : 0);
        packed = g;
      }
      directRows(x + f4((n * C + g * CIG) * HW), out + f4((n * CO + g * COG) * P), segLo, segHi, scratch);
    }
    return;
  }
  const pointwise = isPointwise();
  beginSegments(tid, nth, N * G, P, NR);
  while (nextSegment()) {
    const n = segUnit / G, g = segUnit - n * G;
    const xg = x + f4((n * C + g * CIG) * HW);
    const wg = w + f4(g * COG * KG);
    const og = out + f4((n * CO + g * COG) * P + segLo);
    if (pointwise) useStridedB(xg + f4(segLo), HW, 1);
    else useIm2colB(xg, segLo);
    gemm(COG, segHi - segLo, KG, wg, KG, 1, og, P, bias != 0 ? INIT_BIAS : INIT_ZERO, bias != 0 ? bias + f4(g * COG) : 0, scratch);
  }
}

export function convBackwardDataScratch(args: usize): usize {
  readConvGeometry(args);
  if (useDirect()) return depthwiseScratch();
  if (backwardDataWinograd(args)) { setWinograd(CO, HO, WO, C, H, W, 2 - PT, 2 - PL, true); return winogradScratch(); }
  if (backwardDataLanes(args)) { setChannelLanes(); return channelLanesScratch(); }
  if (backwardDataDirect(args)) { setBackwardDataDirect(args); return directScratch(); }
  return GEMM_SCRATCH_BYTES + f4(DCOL_FLOATS);
}

/**
 * dx = col2im(w[g]ᵀ · dy[n, g]): dcol [KG × P] = w[g]ᵀ [KG × COG] · dy [COG × P], then every dcol
 * entry is added to the input position it was read from. Threads split the (image·group, input
 * channel) space: a channel's rows of dcol touch only that channel of dx.
 */
export function convBackwardData(args: usize, tid: i32, nth: i32, scratch: usize): void {
  readConvGeometry(args);
  const dy = load<usize>(args + ARG0), w = load<usize>(args + ARG0 + 4), dx = load<usize>(args + ARG0 + 8);
  if (useDirect()) { depthwiseBackwardData(dy, w, dx, tid, nth, scratch); return; }
  if (backwardDataWinograd(args)) {
    setWinograd(CO, HO, WO, C, H, W, 2 - PT, 2 - PL, true);
    winogradImages(dy, CO * P, w, 0, dx, C * HW, tid, nth, scratch);
    return;
  }
  if (backwardDataLanes(args)) {
    // Threads split the (image·group, input row) space; dyT is loaded once per image a thread visits.
    setChannelLanes();
    beginSegments(tid, nth, N * G, H, 1);
    let packed = -1;
    while (nextSegment()) {
      const n = segUnit / G, g = segUnit - n * G;
      if (g != packed) {
        packChannelLanes(scratch, w + f4(g * COG * KG));
        packed = g;
      }
      loadChannelLanesImage(scratch, dy + f4((n * CO + g * COG) * P));
      channelLanesRows(dx + f4((n * C + g * CIG) * HW), segLo, segHi, scratch);
    }
    return;
  }
  if (backwardDataDirect(args)) {
    // Threads split the (image·group, input row) space. Packed weight (c, (o, a, b)) = w[o, c, flipped a, b].
    setBackwardDataDirect(args);
    beginSegments(tid, nth, N * G, H, 1);
    let packed = -1;
    while (nextSegment()) {
      const n = segUnit / G, g = segUnit - n * G;
      if (g != packed) {
        packDirectWeights(scratch, w + f4(g * COG * KG), KHW, KG, true, 0);
        packed = g;
      }
      directRows(dy + f4((n * CO + g * COG) * P), dx + f4((n * C + g * CIG) * HW), segLo, segHi, scratch);
    }
    return;
  }
  const pointwise = isPointwise();
  const dcol = scratch + GEMM_SCRATCH_BYTES;
  // Chunk: cc channels × ch output positions of dcol, at most DCOL_FLOATS.
  let ch = P, cc = DCOL_FLOATS / max(1, KHW * P);
  if (cc < 1) {
    cc = 1;
    ch = max(NR, DCOL_FLOATS / max(1, KHW) / NR * NR);
  }
  beginSegments(tid, nth, N * G, CIG, 1);
  while (nextSegment()) {
    const n = segUnit / G, g = segUnit - n * G;
    const dyg = dy + f4((n * CO + g * COG) * P);
    const wg = w + f4(g * COG * KG);
    const dxg = dx + f4((n * C + g * CIG) * HW);
    const c0 = segLo, c1 = segHi;
    if (pointwise) {
      // dx[c, p] = Σ_o w[o, c] dy[o, p]: A(c, o) = wg[o·KG + c].
      useStridedB(dyg, P, 1);
      gemm(c1 - c0, P, COG, wg + f4(c0), 1, KG, dxg + f4(c0 * HW), HW, INIT_ZERO, 0, scratch);
      continue;
    }
    memory.fill(dxg + f4(c0 * HW), 0, f4((c1 - c0) * HW));
    for (let cs = c0; cs < c1; cs += cc) {
      const ce = min(c1, cs + cc);
      const rows = (ce - cs) * KHW;
      for (let q0 = 0; q0 < P; q0 += ch) {
        const q1 = min(P, q0 + ch);
        // A(kk, o) = wg[o·KG + kk] for kk from cs·KHW: the transposed weight slice of these channels.
        useStridedB(dyg + f4(q0), P, 1);
        gemm(rows, q1 - q0, COG, wg + f4(cs * KHW), 1, KG, dcol, q1 - q0, INIT_ZERO, 0, scratch);
        col2im(dcol, q1 - q0, dxg, cs, ce, q0, q1);
      }
    }
  }
}

/** Weight gradient by the direct kernels: while the f32x4 accumulators of every weight stay small. */
function backwardWeightDirect(args: usize): bool {
  const algo = weightAlgorithm(args);
  if (algo == 1 || isPointwise() || COG * KG > DIRECT_WEIGHT_MAX) return false;
  return true;
}

/**
 * Weight gradient with output channels in the SIMD lanes (channelLanesWeight.ts), for layers the
 * direct kernels would take. Picked automatically where the direct kernels leave lanes idle (rows
 * not a multiple of 4) and the lanes do not (channels a multiple of 8): measured 1.10–1.23× faster
 * on rows of 10 and 14, 0.65–1.0× on rows of 28 and 32.
 */
function backwardWeightLanes(args: usize): bool {
  const algo = weightAlgorithm(args);
  if (isPointwise() || COG * KG > DIRECT_WEIGHT_MAX) return false;
  if (algo == ALGO_CHANNEL_LANES) return true;
  return algo == 0 && (COG & 7) == 0 && (WO & 3) != 0;
}

function setBackwardWeightLanes(): void {
  setChannelLanesWeight();
}

/** Most weights (per group) the direct weight gradient accumulates: 4 floats each in per-thread scratch. */
const DIRECT_WEIGHT_MAX: i32 = 1 << 16;

export function convBackwardWeightScratch(args: usize): usize {
  readConvGeometry(args);
  if (useDirect()) return depthwiseScratch();
  if (useWinograd(args)) { setBackwardWeightWinograd(); return winogradWeightScratch(); }
  if (backwardWeightLanes(args)) { setBackwardWeightLanes(); return channelLanesWeightScratch(); }
  if (backwardWeightDirect(args)) { setForwardDirect(args); return directWeightScratch(); }
  return GEMM_SCRATCH_BYTES;
}

/**
 * Job argument word the weight gradient writes back: how many partial gradients it left at dw,
 * dw + CO·KG floats, … for the host to add up in order (1: dw is the gradient).
 */
const PARTS: usize = 100;

/**
 * dw[g] [COG × KG] = Σ_n dy[n, g] [COG × P] · colᵀ(x[n, g]) [P × KG]. The GEMM path splits the
 * (group, weight column) space, each thread summing over every image in the same order. The direct
 * path sums the two halves of the batch separately, into two partial gradients the host adds: with
 * two threads each pads and reads only its own images (split by weight columns, both threads padded
 * every image and read all of x and dy, and two threads ran only 1.1× faster than one), and the
 * sums stay the same whatever the thread count.
 */
export function convBackwardWeight(args: usize, tid: i32, nth: i32, scratch: usize): void {
  readConvGeometry(args);
  const x = load<usize>(args + ARG0), dy = load<usize>(args + ARG0 + 4), dw = load<usize>(args + ARG0 + 8);
  if (tid == 0) store<i32>(args + PARTS, 1);
  if (useDirect()) { depthwiseBackwardWeight(x, dy, dw, tid, nth, scratch); return; }
  if (useWinograd(args)) {
    // As the direct path below: the two halves of the batch summed apart, by whichever thread claims each.
    setBackwardWeightWinograd();
    const parts = N >= 2 ? 2 : 1;
    if (tid == 0) store<i32>(args + PARTS, parts);
    beginSegments(tid, nth, parts, 1, 1, 1);
    while (nextSegment()) {
      const part = segUnit;
      winogradWeightBegin(scratch);
      for (let n = N * part / parts; n < N * (part + 1) / parts; n++) winogradWeightImage(x + f4(n * C * HW), dy + f4(n * CO * P), scratch);
      winogradWeightEnd(scratch, dw + f4(part * CO * KG));
    }
    return;
  }
  const lanes = backwardWeightLanes(args);
  if (lanes || backwardWeightDirect(args)) {
    // Threads split the (group, half, weight column) space in multiples of 4 columns (whole tiles).
    if (lanes) setBackwardWeightLanes();
    else setForwardDirect(args);
    const parts = N >= 2 ? 2 : 1;
    if (tid == 0) store<i32>(args + PARTS, parts);
    beginSegments(tid, nth, G * parts, KG, 4, 1);
    while (nextSegment()) {
      const g = segUnit / parts, part = segUnit - g * parts;
      if (lanes) channelLanesWeightBegin(scratch, segLo, segHi);
      else directWeightBegin(scratch, segLo, segHi);
      for (let n = N * part / parts; n < N * (part + 1) / parts; n++) {
        const xn = x + f4((n * C + g * CIG) * HW), dyn = dy + f4((n * CO + g * COG) * P);
        if (lanes) channelLanesWeightImage(xn, dyn, segLo, segHi, scratch);
        else directWeightImage(xn, dyn, segLo, segHi, scratch);
      }
      const dwp = dw + f4(part * CO * KG + g * COG * KG);
      if (lanes) channelLanesWeightEnd(scratch, dwp, KG, segLo, segHi);
      else directWeightEnd(scratch, dwp, KG, segLo, segHi);
    }
    return;
  }
  const pointwise = isPointwise();
  beginSegments(tid, nth, G, KG, NR, 1);
  while (nextSegment()) {
    const g = segUnit;
    const dwg = dw + f4(g * COG * KG + segLo);
    for (let n = 0; n < N; n++) {
      const dyg = dy + f4((n * CO + g * COG) * P);
      const xg = x + f4((n * C + g * CIG) * HW);
      // B(p, c) = x[c, p] for a pointwise conv, the gathered window taps otherwise.
      if (pointwise) useStridedB(xg + f4(segLo * HW), 1, HW);
      else useIm2colTB(xg, 0, segLo);
      gemm(COG, segHi - segLo, P, dyg, P, 1, dwg, KG, n == 0 ? INIT_ZERO : INIT_LOAD, 0, scratch);
    }
  }
}
