/**
 * The gather of a 1×1 conv at stride (sh, sw) with no padding: each output pixel's input is
 * one pixel's ci floats, copied to one contiguous row of ci floats, for output rows
 * rowBase + [r0, r1) of the flattened (batch × outHeight) range. Row rowBase + r goes to
 * `col` + r·wo·ci floats. The strided conv is then the plain GEMM over the gathered pixels
 * (f32_gemm_minmax_6x8_splat_simd), at the GEMM's speed; the copy is ci floats per
 * ci·co multiply-adds.
 */
export function f32_im2col_nhwc_1x1(
  x: usize, col: usize,
  h: i32, wd: i32, ci: i32,
  ho: i32, wo: i32,
  sh: i32, sw: i32, rowBase: i32,
  r0: i32, r1: i32,
): void {
  // Preconditions (debug builds only): every tap lies inside the image (no padding).
  assert(x != 0 && col != 0);
  assert(h > 0 && wd > 0 && ci > 0 && ho >= 0 && wo >= 0);
  assert(sh > 0 && sw > 0 && rowBase >= 0);
  assert((ho - 1) * sh < h && (wo - 1) * sw < wd);
  assert(0 <= r0 && r0 <= r1);
  const inPixel = <usize>ci << 2;
  const step = <usize>sw * inPixel;
  const tail = inPixel - 16;
  for (let r = rowBase + r0; r < rowBase + r1; r++) {
    const n = r / ho;
    const iy = (r - n * ho) * sh;
    let p = x + (<usize>(n * h + iy) * <usize>wd) * inPixel;
    let q = col + <usize>(r - rowBase) * <usize>wo * inPixel;
    if (ci >= 4) {
      for (let ox = 0; ox < wo; ox++, p += step, q += inPixel) {
        let k: usize = 0;
        for (; k + 16 <= inPixel; k += 16) v128.store(q + k, v128.load(p + k));
        // The last 4 floats as one vector, overlapping the copy before it.
        if (k < inPixel) v128.store(q + tail, v128.load(p + tail));
      }
    } else {
      for (let ox = 0; ox < wo; ox++, p += step, q += inPixel) {
        for (let k: usize = 0; k < inPixel; k += 4) store<f32>(q + k, load<f32>(p + k));
      }
    }
  }
}
