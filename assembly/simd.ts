/** acc + a·b per lane: one fused instruction in the relaxed-SIMD build, a multiply and an add in the base build. */
@inline export function madd(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(f32x4.mul(a, b), acc);
}

/** Float offset → byte offset, in pointer arithmetic that does not overflow i32 on large buffers. */
@inline export function f4(floats: i32): usize {
  return <usize>floats << 2;
}

/**
 * Copies n floats with vector moves. memory.copy is a call into the engine, which costs more than
 * the copy itself for the short rows (tens of floats) that plane padding and row tails move.
 */
export function copyFloats(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = f4(i);
    v128.store(dst + o, v128.load(src + o));
    v128.store(dst + o, v128.load(src + o, 16), 16);
  }
  for (; i < n; i++) store<f32>(dst + f4(i), load<f32>(src + f4(i)));
}

/** Zeroes n floats with vector stores (see copyFloats). */
export function zeroFloats(dst: usize, n: i32): void {
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    v128.store(dst + f4(i), z);
    v128.store(dst + f4(i), z, 16);
  }
  for (; i < n; i++) store<f32>(dst + f4(i), 0);
}
