// The benchmark's convolution shapes (NCHW, PyTorch conventions) and the data every peer gets.
import { randomFloats } from './timing.js';

export interface ConvShape {
  id: string;
  label: string;
  n: number; c: number; co: number; h: number; w: number;
  k: number; stride: number; pad: number; groups: number;
  /** Also timed forward + backward (input and weight gradients). */
  backward: boolean;
}

export const convShapes: ConvShape[] = [
  { id: 'S1', label: 'N64 1→6 5×5 p2 28²', n: 64, c: 1, co: 6, h: 28, w: 28, k: 5, stride: 1, pad: 2, groups: 1, backward: true },
  { id: 'S2', label: 'N64 6→16 5×5 14²', n: 64, c: 6, co: 16, h: 14, w: 14, k: 5, stride: 1, pad: 0, groups: 1, backward: true },
  { id: 'S3', label: 'N32 64→64 3×3 p1 32²', n: 32, c: 64, co: 64, h: 32, w: 32, k: 3, stride: 1, pad: 1, groups: 1, backward: true },
  { id: 'S4', label: 'N1 3→32 3×3 s2 p1 224²', n: 1, c: 3, co: 32, h: 224, w: 224, k: 3, stride: 2, pad: 1, groups: 1, backward: false },
  { id: 'S5', label: 'N1 dw32 3×3 p1 112²', n: 1, c: 32, co: 32, h: 112, w: 112, k: 3, stride: 1, pad: 1, groups: 32, backward: false },
  { id: 'S6', label: 'N1 64→128 1×1 56²', n: 1, c: 64, co: 128, h: 56, w: 56, k: 1, stride: 1, pad: 0, groups: 1, backward: false },
];

export function outSize(s: ConvShape): { oh: number; ow: number } {
  return { oh: Math.floor((s.h + 2 * s.pad - s.k) / s.stride) + 1, ow: Math.floor((s.w + 2 * s.pad - s.k) / s.stride) + 1 };
}

export interface ConvData {
  x: Float32Array; // [n, c, h, w]
  w: Float32Array; // [co, c/groups, k, k]
  b: Float32Array; // [co]
  dy: Float32Array; // [n, co, oh, ow], the upstream gradient for backward
}

export function convData(s: ConvShape): ConvData {
  const { oh, ow } = outSize(s);
  const seed = s.id.charCodeAt(1) * 7919;
  return {
    x: randomFloats(s.n * s.c * s.h * s.w, seed + 1),
    w: randomFloats(s.co * (s.c / s.groups) * s.k * s.k, seed + 2).map((v) => v * 0.2),
    b: randomFloats(s.co, seed + 3),
    dy: randomFloats(s.n * s.co * oh * ow, seed + 4),
  };
}

/** NCHW → NHWC (tfjs's layout). */
export function nchwToNhwc(a: Float32Array, n: number, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < n; i++) for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    out[((i * h + y) * w + x) * c + ch] = a[((i * c + ch) * h + y) * w + x]!;
  }
  return out;
}

/** NHWC → NCHW. */
export function nhwcToNchw(a: Float32Array, n: number, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < n; i++) for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    out[((i * c + ch) * h + y) * w + x] = a[((i * h + y) * w + x) * c + ch]!;
  }
  return out;
}

/** OIHW weights → tfjs's HWIO (conv2d) or HW·C·1 (depthwise, O = C·1). */
export function oihwToHwio(wt: Float32Array, o: number, i: number, kh: number, kw: number): Float32Array {
  const out = new Float32Array(wt.length);
  for (let a = 0; a < o; a++) for (let b = 0; b < i; b++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
    out[((y * kw + x) * i + b) * o + a] = wt[((a * i + b) * kh + y) * kw + x]!;
  }
  return out;
}

/** HWIO → OIHW (tfjs's weight gradient back to PyTorch's layout). */
export function hwioToOihw(wt: Float32Array, o: number, i: number, kh: number, kw: number): Float32Array {
  const out = new Float32Array(wt.length);
  for (let a = 0; a < o; a++) for (let b = 0; b < i; b++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
    out[((a * i + b) * kh + y) * kw + x] = wt[((y * kw + x) * i + b) * o + a]!;
  }
  return out;
}
