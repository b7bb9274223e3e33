import { storeTail } from "../common";

/**
 * Average pooling over NHWC, vectorised over channels, for output rows [r0, r1) of the
 * flattened (batch × outHeight) range. Padding taps are left out of both the sum and the
 * count, as in TensorFlow; a window of padding only gives 0·(1/0) = NaN, as tfjs-cpu's 0/0.
 * The sum is multiplied by 1/count, as XNNPACK (tfjs-backend-wasm) does. Four channel
 * vectors a step share each tap's address arithmetic.
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
  const rowBytes = <usize>w * pixelBytes;
  for (let r = r0; r < r1; r++) {
    const b = r / ho;
    const oy = r - b * ho;
    const iy0 = oy * sh - padTop;
    const ky0 = max(0, -iy0);
    const ky1 = min(fh, h - iy0);
    const xImage = x + <usize>(b * h) * rowBytes;
    let yp = y + <usize>r * <usize>wo * pixelBytes;
    for (let ox = 0; ox < wo; ox++, yp += pixelBytes) {
      const ix0 = ox * sw - padLeft;
      const kx0 = max(0, -ix0);
      const kx1 = min(fw, w - ix0);
      const scale = f32x4.splat(1 / <f32>(max(0, ky1 - ky0) * max(0, kx1 - kx0)));
      // The window's first tap at channel 0, and its size in bytes across and down.
      const first = xImage + <usize>(iy0 + ky0) * rowBytes + <usize>(ix0 + kx0) * pixelBytes;
      const across = <usize>max(0, kx1 - kx0) * pixelBytes;
      const down = <usize>max(0, ky1 - ky0) * rowBytes;
      let ch = 0;
      for (; ch + 16 <= c; ch += 16) {
        let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
        const off = <usize>ch << 2;
        for (let row = first + off, end = first + off + down; row < end; row += rowBytes) {
          for (let p = row, pend = row + across; p < pend; p += pixelBytes) {
            a0 = f32x4.add(a0, v128.load(p));
            a1 = f32x4.add(a1, v128.load(p, 16));
            a2 = f32x4.add(a2, v128.load(p, 32));
            a3 = f32x4.add(a3, v128.load(p, 48));
          }
        }
        v128.store(yp + off, f32x4.mul(a0, scale));
        v128.store(yp + off, f32x4.mul(a1, scale), 16);
        v128.store(yp + off, f32x4.mul(a2, scale), 32);
        v128.store(yp + off, f32x4.mul(a3, scale), 48);
      }
      // The rest a vector at a time; the last one reads a whole vector (blocks carry slack).
      for (; ch < c; ch += 4) {
        let acc = f32x4.splat(0);
        const off = <usize>ch << 2;
        for (let row = first + off, end = first + off + down; row < end; row += rowBytes) {
          for (let p = row, pend = row + across; p < pend; p += pixelBytes) acc = f32x4.add(acc, v128.load(p));
        }
        acc = f32x4.mul(acc, scale);
        if (ch + 4 <= c) v128.store(yp + off, acc);
        else storeTail(yp + off, acc, c - ch);
      }
    }
  }
}
