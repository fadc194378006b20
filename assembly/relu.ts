// ReLU forward and backward over flat arrays, branch-free: out keeps x where x > 0 or x is NaN
// (as PyTorch), dx keeps dy where x > 0; +0 elsewhere. Threads split the flat range in fours.
import { f4 } from './simd';
import { beginSegments, nextSegment, segLo, segHi } from './partition';

/** args: length, x, out. */
export function reluForward(args: usize, tid: i32, nth: i32): void {
  const len = load<i32>(args), x = load<usize>(args, 4), out = load<usize>(args, 8);
  const zero = f32x4.splat(0);
  beginSegments(tid, nth, 1, len, 4);
  while (nextSegment()) {
    let i = segLo;
    for (; i + 4 <= segHi; i += 4) {
      const v = v128.load(x + f4(i));
      v128.store(out + f4(i), v128.and(v, v128.or(f32x4.gt(v, zero), f32x4.ne(v, v))));
    }
    for (; i < segHi; i++) {
      const v = load<f32>(x + f4(i));
      store<f32>(out + f4(i), v > 0 || v != v ? v : 0);
    }
  }
}

/** args: length, dy, x, dx. */
export function reluBackward(args: usize, tid: i32, nth: i32): void {
  const len = load<i32>(args), dy = load<usize>(args, 4), x = load<usize>(args, 8), dx = load<usize>(args, 12);
  const zero = f32x4.splat(0);
  beginSegments(tid, nth, 1, len, 4);
  while (nextSegment()) {
    let i = segLo;
    for (; i + 4 <= segHi; i += 4) {
      v128.store(dx + f4(i), v128.and(v128.load(dy + f4(i)), f32x4.gt(v128.load(x + f4(i)), zero)));
    }
    for (; i < segHi; i++) store<f32>(dx + f4(i), load<f32>(x + f4(i)) > 0 ? load<f32>(dy + f4(i)) : 0);
  }
}
