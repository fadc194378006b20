import type { FloatArray, MatmulGeometry } from '../backend.js';

/**
 * out[b] = op(A[b]) · op(B[b]): out[b,i,j] = Σ_p A'[b,i,p] · B'[b,p,j], the textbook triple loop.
 * Element addresses follow the layouts of MatmulGeometry, so a transposed operand is read in place.
 */
export function matmul(g: MatmulGeometry, a: FloatArray, b: FloatArray, out: FloatArray): void {
  const { batch, m, k, n, transA, transB } = g;
  const aMatrix = g.batchA * m * k;
  const bMatrix = g.batchB * k * n;
  for (let t = 0; t < batch; t++) {
    const aBase = t * aMatrix;
    const bBase = t * bMatrix;
    const oBase = t * m * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let p = 0; p < k; p++) {
          const av = a[aBase + (transA ? p * m + i : i * k + p)];
          const bv = b[bBase + (transB ? j * k + p : p * n + j)];
          acc += av * bv;
        }
        out[oBase + i * n + j] = acc;
      }
    }
  }
}
