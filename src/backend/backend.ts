/**
 * The kernel interface: every heavy computation (convolution, matrix product, pooling) goes through
 * one `Backend`. Kernels are pure functions over typed arrays: the op computes a geometry once,
 * allocates the outputs, and the kernel fills them. No kernel knows about tensors or autograd.
 *
 * Two implementations: `reference` (plain loops written like the equations, the oracle in tests,
 * float32 and float64) and `wasm` (WebAssembly SIMD with threads, float32 only; for float64 the
 * ops always use the reference kernels).
 */

/** A float buffer a kernel reads or writes. The wasm backend accepts only Float32Array. */
export type FloatArray = Float32Array | Float64Array;

/**
 * Geometry of one 2-D convolution, computed once by the op and shared by forward and backward kernels.
 * Padding is zero padding: `padTop`/`padLeft` rows/columns of zeros before the input; the amount after
 * is implied by `outHeight`/`outWidth` (which lets 'same' padding be asymmetric, as PyTorch does).
 * A 1-D convolution is a 2-D one with `inHeight = kernelHeight = outHeight = 1`.
 */
export interface Conv2dGeometry {
  batch: number; inChannels: number; outChannels: number; groups: number;
  inHeight: number; inWidth: number; outHeight: number; outWidth: number;
  kernelHeight: number; kernelWidth: number;
  strideH: number; strideW: number; padTop: number; padLeft: number; dilationH: number; dilationW: number;
}

/** Geometry of one 2-D pooling window sweep (max or average). Padding as in Conv2dGeometry. */
export interface Pool2dGeometry {
  batch: number; channels: number;
  inHeight: number; inWidth: number; outHeight: number; outWidth: number;
  kernelHeight: number; kernelWidth: number;
  strideH: number; strideW: number; padTop: number; padLeft: number; dilationH: number; dilationW: number;
}

/**
 * Geometry of a batched matrix product out[b] = op(A[b]) · op(B[b]) with op = transpose when the flag is set.
 * Layouts (row-major): A is [batch, m, k] (or [batch, k, m] when transA), B is [batch, k, n]
 * (or [batch, n, k] when transB), out is [batch, m, n]. `batchA`/`batchB` of 0 mean that operand
 * is shared by every batch entry (stride 0), which is how a weight matrix is applied to a batch.
 */
export interface MatmulGeometry {
  batch: number; m: number; k: number; n: number;
  transA: boolean; transB: boolean;
  /** 1 when A has its own matrix per batch entry, 0 when one matrix is broadcast. */
  batchA: 0 | 1;
  /** 1 when B has its own matrix per batch entry, 0 when one matrix is broadcast. */
  batchB: 0 | 1;
}

/**
 * Geometry of the per-channel kernels (batch normalization): x is [batch, channels, spatial], where
 * spatial is every position of one channel's plane (H·W, or 1 for [N, C] inputs).
 */
export interface ChannelGeometry {
  batch: number; channels: number; spatial: number;
}

/** The extra term of channelAffine: + (x − center[c])·coef[c]. */
export interface ChannelAffineTerm {
  x: FloatArray; center: Float64Array; coef: Float64Array;
}

/** A per-channel affine map x·scale[c] + shift[c]: batch norm's forward pass. */
export interface ChannelAffineMap { scale: Float64Array; shift: Float64Array }

/** channelAffine's per-channel parameters, as batch norm derives them from channel statistics (term: the x of the call). */
export interface ChannelAffineParams {
  scale: Float64Array; shift: Float64Array; term: { center: Float64Array; coef: Float64Array } | null;
}

/**
 * An activation a kernel applies to its output before handing it back: the fused form of a layer
 * followed by ReLU, which saves the wasm backend copying the output out, back in and out again.
 */
export type Epilogue = 'relu' | null;

/** A convolution's forward arguments, as conv2dForward takes them (no epilogue: batch norm follows). */
export interface ConvForwardCall {
  g: Conv2dGeometry; x: FloatArray; w: FloatArray; bias: FloatArray | null; out: FloatArray;
}

