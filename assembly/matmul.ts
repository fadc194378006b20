// Batched matrix product task: out[b] = op(A[b]) · op(B[b]), layouts as MatmulGeometry in backend.ts.
import { f4 } from './simd';
import { gemm, useStridedB, GEMM_SCRATCH_BYTES, INIT_ZERO, MR, NR } from './gemm';
import { beginSegments, nextSegment, segUnit, segLo, segHi } from './partition';

export function matmulScratch(): usize {
  return GEMM_SCRATCH_BYTES;
}

// args: batch, m, k, n, transA, transB, batchA, batchB, a, b, out
export function matmul(args: usize, tid: i32, nth: i32, scratch: usize): void {
  let batch = load<i32>(args), m = load<i32>(args, 4);
  const k = load<i32>(args, 8), n = load<i32>(args, 12);
  const transA = load<i32>(args, 16) != 0, transB = load<i32>(args, 20) != 0;
  let batchA = load<i32>(args, 24);
  const batchB = load<i32>(args, 28);
  const a = load<usize>(args, 32), b = load<usize>(args, 36), out = load<usize>(args, 40);
  // One A per entry against a shared B, A untransposed: the batch is just more rows of one product.
  if (batchA != 0 && batchB == 0 && !transA) { m *= batch; batch = 1; batchA = 0; }
  const rsA = transA ? 1 : k, csA = transA ? m : 1;
  const rsB = transB ? 1 : n, csB = transB ? k : 1;
  const strideA = f4(batchA != 0 ? m * k : 0), strideB = f4(batchB != 0 ? k * n : 0);
  const strideC = f4(m * n);
  if (n >= m) {
    // Threads split the columns of every entry.
    beginSegments(tid, nth, batch, n, NR);
    while (nextSegment()) {
      const e = <usize>segUnit;
      useStridedB(b + e * strideB + f4(segLo * csB), rsB, csB);
      gemm(m, segHi - segLo, k, a + e * strideA, rsA, csA, out + e * strideC + f4(segLo), n, INIT_ZERO, 0, scratch);
    }
  } else {
    beginSegments(tid, nth, batch, m, MR);
    while (nextSegment()) {
      const e = <usize>segUnit;
      useStridedB(b + e * strideB, rsB, csB);
      gemm(segHi - segLo, n, k, a + e * strideA + f4(segLo * rsA), rsA, csA, out + e * strideC + f4(segLo * n), n, INIT_ZERO, 0, scratch);
    }
  }
}
