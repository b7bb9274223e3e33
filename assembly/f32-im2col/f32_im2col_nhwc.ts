/**
 * Gathers each output pixel's receptive field into one contiguous row of K = kh·kw·ci floats
 * (the order of the HWIO filter's rows: ky, kx, ci), zeros for padding taps, for output rows
 * rowBase + [r0, r1) of the flattened (batch × outHeight) range. Row rowBase + r goes to
 * `col` + r·wo·K floats, so a caller can gather a chunk of rows into a small buffer. With few input channels a conv is then a plain GEMM with one unbroken K loop
 * (f32_gemm_minmax_4x8_splat_simd), instead of kh short runs of kw·ci per tile.
 */
export function f32_im2col_nhwc(
  x: usize, col: usize,
  h: i32, wd: i32, ci: i32,
  ho: i32, wo: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  padTop: i32, padLeft: i32, rowBase: i32,
  r0: i32, r1: i32,
): void {
  const inPixel = <usize>ci << 2;
  const runFloats = kw * ci;
  const zeroV = f32x4.splat(0);
  let q = col + <usize>r0 * <usize>wo * <usize>(kh * runFloats) * 4;
  for (let r = rowBase + r0; r < rowBase + r1; r++) {
    const n = r / ho;
    const iy0 = (r - n * ho) * sh - padTop;
    const xImage = x + <usize>(n * h) * <usize>wd * inPixel;
    for (let ox = 0; ox < wo; ox++) {
      const ix0 = ox * sw - padLeft;
      const inside = dw == 1 && ix0 >= 0 && ix0 + kw <= wd;
      for (let ky = 0; ky < kh; ky++) {
        const iy = iy0 + ky * dh;
        if (<u32>iy >= <u32>h) {
          let k = 0;
          for (; k + 4 <= runFloats; k += 4, q += 16) v128.store(q, zeroV);
          for (; k < runFloats; k++, q += 4) store<f32>(q, 0);
          continue;
        }
        const xRow = xImage + <usize>iy * <usize>wd * inPixel;
        if (inside) {
          // The filter row lies inside the image: kw·ci contiguous inputs.
          const p = xRow + <usize>ix0 * inPixel;
          let k = 0;
          for (; k + 4 <= runFloats; k += 4) v128.store(q + (<usize>k << 2), v128.load(p + (<usize>k << 2)));
          for (; k < runFloats; k++) store<f32>(q + (<usize>k << 2), load<f32>(p + (<usize>k << 2)));
          q += <usize>runFloats << 2;
          continue;
        }
        for (let kx = 0; kx < kw; kx++) {
          const ix = ix0 + kx * dw;
          if (<u32>ix < <u32>wd) {
            const p = xRow + <usize>ix * inPixel;
            for (let c = 0; c < ci; c++, q += 4) store<f32>(q, load<f32>(p + (<usize>c << 2)));
          } else {
            for (let c = 0; c < ci; c++, q += 4) store<f32>(q, 0);
          }
        }
      }
    }
  }
}
