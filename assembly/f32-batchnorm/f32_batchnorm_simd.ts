import { storeTail } from "../common";

/**
 * Batch normalisation at inference over rows of `c` floats, rows [r0, r1):
 * y = (x - mean[j])·scale[j] + offset[j], where the caller folds scale = γ / √(variance + ε)
 * in float64. The same order of operations as TensorFlow.js's kernel. x and y may alias.
 */
export function f32_batchnorm_simd(
  x: usize, mean: usize, scale: usize, offset: usize, y: usize, c: i32, r0: i32, r1: i32,
): void {
  assert(x != 0 && mean != 0 && scale != 0 && y != 0);
  assert(c > 0);
  assert(0 <= r0 && r0 <= r1);
  const rowBytes = <usize>c << 2;
  for (let r = r0; r < r1; r++) {
    const xr = x + <usize>r * rowBytes;
    const yr = y + <usize>r * rowBytes;
    let j = 0;
    for (; j + 4 <= c; j += 4) {
      const o = <usize>j << 2;
      const d = f32x4.sub(v128.load(xr + o), v128.load(mean + o));
      v128.store(yr + o, f32x4.add(f32x4.mul(d, v128.load(scale + o)), v128.load(offset + o)));
    }
    if (j < c) {
      const o = <usize>j << 2;
      const d = f32x4.sub(v128.load(xr + o), v128.load(mean + o));
      storeTail(yr + o, f32x4.add(f32x4.mul(d, v128.load(scale + o)), v128.load(offset + o)), c - j);
    }
  }
}
