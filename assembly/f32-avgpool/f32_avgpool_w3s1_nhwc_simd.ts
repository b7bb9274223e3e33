import { storeTail } from "../common";

/** One output vector from column sums a, b, c (left, centre, right). */
// @ts-ignore: decorator
@inline function avg3(a: v128, b: v128, c: v128, scale: v128): v128 {
  return f32x4.mul(f32x4.add(f32x4.add(a, b), c), scale);
}

/**
 * Average pooling with windows 3 wide at stride 1 across, with SAME padding across (one pad
 * column each side, so the output row is as wide as the input's): any height and vertical
 * stride. Separable, in two passes over each output row, which serves as the scratch:
 *  1. the sums of each input column over the window's rows (a contiguous sum of whole input
 *     rows, vectorised as a copy is) are written to the output row;
 *  2. in place, channel vectors at a time, each output is the sum of three neighbouring column
 *     sums, which slide through registers (the row is in L1 by then).
 * An output vector costs 2 + 2 adds and 3 + 1 loads where the general kernel spends 8 and 9.
 * Padding taps are left out of the sum and the count; the sum is multiplied by 1/count. Rows
 * [r0, r1) of the (batch × outHeight) range.
 */
export function f32_avgpool_w3s1_nhwc_simd(
  x: usize, y: usize,
  h: i32, w: i32, c: i32,
  ho: i32, wo: i32,
  fh: i32, fw: i32, sh: i32, sw: i32,
  padTop: i32, padLeft: i32,
  r0: i32, r1: i32,
): void {
  assert(x != 0);
  assert(h > 0 && w > 0 && c > 0 && ho >= 0 && wo == w);
  assert(fh > 0 && fw == 3 && sh > 0 && sw == 1);
  assert(padTop >= 0 && padLeft == 1);
  assert(0 <= r0 && r0 <= r1);
  const pixelBytes = <usize>c << 2;
  const rowBytes = <usize>w * pixelBytes;
  const rowFloats = w * c;
  for (let r = r0; r < r1; r++) {
    const b = r / ho;
    const oy = r - b * ho;
    const iy0 = oy * sh - padTop;
    const ky0 = max(0, -iy0);
    const rows = max(0, min(fh, h - iy0) - ky0);
    const first = x + <usize>(b * h) * rowBytes + <usize>(iy0 + ky0) * rowBytes;
    const down = <usize>rows * rowBytes;
    const yr = y + <usize>r * rowBytes;
    // Pass 1: column sums, four vectors a step, then one (the tail's load reads into the slack).
    let j = 0;
    for (; j + 16 <= rowFloats; j += 16) {
      const o = <usize>j << 2;
      let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
      for (let p = first + o, end = first + o + down; p < end; p += rowBytes) {
        s0 = f32x4.add(s0, v128.load(p));
        s1 = f32x4.add(s1, v128.load(p, 16));
        s2 = f32x4.add(s2, v128.load(p, 32));
        s3 = f32x4.add(s3, v128.load(p, 48));
      }
      v128.store(yr + o, s0);
      v128.store(yr + o, s1, 16);
      v128.store(yr + o, s2, 32);
      v128.store(yr + o, s3, 48);
    }
    for (; j < rowFloats; j += 4) {
      const o = <usize>j << 2;
      let s = f32x4.splat(0);
      for (let p = first + o, end = first + o + down; p < end; p += rowBytes) s = f32x4.add(s, v128.load(p));
      if (j + 4 <= rowFloats) v128.store(yr + o, s);
      else storeTail(yr + o, s, rowFloats - j);
    }
    // Pass 2, in place: 1/count is 1/(2·rows) at the two ends, 1/(3·rows) between (w = 1: 1/rows).
    const rf = <f32>rows;
    const edge = f32x4.splat(1 / (<f32>min(2, w) * rf));
    const mid = f32x4.splat(1 / (3 * rf));
    const last = yr + <usize>(w - 1) * pixelBytes;
    const zero = f32x4.splat(0);
    let ch = 0;
    for (; ch + 8 <= c; ch += 8) {
      const at = <usize>ch << 2;
      let a0 = zero, a1 = zero;
      let b0 = v128.load(yr + at), b1 = v128.load(yr + at, 16);
      let scale = edge;
      let p = yr + at;
      for (const end = last + at; p < end; p += pixelBytes) {
        const c0 = v128.load(p + pixelBytes), c1 = v128.load(p + pixelBytes, 16);
        v128.store(p, avg3(a0, b0, c0, scale));
        v128.store(p, avg3(a1, b1, c1, scale), 16);
        a0 = b0; a1 = b1; b0 = c0; b1 = c1;
        scale = mid;
      }
      v128.store(p, avg3(a0, b0, zero, edge));
      v128.store(p, avg3(a1, b1, zero, edge), 16);
    }
    for (; ch < c; ch += 4) {
      // A tail vector's extra lanes read the next pixel (or the slack) and are never stored.
      const at = <usize>ch << 2;
      const n = min(4, c - ch);
      let a0 = zero;
      let b0 = v128.load(yr + at);
      let scale = edge;
      let p = yr + at;
      for (const end = last + at; p < end; p += pixelBytes) {
        const c0 = v128.load(p + pixelBytes);
        const s = avg3(a0, b0, c0, scale);
        if (n == 4) v128.store(p, s);
        else storeTail(p, s, n);
        a0 = b0; b0 = c0;
        scale = mid;
      }
      const s = avg3(a0, b0, zero, edge);
      if (n == 4) v128.store(p, s);
      else storeTail(p, s, n);
    }
  }
}
