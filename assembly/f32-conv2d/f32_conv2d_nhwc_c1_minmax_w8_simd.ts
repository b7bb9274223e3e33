import { clampMinMax, madd, storeTail } from "../common";

/**
 * conv2d with one input and one output channel (the image-filtering case), vectorised across
 * output width: 8 adjacent outputs (two f32x4) per step, each tap one unaligned load of 8
 * adjacent inputs, so a 3×3 filter costs 9 multiply-adds per 4 outputs. Needs stride 1 along
 * the width; any height stride, dilation and padding.
 *
 * Columns whose taps all lie inside the image run vectorised; the few border columns, whose
 * taps reach into the padding, run one output at a time, skipping padding taps. Taps in the
 * top/bottom padding are skipped. A row's result never depends on [r0, r1).
 */
export function f32_conv2d_nhwc_c1_minmax_w8_simd(
  x: usize, w: usize, bias: f32, y: usize,
  h: i32, wd: i32, ho: i32, wo: i32,
  kh: i32, kw: i32, sh: i32, dh: i32, dw: i32,
  padTop: i32, padLeft: i32,
  outMin: f32, outMax: f32,
  r0: i32, r1: i32,
): void {
  // Preconditions (debug builds only).
  assert(x != 0 && w != 0 && y != 0);
  assert(h > 0 && wd > 0 && ho >= 0 && wo >= 0);
  assert(kh > 0 && kw > 0 && sh > 0 && dh > 0 && dw > 0);
  assert(padTop >= 0 && padLeft >= 0);
  assert(!(outMin > outMax));
  assert(0 <= r0 && r0 <= r1);
  const vlo = f32x4.splat(outMin);
  const vhi = f32x4.splat(outMax);
  const vb = f32x4.splat(bias);
  // Interior columns: ox - padLeft >= 0 and ox - padLeft + (kw - 1)·dw < wd.
  const oxIn0 = min(max(padLeft, 0), wo);
  const oxIn1 = max(oxIn0, min(wo, wd - (kw - 1) * dw + padLeft));
  const rowBytes = <usize>wd << 2;
  // The 3×3 filter (dw = 1) lives in nine registers: no weight loads in the loop.
  const is3x3 = kh == 3 && kw == 3 && dw == 1;
  const w00 = v128.load32_splat(w, 0), w01 = v128.load32_splat(w, 4), w02 = v128.load32_splat(w, 8);
  const w10 = is3x3 ? v128.load32_splat(w, 12) : vb, w11 = is3x3 ? v128.load32_splat(w, 16) : vb;
  const w12 = is3x3 ? v128.load32_splat(w, 20) : vb, w20 = is3x3 ? v128.load32_splat(w, 24) : vb;
  const w21 = is3x3 ? v128.load32_splat(w, 28) : vb, w22 = is3x3 ? v128.load32_splat(w, 32) : vb;
  for (let r = r0; r < r1; r++) {
    const n = r / ho;
    const iy0 = (r - n * ho) * sh - padTop;
    const xImage = x + <usize>(n * h) * rowBytes;
    const yRow = y + (<usize>r * <usize>wo << 2);
    let ox = oxIn0;
    if (is3x3 && iy0 >= 0 && iy0 + 2 * dh < h) {
      // All three filter rows inside the image (every row but the padded top and bottom).
      const rowStep = <usize>dh * rowBytes;
      let p = xImage + <usize>iy0 * rowBytes + (<usize>(ox - padLeft) << 2);
      let yp = yRow + (<usize>ox << 2);
      for (; ox + 8 <= oxIn1; ox += 8, p += 32, yp += 32) {
        const q = p + rowStep;
        const s = q + rowStep;
        let a0 = madd(v128.load(p), w00, vb);
        let a1 = madd(v128.load(p, 16), w00, vb);
        a0 = madd(v128.load(p, 4), w01, a0);
        a1 = madd(v128.load(p, 20), w01, a1);
        a0 = madd(v128.load(p, 8), w02, a0);
        a1 = madd(v128.load(p, 24), w02, a1);
        a0 = madd(v128.load(q), w10, a0);
        a1 = madd(v128.load(q, 16), w10, a1);
        a0 = madd(v128.load(q, 4), w11, a0);
        a1 = madd(v128.load(q, 20), w11, a1);
        a0 = madd(v128.load(q, 8), w12, a0);
        a1 = madd(v128.load(q, 24), w12, a1);
        a0 = madd(v128.load(s), w20, a0);
        a1 = madd(v128.load(s, 16), w20, a1);
        a0 = madd(v128.load(s, 4), w21, a0);
        a1 = madd(v128.load(s, 20), w21, a1);
        a0 = madd(v128.load(s, 8), w22, a0);
        a1 = madd(v128.load(s, 24), w22, a1);
        v128.store(yp, clampMinMax(a0, vlo, vhi));
        v128.store(yp, clampMinMax(a1, vlo, vhi), 16);
      }
    }
    for (; ox + 8 <= oxIn1; ox += 8) {
      let a0 = vb, a1 = vb;
      for (let ky = 0; ky < kh; ky++) {
        const iy = iy0 + ky * dh;
        if (<u32>iy >= <u32>h) continue;
        let p = xImage + <usize>iy * rowBytes + (<usize>(ox - padLeft) << 2);
        let wp = w + (<usize>(ky * kw) << 2);
        for (let kx = 0; kx < kw; kx++, wp += 4, p += <usize>dw << 2) {
          const wv = v128.load32_splat(wp);
          a0 = madd(v128.load(p), wv, a0);
          a1 = madd(v128.load(p, 16), wv, a1);
        }
      }
      const yp = yRow + (<usize>ox << 2);
      v128.store(yp, clampMinMax(a0, vlo, vhi));
      v128.store(yp, clampMinMax(a1, vlo, vhi), 16);
    }
    for (; ox < oxIn1; ox += 4) {
      // Fewer than 8 interior columns left: 4 at a time; the last vector may read up to 3
      // floats past the interior (still inside the image or its 16-byte slack) and stores
      // only what it owns.
      let a0 = vb;
      for (let ky = 0; ky < kh; ky++) {
        const iy = iy0 + ky * dh;
        if (<u32>iy >= <u32>h) continue;
        let p = xImage + <usize>iy * rowBytes + (<usize>(ox - padLeft) << 2);
        let wp = w + (<usize>(ky * kw) << 2);
        for (let kx = 0; kx < kw; kx++, wp += 4, p += <usize>dw << 2) {
          a0 = madd(v128.load(p), v128.load32_splat(wp), a0);
        }
      }
      const yp = yRow + (<usize>ox << 2);
      if (ox + 4 <= oxIn1) v128.store(yp, clampMinMax(a0, vlo, vhi));
      else storeTail(yp, clampMinMax(a0, vlo, vhi), oxIn1 - ox);
    }
    // Border columns, one output each.
    for (let oxb = 0; oxb < wo; oxb++) {
      if (oxb == oxIn0) oxb = oxIn1;
      if (oxb >= wo) break;
      let s = bias;
      const ix0 = oxb - padLeft;
      for (let ky = 0; ky < kh; ky++) {
        const iy = iy0 + ky * dh;
        if (<u32>iy >= <u32>h) continue;
        const xr = xImage + <usize>iy * rowBytes;
        for (let kx = 0; kx < kw; kx++) {
          const ix = ix0 + kx * dw;
          if (<u32>ix >= <u32>wd) continue;
          s = fmaScalar(load<f32>(xr + (<usize>ix << 2)), load<f32>(w + (<usize>(ky * kw + kx) << 2)), s);
        }
      }
      store<f32>(yRow + (<usize>oxb << 2), f32x4.extract_lane(clampMinMax(f32x4.splat(s), vlo, vhi), 0));
    }
  }
}

/** The scalar twin of `madd`, lane 0 of the same vector op so border and interior agree. */
// @ts-ignore: decorator
@inline function fmaScalar(a: f32, b: f32, c: f32): f32 {
  return f32x4.extract_lane(madd(f32x4.splat(a), f32x4.splat(b), f32x4.splat(c)), 0);
}
