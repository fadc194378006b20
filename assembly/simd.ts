/** acc + a·b per lane: one fused instruction in the relaxed-SIMD build, a multiply and an add in the base build. */
@inline export function madd(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(f32x4.mul(a, b), acc);
}

/** Float offset → byte offset, in pointer arithmetic that does not overflow i32 on large buffers. */
@inline export function f4(floats: i32): usize {
  return <usize>floats << 2;
}
