/**
 * Layer fusion in nn.Sequential, for layers whose behaviour is known (a subclass or an instance
 * that overrides `forward` or `call` runs as written). Values and gradients are the same as the
 * layers' run one by one (the tests compare them bit for bit); what fusion saves is the wasm
 * backend's copying of each layer's output out of wasm memory and back in.
 *
 * - Conv → BatchNorm (→ ReLU), when batch norm uses the batch's statistics (training): one op
 *   (ops/convBatchNorm.ts), one backend call forward and one backward. For a 64 × 32 × 28 × 28
 *   output that is one 6.4 MB copy less forward and two backward.
 * - A convolution or batch norm followed by ReLU: one kernel call with ReLU as its epilogue
 *   (Backend's `Epilogue`), which saves copying the layer's output out, back in for ReLU and out again.
 */
import { convBatchNorm, type BatchNormCall, type ConvLayerCall } from '../ops/convBatchNorm.js';
import type { Tensor } from '../tensor/tensor.js';
import { ReLU } from './activation.js';
import { Module } from './module.js';

/** A layer that can run with the following ReLU fused in. */
export interface ReluFusable {
  /** relu(forward(x)) in one kernel call; null when this layer cannot fuse (its forward is overridden). */
  forwardRelu(x: Tensor): Tensor | null;
}

function isReluFusable(m: Module): m is Module & ReluFusable {
  return typeof (m as Partial<ReluFusable>).forwardRelu === 'function' && m.call === Module.prototype.call;
}

/** Whether `m` is a plain ReLU layer: ReLU's own forward and call. */
function isPlainRelu(m: Module): boolean {
  return m instanceof ReLU && m.forward === ReLU.prototype.forward && m.call === Module.prototype.call;
}

/**
 * Runs `layer` and, when it can absorb it, the ReLU `next` in one call; returns null when the pair
 * must run separately.
 */
export function runFusedWithRelu(layer: Module, next: Module | undefined, x: Tensor): Tensor | null {
  if (next === undefined || !isPlainRelu(next) || !isReluFusable(layer)) return null;
  return layer.forwardRelu(x);
}

/** A convolution layer that can hand forward(x) to the fused op (nn/conv.ts). */
interface ConvFusable {
  convolutionCall(x: Tensor): ConvLayerCall | null;
}

/** A batch norm layer that can hand forward to the fused op (nn/batchNorm.ts). */
interface NormFusable {
  batchNormCall(rank: number, channels: number): BatchNormCall | null;
}

function runsOwnCall(m: Module): boolean {
  return m.call === Module.prototype.call;
}

function isConvFusable(m: Module): m is Module & ConvFusable {
  return typeof (m as Partial<ConvFusable>).convolutionCall === 'function' && runsOwnCall(m);
}

function isNormFusable(m: Module): m is Module & NormFusable {
  return typeof (m as Partial<NormFusable>).batchNormCall === 'function' && runsOwnCall(m);
}

/**
 * Runs layers[i] on x together with the layers after it that it can fuse with; returns the output
 * and how many layers it covered, or null when layers[i] must run alone.
 */
export function runFused(layers: readonly Module[], i: number, x: Tensor): { output: Tensor; layers: number } | null {
  const layer = layers[i]!, next = layers[i + 1], after = layers[i + 2];
  if (next !== undefined && isConvFusable(layer) && isNormFusable(next)) {
    const conv = layer.convolutionCall(x);
    // Checked last: it counts the batch in the batch norm layer.
    const norm = conv === null ? null : next.batchNormCall(x.ndim, conv.w.shape[0]!);
    if (conv !== null && norm !== null) {
      const relu = after !== undefined && isPlainRelu(after);
      return { output: convBatchNorm(conv, norm, relu ? 'relu' : null), layers: relu ? 3 : 2 };
    }
  }
  const output = runFusedWithRelu(layer, next, x);
  return output === null ? null : { output, layers: 2 };
}
