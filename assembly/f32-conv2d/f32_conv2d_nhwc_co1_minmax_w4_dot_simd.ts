import { clampMinMax, madd } from "../common";

/**
 * conv2d with one output channel and any number of input channels (3→1 image filters, a
 * network's last 1-map conv), for width dilation 1: a filter row's kw·ci inputs are then one
 * contiguous run of NHWC memory, and so are its weights (HWIO with co = 1), so each output is
 * a dot product taken 4 floats per step, with no lane wasted on output channels that do not
 * exist (an 8-channel GEMM tile would use one lane of eight). 4 adjacent outputs per step
 * share the weight loads; their 4 accumulators are summed across lanes by one transpose.
 *
 * The last step of a filter row's run covers 1–4 floats: its inputs and weights are masked to
 * the run, so the floats read past it (at most 3, within the next pixel or the 16-byte slack
 * past a tensor) never reach a sum, even when they are infinite or NaN. Columns whose taps
 * reach into the left/right padding run one output at a time, skipping padding taps; rows in
 * the top/bottom padding are skipped. A row's result never depends on [r0, r1).
 */
export function f32_conv2d_nhwc_co1_minmax_w4_dot_simd(
  x: usize, w: usize, bias: f32, y: usize,
  h: i32, wd: i32, ci: i32, ho: i32, wo: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32,
  padTop: i32, padLeft: i32,
  outMin: f32, outMax: f32,
  r0: i32, r1: i32,
): void {
  // Preconditions (debug builds only).
  assert(x != 0 && w != 0 && y != 0);
  assert(h > 0 && wd > 0 && ci > 0 && ho >= 0 && wo >= 0);
  assert(kh > 0 && kw > 0 && sh > 0 && sw > 0 && dh > 0);
  assert(padTop >= 0 && padLeft >= 0);
  assert(!(outMin > outMax));
  assert(0 <= r0 && r0 <= r1);
  const vlo = f32x4.splat(outMin);
  const vhi = f32x4.splat(outMax);
  const vb = f32x4.splat(bias);
  const run = kw * ci; // floats of one filter row
  const runBytes = <usize>run << 2;
  const full = <usize>((run - 1) >> 2) << 4; // bytes of the whole steps before the last
  // Lanes of the last step that lie inside the run (1–4 of them).
  const rem = run - (<i32>full >> 2);
  const mask = i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(rem));
  const inPixel = <usize>ci << 2;
  const step = <usize>sw * inPixel;
  const rowBytes = <usize>wd * inPixel;
  // Interior columns: ox·sw - padLeft >= 0 and ox·sw - padLeft + kw <= wd.
  const oxIn0 = min(wo, (padLeft + sw - 1) / sw);
  const last = wd - kw + padLeft; // the largest ox·sw that fits
  const oxIn1 = max(oxIn0, last < 0 ? 0 : min(wo, last / sw + 1));
  for (let r = r0; r < r1; r++) {
    const n = r / ho;
    const iy0 = (r - n * ho) * sh - padTop;
    const xImage = x + <usize>(n * h) * rowBytes;
    const yRow = y + (<usize>r * <usize>wo << 2);
    let ox = oxIn0;
    for (; ox + 4 <= oxIn1; ox += 4) {
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      for (let ky = 0; ky < kh; ky++) {
        const iy = iy0 + ky * dh;
        if (<u32>iy >= <u32>h) continue;
        const p = xImage + <usize>iy * rowBytes + <usize>(ox * sw - padLeft) * inPixel;
        const wr = w + <usize>ky * runBytes;
        let k: usize = 0;
        for (; k < full; k += 16) {
          const wv = v128.load(wr + k);
          a0 = madd(v128.load(p + k), wv, a0);
          a1 = madd(v128.load(p + step + k), wv, a1);
          a2 = madd(v128.load(p + 2 * step + k), wv, a2);
          a3 = madd(v128.load(p + 3 * step + k), wv, a3);
        }
        const wv = v128.and(v128.load(wr + k), mask);
        a0 = madd(v128.and(v128.load(p + k), mask), wv, a0);
        a1 = madd(v128.and(v128.load(p + step + k), mask), wv, a1);
        a2 = madd(v128.and(v128.load(p + 2 * step + k), mask), wv, a2);
        a3 = madd(v128.and(v128.load(p + 3 * step + k), mask), wv, a3);
      }
      // Lane sums of a0..a3 into one vector [Σa0, Σa1, Σa2, Σa3].
      const s01 = f32x4.add(v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), v128.shuffle<f32>(a0, a1, 2, 6, 3, 7));
      const s23 = f32x4.add(v128.shuffle<f32>(a2, a3, 0, 4, 1, 5), v128.shuffle<f32>(a2, a3, 2, 6, 3, 7));
      const s = f32x4.add(v128.shuffle<f32>(s01, s23, 0, 1, 4, 5), v128.shuffle<f32>(s01, s23, 2, 3, 6, 7));
      v128.store(yRow + (<usize>ox << 2), clampMinMax(f32x4.add(s, vb), vlo, vhi));
    }
    // Border columns and the interior's last 0–3: one output each, padding taps skipped.
    for (let oxb = 0; oxb < wo; oxb++) {
      if (oxb == oxIn0) oxb = ox;
      if (oxb >= wo) break;
      let a = f32x4.splat(0);
      const ix0 = oxb * sw - padLeft;
      const inside = ix0 >= 0 && ix0 + kw <= wd;
      for (let ky = 0; ky < kh; ky++) {
        const iy = iy0 + ky * dh;
        if (<u32>iy >= <u32>h) continue;
        const xr = xImage + <usize>iy * rowBytes;
        const wr = w + <usize>ky * runBytes;
        if (inside) {
          const p = xr + <usize>ix0 * inPixel;
          let k: usize = 0;
          for (; k < full; k += 16) a = madd(v128.load(p + k), v128.load(wr + k), a);
          a = madd(v128.and(v128.load(p + k), mask), v128.and(v128.load(wr + k), mask), a);
          continue;
        }
        for (let kx = 0; kx < kw; kx++) {
          const ix = ix0 + kx;
          if (<u32>ix >= <u32>wd) continue;
          const p = xr + <usize>ix * inPixel;
          const wp = wr + <usize>kx * inPixel;
          for (let c: usize = 0; c < inPixel; c += 4) {
            a = madd(v128.load32_zero(p + c), v128.load32_zero(wp + c), a);
          }
        }
      }
      const s2 = f32x4.add(a, v128.shuffle<f32>(a, a, 2, 3, 0, 1));
      const s = f32x4.add(s2, v128.shuffle<f32>(s2, s2, 1, 0, 3, 2));
      v128.store32_lane(yRow + (<usize>oxb << 2), clampMinMax(f32x4.add(s, vb), vlo, vhi), 0);
    }
  }
}
