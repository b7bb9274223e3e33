import { isAligned16 } from "../common";

/**
 * Packs an HWIO filter and its bias for f32_conv2d_nhwc_minmax_2x4_dot_simd: per group of 4
 * output channels, [bias(4), then per channel c < 4: kh rows of the kw·ci weights of filter row
 * ky, each zero-padded to a whole vector], zero past co. `b` = 0 means no bias. Once per filter.
 */
export function f32_packw_hwio_dot4(w: usize, b: usize, packed: usize, kh: i32, kw: i32, ci: i32, co: i32): void {
  // Preconditions (debug builds only): the kernel loads whole vectors from `packed`.
  assert(w != 0 && isAligned16(packed));
  assert(kh > 0 && kw > 0 && ci > 0 && co > 0);
  const run = kw * ci;
  const padded = (run + 3) & ~3;
  let out = packed;
  for (let g = 0; g < co; g += 4) {
    for (let c = 0; c < 4; c++) store<f32>(out + (<usize>c << 2), b && g + c < co ? load<f32>(b + (<usize>(g + c) << 2)) : 0);
    out += 16;
    for (let c = 0; c < 4; c++) {
      for (let ky = 0; ky < kh; ky++, out += <usize>padded << 2) {
        for (let j = 0; j < padded; j++) {
          const v: f32 = g + c < co && j < run ? load<f32>(w + (<usize>((ky * run + j) * co + g + c) << 2)) : 0;
          store<f32>(out + (<usize>j << 2), v);
        }
      }
    }
  }
}
