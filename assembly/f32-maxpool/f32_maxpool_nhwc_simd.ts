import { storeTail } from "../common";

/**
 * Max pooling over NHWC, vectorised over channels, for output rows [r0, r1) of the
 * flattened (batch × outHeight) range, so callers can split rows across threads.
 * Padding taps are skipped, never compared, so padding never wins the max. Like
 * TensorFlow.js, a NaN input never wins either (pmax keeps its first operand), and a
 * window that covers only padding yields -Infinity.
 */
export function f32_maxpool_nhwc_simd(
  x: usize, y: usize,
  h: i32, w: i32, c: i32,
  ho: i32, wo: i32,
  fh: i32, fw: i32, sh: i32, sw: i32,
  padTop: i32, padLeft: i32,
  r0: i32, r1: i32,
): void {
  // Preconditions (debug builds only). y may wrap: a chunk from row r0 is aimed at dst - r0·rowBytes.
  assert(x != 0);
  assert(h > 0 && w > 0 && c > 0 && ho >= 0 && wo >= 0);
  assert(fh > 0 && fw > 0 && sh > 0 && sw > 0);
  assert(padTop >= 0 && padLeft >= 0);
  assert(0 <= r0 && r0 <= r1);
  const pixelBytes = <usize>c << 2;
  const ninf = f32x4.splat(-Infinity);
  for (let r = r0; r < r1; r++) {
    const b = r / ho;
    const oy = r - b * ho;
    const iy0 = oy * sh - padTop;
    // Valid filter rows: 0 <= iy0 + ky < h.
    const ky0 = max(0, -iy0);
    const ky1 = min(fh, h - iy0);
    const xImage = x + <usize>(b * h) * <usize>w * pixelBytes;
    let yp = y + <usize>r * <usize>wo * pixelBytes;
    for (let ox = 0; ox < wo; ox++, yp += pixelBytes) {
      const ix0 = ox * sw - padLeft;
      const kx0 = max(0, -ix0);
      const kx1 = min(fw, w - ix0);
      let ch = 0;
      if (ky1 - ky0 == 2 && kx1 - kx0 == 2) {
        // A whole 2×2 window (the common pool): four loads per vector, no loops over taps.
        // Same order as the general loop below ((0,0), (0,1), (1,0), (1,1)), same result.
        const p00 = xImage + (<usize>(iy0 + ky0) * <usize>w + <usize>(ix0 + kx0)) * pixelBytes;
        const p10 = p00 + <usize>w * pixelBytes;
        for (; ch + 4 <= c; ch += 4) {
          const off = <usize>ch << 2;
          let a = f32x4.pmax(ninf, v128.load(p00 + off));
          a = f32x4.pmax(a, v128.load(p00 + off + pixelBytes));
          a = f32x4.pmax(a, v128.load(p10 + off));
          v128.store(yp + off, f32x4.pmax(a, v128.load(p10 + off + pixelBytes)));
        }
      }
      // 16 channels (four vectors) per pass over the window: four independent pmax chains
      // and a quarter of the loop overhead, so the op runs at memory speed.
      for (; ch + 16 <= c; ch += 16) {
        let a0 = ninf, a1 = ninf, a2 = ninf, a3 = ninf;
        const off = <usize>ch << 2;
        for (let ky = ky0; ky < ky1; ky++) {
          let p = xImage + (<usize>(iy0 + ky) * <usize>w + <usize>(ix0 + kx0)) * pixelBytes + off;
          for (let kx = kx0; kx < kx1; kx++, p += pixelBytes) {
            a0 = f32x4.pmax(a0, v128.load(p));
            a1 = f32x4.pmax(a1, v128.load(p, 16));
            a2 = f32x4.pmax(a2, v128.load(p, 32));
            a3 = f32x4.pmax(a3, v128.load(p, 48));
          }
        }
        v128.store(yp + off, a0);
        v128.store(yp + off, a1, 16);
        v128.store(yp + off, a2, 32);
        v128.store(yp + off, a3, 48);
      }
      for (; ch < c; ch += 4) {
        let acc = ninf;
        const off = <usize>ch << 2;
        for (let ky = ky0; ky < ky1; ky++) {
          let p = xImage + (<usize>(iy0 + ky) * <usize>w + <usize>(ix0 + kx0)) * pixelBytes + off;
          for (let kx = kx0; kx < kx1; kx++, p += pixelBytes) {
            acc = f32x4.pmax(acc, v128.load(p));
          }
        }
        if (ch + 4 <= c) v128.store(yp + off, acc);
        else storeTail(yp + off, acc, c - ch);
      }
    }
  }
}
