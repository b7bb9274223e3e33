import { storeTail } from "../common";

/** The max of a window's four vectors, folded from -inf in the general kernel's tap order. */
// @ts-ignore: decorator
@inline function max4(ninf: v128, a: v128, b: v128, c: v128, d: v128): v128 {
  return f32x4.pmax(f32x4.pmax(f32x4.pmax(f32x4.pmax(ninf, a), b), c), d);
}

/**
 * Max pooling with a 2×2 window at any stride where every window lies inside the image (no
 * padding taps), for output rows [r0, r1) of the flattened (batch × outHeight) range. The
 * common pool of a convnet; 16 channels (four vectors) per step, then 4, then a masked tail.
 * Same results as f32_maxpool_nhwc_simd: NaN never wins (pmax keeps its first operand).
 */
export function f32_maxpool_2x2_nhwc_simd(
  x: usize, y: usize,
  h: i32, w: i32, c: i32,
  ho: i32, wo: i32,
  sh: i32, sw: i32,
  r0: i32, r1: i32,
): void {
  // Preconditions (debug builds only): every window lies inside the image.
  assert(x != 0);
  assert(h > 0 && w > 0 && c > 0 && ho >= 0 && wo >= 0 && sh > 0 && sw > 0);
  assert((ho - 1) * sh + 2 <= h && (wo - 1) * sw + 2 <= w);
  assert(0 <= r0 && r0 <= r1);
  const pixelBytes = <usize>c << 2;
  const rowBytes = <usize>w * pixelBytes;
  const strideBytes = <usize>sw * pixelBytes;
  const ninf = f32x4.splat(-Infinity);
  for (let r = r0; r < r1; r++) {
    const b = r / ho;
    const oy = r - b * ho;
    let p0 = x + (<usize>(b * h + oy * sh)) * rowBytes;
    let yp = y + <usize>r * <usize>wo * pixelBytes;
    for (let ox = 0; ox < wo; ox++, p0 += strideBytes, yp += pixelBytes) {
      const p1 = p0 + rowBytes;
      let off: usize = 0;
      for (; off + 64 <= pixelBytes; off += 64) {
        const q00 = p0 + off;
        const q01 = q00 + pixelBytes;
        const q10 = p1 + off;
        const q11 = q10 + pixelBytes;
        const yq = yp + off;
        v128.store(yq, max4(ninf, v128.load(q00), v128.load(q01), v128.load(q10), v128.load(q11)));
        v128.store(yq, max4(ninf, v128.load(q00, 16), v128.load(q01, 16), v128.load(q10, 16), v128.load(q11, 16)), 16);
        v128.store(yq, max4(ninf, v128.load(q00, 32), v128.load(q01, 32), v128.load(q10, 32), v128.load(q11, 32)), 32);
        v128.store(yq, max4(ninf, v128.load(q00, 48), v128.load(q01, 48), v128.load(q10, 48), v128.load(q11, 48)), 48);
      }
      for (; off < pixelBytes; off += 16) {
        const q00 = p0 + off;
        const q10 = p1 + off;
        const m = max4(ninf, v128.load(q00), v128.load(q00 + pixelBytes), v128.load(q10), v128.load(q10 + pixelBytes));
        if (off + 16 <= pixelBytes) v128.store(yp + off, m);
        else storeTail(yp + off, m, <i32>((pixelBytes - off) >> 2));
      }
    }
  }
}
