// The convolution geometry of the current job, read once per task from the job block.
// Module globals are per instance, and every thread has its own instance, so this is thread-local.

export let N: i32 = 0;
export let C: i32 = 0;
export let CO: i32 = 0;
export let G: i32 = 1;
export let H: i32 = 0;
export let W: i32 = 0;
export let HO: i32 = 0;
export let WO: i32 = 0;
export let KH: i32 = 0;
export let KW: i32 = 0;
export let SH: i32 = 1;
export let SW: i32 = 1;
export let PT: i32 = 0;
export let PL: i32 = 0;
export let DH: i32 = 1;
export let DW: i32 = 1;
/** Channels per group in and out, output plane size, input plane size, kernel window size, GEMM depth. */
export let CIG: i32 = 0;
export let COG: i32 = 0;
export let P: i32 = 0;
export let HW: i32 = 0;
export let KHW: i32 = 0;
export let KG: i32 = 0;

/** Reads the 16 fields of Conv2dGeometry (backend.ts order) starting at `at`. */
export function readConvGeometry(at: usize): void {
  N = load<i32>(at, 0); C = load<i32>(at, 4); CO = load<i32>(at, 8); G = load<i32>(at, 12);
  H = load<i32>(at, 16); W = load<i32>(at, 20); HO = load<i32>(at, 24); WO = load<i32>(at, 28);
  KH = load<i32>(at, 32); KW = load<i32>(at, 36); SH = load<i32>(at, 40); SW = load<i32>(at, 44);
  PT = load<i32>(at, 48); PL = load<i32>(at, 52); DH = load<i32>(at, 56); DW = load<i32>(at, 60);
  CIG = C / G; COG = CO / G; P = HO * WO; HW = H * W; KHW = KH * KW; KG = CIG * KHW;
}

/** Reads the 14 fields of Pool2dGeometry (backend.ts order) into the same globals (C = channels, groups = channels). */
export function readPoolGeometry(at: usize): void {
  N = load<i32>(at, 0); C = load<i32>(at, 4); CO = C; G = C;
  H = load<i32>(at, 8); W = load<i32>(at, 12); HO = load<i32>(at, 16); WO = load<i32>(at, 20);
  KH = load<i32>(at, 24); KW = load<i32>(at, 28); SH = load<i32>(at, 32); SW = load<i32>(at, 36);
  PT = load<i32>(at, 40); PL = load<i32>(at, 44); DH = load<i32>(at, 48); DW = load<i32>(at, 52);
  CIG = 1; COG = 1; P = HO * WO; HW = H * W; KHW = KH * KW; KG = KHW;
}

/** True when the convolution is a plain matrix product per image: 1×1 window, stride 1, no padding. */
export function isPointwise(): bool {
  return KH == 1 && KW == 1 && SH == 1 && SW == 1 && PT == 0 && PL == 0 && HO == H && WO == W;
}
