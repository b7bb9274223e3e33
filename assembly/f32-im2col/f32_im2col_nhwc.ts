/**
 * Gathers each output pixel's receptive field into one contiguous row of K = kh·kw·ci floats
 * (the order of the HWIO filter's rows: ky, kx, ci), zeros for padding taps, for output rows
 * rowBase + [r0, r1) of the flattened (batch × outHeight) range. Row rowBase + r goes to
 * `col` + r·wo·K floats, so a caller can gather a chunk of rows into a small buffer. With few
 * input channels a conv is then a plain GEMM with one unbroken K loop
 * (f32_gemm_minmax_6x8_splat_simd), instead of kh short runs of kw·ci per tile.
 */
export function f32_im2col_nhwc(
  x: usize, col: usize,
  h: i32, wd: i32, ci: i32,
  ho: i32, wo: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  padTop: i32, padLeft: i32, rowBase: i32,
  r0: i32, r1: i32,
): void {
  // Preconditions (debug builds only).
  assert(x != 0 && col != 0);
  assert(h > 0 && wd > 0 && ci > 0 && ho >= 0 && wo >= 0);
  assert(kh > 0 && kw > 0 && sh > 0 && sw > 0 && dh > 0 && dw > 0);
  assert(padTop >= 0 && padLeft >= 0 && rowBase >= 0);
  assert(0 <= r0 && r0 <= r1);
  const inPixel = <usize>ci << 2;
  const runFloats = kw * ci;
  const runBytes = <usize>runFloats << 2;
  const kBytes = <usize>(kh * runFloats) << 2;
  const step = <usize>sw * inPixel;
  // Output columns whose filter row lies wholly inside the image: ix0 >= 0 and ix0 + kw <= wd.
  let oxLo = wo, oxHi = wo;
  if (dw == 1) {
    oxLo = min(wo, (padLeft + sw - 1) / sw);
    const last = wd - kw + padLeft; // the largest ox·sw that fits
    oxHi = last < 0 ? 0 : min(wo, last / sw + 1);
    if (oxHi < oxLo) oxHi = oxLo;
  }
  for (let r = rowBase + r0; r < rowBase + r1; r++) {
    const n = r / ho;
    const iy0 = (r - n * ho) * sh - padTop;
    const xImage = x + <usize>(n * h) * <usize>wd * inPixel;
    const qRow = col + <usize>(r - rowBase) * <usize>wo * kBytes;
    // One filter row at a time over the whole output row: the bounds are checked once per
    // row, and the inside columns are a plain strided copy (the col row stays in L1).
    for (let ky = 0; ky < kh; ky++) {
      const iy = iy0 + ky * dh;
      const qk = qRow + <usize>ky * runBytes;
      if (<u32>iy >= <u32>h) {
        for (let ox = 0; ox < wo; ox++) zeroRun(qk + <usize>ox * kBytes, runFloats);
        continue;
      }
      const xRow = xImage + <usize>iy * <usize>wd * inPixel;
      for (let ox = 0; ox < oxLo; ox++) edgeRun(xRow, qk + <usize>ox * kBytes, ox * sw - padLeft, wd, kw, dw, ci, inPixel);
      let p = xRow + <usize>(oxLo * sw - padLeft) * inPixel;
      let q = qk + <usize>oxLo * kBytes;
      if (runFloats >= 4) {
        const tail = runBytes - 16;
        for (let ox = oxLo; ox < oxHi; ox++, p += step, q += kBytes) {
          let k: usize = 0;
          for (; k + 16 <= runBytes; k += 16) v128.store(q + k, v128.load(p + k));
          // The last 4 floats as one vector, overlapping the copy before it.
          if (k < runBytes) v128.store(q + tail, v128.load(p + tail));
        }
      } else {
        for (let ox = oxLo; ox < oxHi; ox++, p += step, q += kBytes) {
          for (let k: usize = 0; k < runBytes; k += 4) store<f32>(q + k, load<f32>(p + k));
        }
      }
      for (let ox = oxHi; ox < wo; ox++) edgeRun(xRow, qk + <usize>ox * kBytes, ox * sw - padLeft, wd, kw, dw, ci, inPixel);
    }
  }
}

/** `floats` zeros at q: whole vectors, the last one overlapping, when there are at least 4. */
@inline function zeroRun(q: usize, floats: i32): void {
  if (floats < 4) {
    for (let k = 0; k < floats; k++) store<f32>(q + (<usize>k << 2), 0);
    return;
  }
  const bytes = <usize>floats << 2;
  const zero = f32x4.splat(0);
  for (let k: usize = 0; k + 16 <= bytes; k += 16) v128.store(q + k, zero);
  v128.store(q + bytes - 16, zero);
}

/** One filter row of a column that reaches into the left/right padding: tap by tap. */
function edgeRun(xRow: usize, q: usize, ix0: i32, wd: i32, kw: i32, dw: i32, ci: i32, inPixel: usize): void {
  for (let kx = 0; kx < kw; kx++) {
    const ix = ix0 + kx * dw;
    if (<u32>ix < <u32>wd) {
      const p = xRow + <usize>ix * inPixel;
      for (let c = 0; c < ci; c++, q += 4) store<f32>(q, load<f32>(p + (<usize>c << 2)));
    } else {
      zeroRun(q, ci);
      q += inPixel;
    }
  }
}
