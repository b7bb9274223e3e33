import { storeTail } from "../common";

/**
 * Average pooling over NHWC, vectorised over channels, for output rows [r0, r1) of the
 * flattened (batch × outHeight) range. Padding taps are left out of both the sum and the
 * count, as in TensorFlow; a window of padding only gives 0/0 = NaN, as tfjs-cpu does.
 */
export function f32_avgpool_nhwc_simd(
  x: usize, y: usize,
  h: i32, w: i32, c: i32,
  ho: i32, wo: i32,
  fh: i32, fw: i32, sh: i32, sw: i32,
  padTop: i32, padLeft: i32,
  r0: i32, r1: i32,
): void {
  assert(x != 0);
  assert(h > 0 && w > 0 && c > 0 && ho >= 0 && wo >= 0);
  assert(fh > 0 && fw > 0 && sh > 0 && sw > 0);
  assert(padTop >= 0 && padLeft >= 0);
  assert(0 <= r0 && r0 <= r1);
  const pixelBytes = <usize>c << 2;
  for (let r = r0; r < r1; r++) {
    const b = r / ho;
    const oy = r - b * ho;
    const iy0 = oy * sh - padTop;
    const ky0 = max(0, -iy0);
    const ky1 = min(fh, h - iy0);
    const xImage = x + <usize>(b * h) * <usize>w * pixelBytes;
    let yp = y + <usize>r * <usize>wo * pixelBytes;
    for (let ox = 0; ox < wo; ox++, yp += pixelBytes) {
      const ix0 = ox * sw - padLeft;
      const kx0 = max(0, -ix0);
      const kx1 = min(fw, w - ix0);
      const count = f32x4.splat(<f32>(max(0, ky1 - ky0) * max(0, kx1 - kx0)));
      let ch = 0;
      for (; ch < c; ch += 4) {
        let acc = f32x4.splat(0);
        const off = <usize>ch << 2;
        for (let ky = ky0; ky < ky1; ky++) {
          let p = xImage + (<usize>(iy0 + ky) * <usize>w + <usize>(ix0 + kx0)) * pixelBytes + off;
          for (let kx = kx0; kx < kx1; kx++, p += pixelBytes) acc = f32x4.add(acc, v128.load(p));
        }
        acc = f32x4.div(acc, count);
        if (ch + 4 <= c) v128.store(yp + off, acc);
        else storeTail(yp + off, acc, c - ch);
      }
    }
  }
}
