import { storeTail } from "../common";

/** x < 0 ? x·a : x, as TensorFlow.js's leakyRelu and prelu (NaN and -0 pass through). */
// @ts-ignore: decorator
@inline function vlrelu(x: v128, a: v128): v128 {
  return v128.bitselect(f32x4.mul(x, a), x, f32x4.lt(x, f32x4.splat(0)));
}

/** Leaky ReLU with one slope over `n` floats; x and y may alias. */
export function f32_vlrelu_simd(x: usize, y: usize, n: i32, alpha: f32): void {
  assert(x != 0 && y != 0);
  assert(n >= 0);
  const va = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    v128.store(y + (<usize>i << 2), vlrelu(v128.load(x + (<usize>i << 2)), va));
  }
  if (i < n) storeTail(y + (<usize>i << 2), vlrelu(v128.load(x + (<usize>i << 2)), va), n - i);
}

/**
 * PReLU: rows of `c` floats, slope alpha[j] for column j, over rows [r0, r1) (so calls can be
 * split across threads). x and y may alias.
 */
export function f32_vprelu_simd(x: usize, alpha: usize, y: usize, c: i32, r0: i32, r1: i32): void {
  assert(x != 0 && alpha != 0 && y != 0);
  assert(c > 0);
  assert(0 <= r0 && r0 <= r1);
  const rowBytes = <usize>c << 2;
  for (let r = r0; r < r1; r++) {
    const xr = x + <usize>r * rowBytes;
    const yr = y + <usize>r * rowBytes;
    let j = 0;
    for (; j + 4 <= c; j += 4) {
      const o = <usize>j << 2;
      v128.store(yr + o, vlrelu(v128.load(xr + o), v128.load(alpha + o)));
    }
    if (j < c) {
      const o = <usize>j << 2;
      storeTail(yr + o, vlrelu(v128.load(xr + o), v128.load(alpha + o)), c - j);
    }
  }
}