/** Batch norm's training forward on the convolution's output, as normalizeChannels takes it. */
export interface NormalizeCall {
  g: ChannelGeometry; mean: Float64Array; squares: Float64Array;
  params: (mean: Float64Array, squares: Float64Array) => ChannelAffineMap; out: FloatArray; epilogue?: Epilogue;
}

/** Batch norm's input gradient, as normalizeChannelsBackward takes it (its dx is the convolution's dy). */
export interface NormalizeBackwardCall {
  g: ChannelGeometry; dy: FloatArray; x: FloatArray; relu: ChannelAffineMap | null; center: Float64Array;
  sums: Float64Array; dots: Float64Array; params: (sums: Float64Array, dots: Float64Array) => ChannelAffineParams;
}

/** A convolution's gradients, as conv2dBackward takes them (its dy is batch norm's dx, no mask). */
export interface ConvBackwardCall {
  g: Conv2dGeometry; x: FloatArray; w: FloatArray; dx: FloatArray | null; dw: FloatArray | null; db: Float64Array | null;
}

export interface Backend {
  readonly name: string;

  /** out = op(A)·op(B) per batch entry (overwrites out). */
  matmul(g: MatmulGeometry, a: FloatArray, b: FloatArray, out: FloatArray): void;

  // Layout: x [N, C, H, W], w [Cout, C/groups, kh, kw], bias [Cout] or null, out [N, Cout, Ho, Wo].
  /**
   * out[n,o,i,j] = bias[o] + Σ_{c in group, a, b} w[o,c,a,b] · x[n, c, i·sH − pT + a·dH, j·sW − pL + b·dW]
   * (overwrites out), then the epilogue (relu: exactly relu() of that output).
   */
  conv2dForward(g: Conv2dGeometry, x: FloatArray, w: FloatArray, bias: FloatArray | null, out: FloatArray, epilogue?: Epilogue): void;
  /** dx = ∂L/∂x given dy = ∂L/∂out, shapes as x and out (overwrites dx). Also the forward pass of ConvTranspose2d. */
  conv2dBackwardData(g: Conv2dGeometry, dy: FloatArray, w: FloatArray, dx: FloatArray): void;
  /** dw = ∂L/∂w, summed over batch and every output position (overwrites dw). */
  conv2dBackwardWeight(g: Conv2dGeometry, x: FloatArray, dy: FloatArray, dw: FloatArray): void;
  /**
   * A convolution layer's gradients in one call, dy read once: dy' = dy where mask > 0 (the gradient
   * of a fused ReLU whose output is mask; dy' = dy without one), then each of dx
   * (conv2dBackwardData(dy')), dw (conv2dBackwardWeight(x, dy')) and the bias gradient db[o] = Σ dy'
   * over the batch and the positions of channel o (float64, channelDots' sums), where not null.
   * The same results as reluBackward, those two calls and channelDots.
   */
  conv2dBackward(g: Conv2dGeometry, x: FloatArray, w: FloatArray, dy: FloatArray, mask: FloatArray | null,
    dx: FloatArray | null, dw: FloatArray | null, db: Float64Array | null): void;

  // Layout: x [N, C, H, W], out [N, C, Ho, Wo].
  /** out = window max; argmax[i] = flat index into the H·W plane of the chosen input (first max wins, padding is −∞). */
  maxPool2dForward(g: Pool2dGeometry, x: FloatArray, out: FloatArray, argmax: Int32Array): void;
  /** dx (overwritten, shape of x) gets dy routed to each window's argmax, summed where windows overlap. */
  maxPool2dBackward(g: Pool2dGeometry, dy: FloatArray, argmax: Int32Array, dx: FloatArray): void;
  /**
   * out = window mean. The divisor is the window's size clipped to the padded input when
   * countIncludePad (padding counts, positions past the padding made by ceilMode do not), or
   * the number of real input elements in the window when not, exactly as PyTorch's avg_pool2d.
   */
  avgPool2dForward(g: Pool2dGeometry, countIncludePad: boolean, x: FloatArray, out: FloatArray): void;
  /** dx (overwritten) = each dy spread evenly over its window with the same divisor as the forward pass. */
  avgPool2dBackward(g: Pool2dGeometry, countIncludePad: boolean, dy: FloatArray, dx: FloatArray): void;

