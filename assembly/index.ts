// Entry points of the kernel module. The host writes a job block into (shared) memory and every
// thread calls run(job, tid) on its own instance; tasks split their work by tid so that no two
// threads write one value.
//
// Job block (i32 words): [0] kernel id, [1] thread count, [2] scratch base, [3] scratch bytes per
// thread, [4…] the kernel's arguments (geometry fields in backend.ts order, then buffer addresses),
// and in its last CLAIM_COUNTERS words the counters threads claim chunks of work from, after two
// words that tally the chunks claimed (partition.ts).
import { matmul, matmulScratch } from './matmul';
import { convForward, convForwardScratch, convBackwardData, convBackwardDataScratch, convBackwardWeight, convBackwardWeightScratch } from './conv';
import { maxPoolForward, maxPoolBackward, avgPoolForward, avgPoolBackward, avgPoolScratch } from './pool';
import { channelMoments, channelDots, channelAffine, channelReluMask } from './channels';
import { reluForward, reluBackward } from './relu';
import { readPoolGeometry } from './geometry';
import { madd } from './simd';
import { beginJob, CLAIM_COUNTERS } from './partition';

/** Bytes of the job block (layout.ts JOB_WORDS). */
const JOB_BYTES: usize = 256;

// Kernel ids: keep in step with src/backend/wasm/layout.ts.
const MATMUL = 1;
const CONV_FORWARD = 2;
const CONV_BACKWARD_DATA = 3;
const CONV_BACKWARD_WEIGHT = 4;
const MAX_POOL_FORWARD = 5;
const MAX_POOL_BACKWARD = 6;
const AVG_POOL_FORWARD = 7;
const AVG_POOL_BACKWARD = 8;
const CHANNEL_MOMENTS = 9;
const CHANNEL_DOTS = 10;
const CHANNEL_AFFINE = 11;
const RELU_FORWARD = 12;
const RELU_BACKWARD = 13;
const CHANNEL_RELU_MASK = 14;

/** Per-thread scratch bytes the job needs (the host allocates thread count × this). */
export function scratchBytes(job: usize): usize {
  const args = job + 16;
  switch (load<i32>(job)) {
    case MATMUL: return matmulScratch();
    case CONV_FORWARD: return convForwardScratch(args);
    case CONV_BACKWARD_DATA: return convBackwardDataScratch(args);
    case CONV_BACKWARD_WEIGHT: return convBackwardWeightScratch(args);
    case AVG_POOL_FORWARD:
    case AVG_POOL_BACKWARD: readPoolGeometry(args); return avgPoolScratch();
    default: return 0;
  }
}

/** Runs thread tid's share of the job. */
export function run(job: usize, tid: i32): void {
  const nth = load<i32>(job, 4);
  const scratch = load<usize>(job, 8) + <usize>tid * load<usize>(job, 12);
  const args = job + 16;
  beginJob(job + JOB_BYTES - (<usize>CLAIM_COUNTERS << 2), tid);
  switch (load<i32>(job)) {
    case MATMUL: matmul(args, tid, nth, scratch); break;
    case CONV_FORWARD: convForward(args, tid, nth, scratch); break;
    case CONV_BACKWARD_DATA: convBackwardData(args, tid, nth, scratch); break;
    case CONV_BACKWARD_WEIGHT: convBackwardWeight(args, tid, nth, scratch); break;
    case MAX_POOL_FORWARD: maxPoolForward(args, tid, nth); break;
    case MAX_POOL_BACKWARD: maxPoolBackward(args, tid, nth); break;
    case AVG_POOL_FORWARD: avgPoolForward(args, tid, nth, scratch); break;
    case AVG_POOL_BACKWARD: avgPoolBackward(args, tid, nth, scratch); break;
    case CHANNEL_MOMENTS: channelMoments(args, tid, nth); break;
    case CHANNEL_DOTS: channelDots(args, tid, nth); break;
    case CHANNEL_AFFINE: channelAffine(args, tid, nth); break;
    case RELU_FORWARD: reluForward(args, tid, nth); break;
    case RELU_BACKWARD: reluBackward(args, tid, nth); break;
    case CHANNEL_RELU_MASK: channelReluMask(args, tid, nth); break;
    default: unreachable();
  }
}

/**
 * The multiply-add ceiling: `iters` rounds of 12 independent f32x4 multiply-adds (96 flops per
 * round) held in registers. Each chain is acc = acc·b + a, so neither operand can be hoisted.
 */
export function peakFma(iters: i32, seed: f32): f32 {
  const a = f32x4.splat(seed), b = f32x4.splat(0.999);
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
  for (let i = 0; i < iters; i++) {
    c0 = madd(c0, b, a); c1 = madd(c1, b, a); c2 = madd(c2, b, a); c3 = madd(c3, b, a);
    c4 = madd(c4, b, a); c5 = madd(c5, b, a); c6 = madd(c6, b, a); c7 = madd(c7, b, a);
    c8 = madd(c8, b, a); c9 = madd(c9, b, a); c10 = madd(c10, b, a); c11 = madd(c11, b, a);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)));
  return f32x4.extract_lane(f32x4.add(s, f32x4.add(f32x4.add(c8, c9), f32x4.add(c10, c11))), 0);
}
