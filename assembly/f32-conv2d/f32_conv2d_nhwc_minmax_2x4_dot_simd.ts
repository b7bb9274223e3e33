import { clampMinMax, isAligned16, madd, storeTail } from "../common";

/**
 * conv2d with 2–4 output channels (3→3 image filters, few-map heads), for width dilation 1: as
 * f32_conv2d_nhwc_co1_minmax_w4_dot_simd, each output is a dot product over each filter row's
 * contiguous kw·ci inputs, 4 floats per step, instead of an 8-channel GEMM tile with 2–4 lanes
 * used. A step is 2 output pixels × 4 channels (8 accumulators); each input vector is loaded
 * once for the 4 channels, and each pixel's 4 accumulators are summed across lanes by one
 * transpose into the pixel's 4 channels, stored as co lanes.
 *
 * Channels are taken 4 at a time (a group); `packed` (f32_packw_hwio_dot4) holds per group
 * [bias(4), then per channel c < 4: kh rows of kw·ci weights, each zero-padded to a whole
 * vector], zero past co. The inputs of a run's last step are masked
 * to the run, so floats read past it (at most 3, inside the next pixel or the 16-byte slack)
 * never reach a sum. Columns whose taps reach into the left/right padding and the last odd
 * interior column run one pixel at a time; rows in the top/bottom padding are skipped. A row's
 * result never depends on [r0, r1).
 */