  // Layout: [batch, channels, spatial]; per-channel results are float64, one value per channel.
  /** mean[c] = Σx / (batch·spatial) and squares[c] = Σ(x − mean[c])² over channel c. */
  channelMoments(g: ChannelGeometry, x: FloatArray, mean: Float64Array, squares: Float64Array): void;
  /** sums[c] = Σdy and dots[c] = Σ dy·(x − center[c]) over channel c. */
  channelDots(g: ChannelGeometry, dy: FloatArray, x: FloatArray, center: Float64Array, sums: Float64Array, dots: Float64Array): void;
  /** out = src·scale[c] + shift[c] (+ (x − center[c])·coef[c] with `term`), channel by channel (overwrites out), then the epilogue. */
  channelAffine(g: ChannelGeometry, src: FloatArray, scale: Float64Array, shift: Float64Array, term: ChannelAffineTerm | null, out: FloatArray, epilogue?: Epilogue): void;

  /**
   * Batch norm's training forward in one call, x read once: channelMoments(x) into mean and squares,
   * then channelAffine(x, params(mean, squares), epilogue) into out. Same results as those calls.
   */
  normalizeChannels(g: ChannelGeometry, x: FloatArray, mean: Float64Array, squares: Float64Array,
    params: (mean: Float64Array, squares: Float64Array) => { scale: Float64Array; shift: Float64Array }, out: FloatArray, epilogue?: Epilogue): void;
  /**
   * Batch norm's input gradient in one call, each array read once: dy' = dy where the fused ReLU's
   * output is positive (dy' = dy without a fused ReLU), channelDots(dy', x, center) into sums and
   * dots, then dx = channelAffine(dy', params(sums, dots)) with the term on x. The ReLU's output is
   * not passed: `relu` is the forward pass's affine map, and the output is positive exactly where
   * channelAffine(x, relu.scale, relu.shift) is, which the backend recomputes from x rather than
   * reading (and, in wasm, copying in) one more array. Same results as channelAffine, reluBackward,
   * channelDots and channelAffine.
   */
  normalizeChannelsBackward(g: ChannelGeometry, dy: FloatArray, x: FloatArray, relu: ChannelAffineMap | null, center: Float64Array,
    sums: Float64Array, dots: Float64Array, params: (sums: Float64Array, dots: Float64Array) => ChannelAffineParams, dx: FloatArray): void;

  /**
   * A convolution followed by batch norm's training forward (and its ReLU) in one call:
   * conv2dForward(conv) into conv.out, which batch norm's backward needs, then normalizeChannels
   * of conv.out into norm.out. Same results as those two calls; the wasm backend normalizes the
   * convolution's output where it computed it, instead of copying it back in.
   */
  conv2dNormalize(conv: ConvForwardCall, norm: NormalizeCall): void;
  /**
   * Batch norm's input gradient followed by the convolution's gradients in one call:
   * normalizeChannelsBackward(norm) into a gradient of the convolution's output that stays inside
   * the call, then conv2dBackward(conv) with it as dy. Same results as those two calls.
   */
  normalizeConv2dBackward(norm: NormalizeBackwardCall, conv: ConvBackwardCall): void;

  /** out = max(x, 0) elementwise, NaN kept (overwrites out). */
  relu(x: FloatArray, out: FloatArray): void;
  /** dx = dy where x > 0, +0 elsewhere (overwrites dx). */
  reluBackward(dy: FloatArray, x: FloatArray, dx: FloatArray): void;
}
