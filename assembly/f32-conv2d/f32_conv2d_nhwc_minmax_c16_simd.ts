import { clampMinMax, storeTail } from "../common";

/**
 * Direct conv2d on NHWC input with an HWIO filter, vectorised over output channels:
 * 16 output channels (four f32x4 accumulators) per step, then 4 at a time, then a
 * masked tail. Padding taps are skipped rather than read, so any pad, stride or
 * dilation is safe. Bias (b = 0 for none) seeds the accumulators and the clamp to
 * [outMin, outMax] is applied before the store, so fused conv+bias+relu costs one pass.
 *
 * Computes output rows [r0, r1) of the flattened (batch × outHeight) range.
 */
export function f32_conv2d_nhwc_minmax_c16_simd(
  x: usize, w: usize, b: usize, y: usize,
  h: i32, wd: i32, ci: i32,
  ho: i32, wo: i32, co: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  padTop: i32, padLeft: i32,
  outMin: f32, outMax: f32,
  r0: i32, r1: i32,
): void {
  const vlo = f32x4.splat(outMin);
  const vhi = f32x4.splat(outMax);
  const zero = f32x4.splat(0);
  const inPixel = <usize>ci << 2;
  const outPixel = <usize>co << 2;
  const filterRow = <usize>co << 2; // bytes between consecutive input channels of one tap
  const filterTap = <usize>ci * filterRow;
  for (let r = r0; r < r1; r++) {
    const n = r / ho;
    const oy = r - n * ho;
    const iy0 = oy * sh - padTop;
    const xImage = x + <usize>(n * h) * <usize>wd * inPixel;
    let yp = y + <usize>r * <usize>wo * outPixel;
    for (let ox = 0; ox < wo; ox++, yp += outPixel) {
      const ix0 = ox * sw - padLeft;
      let c = 0;
      for (; c + 16 <= co; c += 16) {
        const cOff = <usize>c << 2;
        let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
        if (b) {
          a0 = v128.load(b + cOff, 0);
          a1 = v128.load(b + cOff, 16);
          a2 = v128.load(b + cOff, 32);
          a3 = v128.load(b + cOff, 48);
        }
        for (let ky = 0; ky < kh; ky++) {
          const iy = iy0 + ky * dh;
          if (<u32>iy >= <u32>h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ix0 + kx * dw;
            if (<u32>ix >= <u32>wd) continue;
            let xp = xImage + (<usize>iy * <usize>wd + <usize>ix) * inPixel;
            let wp = w + <usize>(ky * kw + kx) * filterTap + cOff;
            for (let k = 0; k < ci; k++, xp += 4, wp += filterRow) {
              const xv = v128.load32_splat(xp);
              a0 = f32x4.add(a0, f32x4.mul(xv, v128.load(wp, 0)));
              a1 = f32x4.add(a1, f32x4.mul(xv, v128.load(wp, 16)));
              a2 = f32x4.add(a2, f32x4.mul(xv, v128.load(wp, 32)));
              a3 = f32x4.add(a3, f32x4.mul(xv, v128.load(wp, 48)));
            }
          }
        }
        v128.store(yp + cOff, clampMinMax(a0, vlo, vhi), 0);
        v128.store(yp + cOff, clampMinMax(a1, vlo, vhi), 16);
        v128.store(yp + cOff, clampMinMax(a2, vlo, vhi), 32);
        v128.store(yp + cOff, clampMinMax(a3, vlo, vhi), 48);
      }
      for (; c < co; c += 4) {
        const cOff = <usize>c << 2;
        // Whole-vector loads at the tail read at most 12 bytes past the filter and bias,
        // inside the 16-byte slack every block carries.
        let a0 = b ? v128.load(b + cOff) : zero;
        for (let ky = 0; ky < kh; ky++) {
          const iy = iy0 + ky * dh;
          if (<u32>iy >= <u32>h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ix0 + kx * dw;
            if (<u32>ix >= <u32>wd) continue;
            let xp = xImage + (<usize>iy * <usize>wd + <usize>ix) * inPixel;
            let wp = w + <usize>(ky * kw + kx) * filterTap + cOff;
            for (let k = 0; k < ci; k++, xp += 4, wp += filterRow) {
              a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(xp), v128.load(wp)));
            }
          }
        }
        a0 = clampMinMax(a0, vlo, vhi);
        if (c + 4 <= co) v128.store(yp + cOff, a0);
        else storeTail(yp + cOff, a0, co - c);
      }
    }
  }
}