export function f32_conv2d_nhwc_minmax_2x4_dot_simd(
  x: usize, packed: usize, y: usize,
  h: i32, wd: i32, ci: i32, ho: i32, wo: i32, co: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32,
  padTop: i32, padLeft: i32,
  outMin: f32, outMax: f32,
  r0: i32, r1: i32,
): void {
  // Preconditions (debug builds only).
  assert(x != 0 && isAligned16(packed) && y != 0);
  assert(h > 0 && wd > 0 && ci > 0 && ho >= 0 && wo >= 0 && co > 0);
  assert(kh > 0 && kw > 0 && sh > 0 && sw > 0 && dh > 0);
  assert(padTop >= 0 && padLeft >= 0);
  assert(!(outMin > outMax));
  assert(0 <= r0 && r0 <= r1);
  const vlo = f32x4.splat(outMin);
  const vhi = f32x4.splat(outMax);
  const run = kw * ci;
  const padded = <usize>((run + 3) >> 2) << 4; // bytes of one zero-padded weight row
  const full = padded - 16; // bytes of the whole steps before the last
  const rem = run - (<i32>full >> 2);
  const mask = i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(rem));
  const chanBytes = <usize>kh * padded;
  const groupBytes = 16 + 4 * chanBytes;
  const inPixel = <usize>ci << 2;
  const step = <usize>sw * inPixel;
  const rowBytes = <usize>wd * inPixel;
  const outPixel = <usize>co << 2;
  const oxIn0 = min(wo, (padLeft + sw - 1) / sw);
  const last = wd - kw + padLeft;
  const oxIn1 = max(oxIn0, last < 0 ? 0 : min(wo, last / sw + 1));
  for (let r = r0; r < r1; r++) {
    const n = r / ho;
    const iy0 = (r - n * ho) * sh - padTop;
    const xImage = x + <usize>(n * h) * rowBytes;
    for (let g = 0; g < co; g += 4) {
    const wg = packed + <usize>(g >> 2) * groupBytes;
    const vb = v128.load(wg);
    const w0 = wg + 16;
    const nc = min(4, co - g);
    const yRow = y + <usize>r * <usize>wo * outPixel + (<usize>g << 2);
    let ox = oxIn0;
    for (; ox + 2 <= oxIn1; ox += 2) {
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      let b0 = a0, b1 = a0, b2 = a0, b3 = a0;
      for (let ky = 0; ky < kh; ky++) {
        const iy = iy0 + ky * dh;
        if (<u32>iy >= <u32>h) continue;
        const p = xImage + <usize>iy * rowBytes + <usize>(ox * sw - padLeft) * inPixel;
        const q = p + step;
        const wr = w0 + <usize>ky * padded;
        let k: usize = 0;
        for (; k < full; k += 16) {
          const xa = v128.load(p + k);
          const xb = v128.load(q + k);
          const v0 = v128.load(wr + k);
          a0 = madd(xa, v0, a0);
          b0 = madd(xb, v0, b0);
          const v1 = v128.load(wr + chanBytes + k);
          a1 = madd(xa, v1, a1);
          b1 = madd(xb, v1, b1);
          const v2 = v128.load(wr + 2 * chanBytes + k);
          a2 = madd(xa, v2, a2);
          b2 = madd(xb, v2, b2);
          const v3 = v128.load(wr + 3 * chanBytes + k);
          a3 = madd(xa, v3, a3);
          b3 = madd(xb, v3, b3);
        }
        const xa = v128.and(v128.load(p + k), mask);
        const xb = v128.and(v128.load(q + k), mask);
        const v0 = v128.load(wr + k);
        a0 = madd(xa, v0, a0);
        b0 = madd(xb, v0, b0);
        const v1 = v128.load(wr + chanBytes + k);
        a1 = madd(xa, v1, a1);
        b1 = madd(xb, v1, b1);
        const v2 = v128.load(wr + 2 * chanBytes + k);
        a2 = madd(xa, v2, a2);
        b2 = madd(xb, v2, b2);
        const v3 = v128.load(wr + 3 * chanBytes + k);
        a3 = madd(xa, v3, a3);
        b3 = madd(xb, v3, b3);
      }
      const yp = yRow + <usize>ox * outPixel;
      storePixel(yp, sum4(a0, a1, a2, a3), vb, vlo, vhi, nc);
      storePixel(yp + outPixel, sum4(b0, b1, b2, b3), vb, vlo, vhi, nc);
    }
    // Border columns and the interior's last odd one: one pixel each, padding taps skipped.
    for (let oxb = 0; oxb < wo; oxb++) {
      if (oxb == oxIn0) oxb = ox;
      if (oxb >= wo) break;
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      const ix0 = oxb * sw - padLeft;
      const inside = ix0 >= 0 && ix0 + kw <= wd;
      for (let ky = 0; ky < kh; ky++) {
        const iy = iy0 + ky * dh;
        if (<u32>iy >= <u32>h) continue;
        const xr = xImage + <usize>iy * rowBytes;
        const wr = w0 + <usize>ky * padded;
        if (inside) {
          const p = xr + <usize>ix0 * inPixel;
          for (let k: usize = 0; k < padded; k += 16) {
            let xa = v128.load(p + k);
            if (k == full) xa = v128.and(xa, mask);
            a0 = madd(xa, v128.load(wr + k), a0);
            a1 = madd(xa, v128.load(wr + chanBytes + k), a1);
            a2 = madd(xa, v128.load(wr + 2 * chanBytes + k), a2);
            a3 = madd(xa, v128.load(wr + 3 * chanBytes + k), a3);
          }
          continue;
        }
        for (let kx = 0; kx < kw; kx++) {
          const ix = ix0 + kx;
          if (<u32>ix >= <u32>wd) continue;
          const p = xr + <usize>ix * inPixel;
          const wp = wr + <usize>kx * inPixel;
          for (let c: usize = 0; c < inPixel; c += 4) {
            const xa = v128.load32_zero(p + c);
            a0 = madd(xa, v128.load32_zero(wp + c), a0);
            a1 = madd(xa, v128.load32_zero(wp + chanBytes + c), a1);
            a2 = madd(xa, v128.load32_zero(wp + 2 * chanBytes + c), a2);
            a3 = madd(xa, v128.load32_zero(wp + 3 * chanBytes + c), a3);
          }
        }
      }
      storePixel(yRow + <usize>oxb * outPixel, sum4(a0, a1, a2, a3), vb, vlo, vhi, nc);
    }
    }
  }
}

/** [Σa0, Σa1, Σa2, Σa3]: the lane sums of four accumulators, by one transpose. */
// @ts-ignore: decorator
@inline function sum4(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const s01 = f32x4.add(v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), v128.shuffle<f32>(a0, a1, 2, 6, 3, 7));
  const s23 = f32x4.add(v128.shuffle<f32>(a2, a3, 0, 4, 1, 5), v128.shuffle<f32>(a2, a3, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(s01, s23, 0, 1, 4, 5), v128.shuffle<f32>(s01, s23, 2, 3, 6, 7));
}

/** One pixel's nc (1–4) channels of a group: bias, clamp, and a store of nc lanes only. */
// @ts-ignore: decorator
@inline function storePixel(p: usize, s: v128, vb: v128, vlo: v128, vhi: v128, nc: i32): void {
  const v = clampMinMax(f32x4.add(s, vb), vlo, vhi);
  if (nc == 4) v128.store(p, v);
  else storeTail(p, v, nc);
}
