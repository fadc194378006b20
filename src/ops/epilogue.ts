/**
 * The gradient side of kernel epilogues (Backend's `Epilogue`): a layer fused with the ReLU after it
 * returns relu(layer(x)), so its backward first takes ReLU's gradient.
 */
import type { Epilogue, FloatArray } from '../backend/backend.js';
import { backendFor } from '../backend/index.js';
import { allocateForOverwrite } from '../tensor/dtype.js';

/**
 * dy through the epilogue: for relu, dy where the fused output is positive and +0 elsewhere, which
 * is where the pre-activation was positive (NaN is neither), so it equals the separate ReLU's gradient.
 */
export function epilogueGradient(epilogue: Epilogue, dy: FloatArray, out: FloatArray, dtype: 'float32' | 'float64'): FloatArray {
  if (epilogue === null) return dy;
  const masked = allocateForOverwrite(dtype, dy.length) as FloatArray;
  backendFor(dtype).reluBackward(dy, out, masked);
  return masked;
}
