import { storeTail } from "../common";
import { select, vexpNeg } from "../vexp";

/** sigmoid(v), times v for swish, from e = e^-|v| ∈ (0, 1]. */
// @ts-ignore: decorator
@inline function sigmoid(v: v128, swish: bool): v128 {
  const one = f32x4.splat(1);
  const e = vexpNeg(v128.or(v, f32x4.splat(-0.0))); // -|v|, NaN kept
  const s = f32x4.div(select(one, e, f32x4.gt(v, f32x4.splat(0))), f32x4.add(e, one));
  return swish ? f32x4.mul(s, v) : s;
}

/** The loop, for a constant `swish` (binaryen may merge the two copies with a select). */
// @ts-ignore: decorator
@inline function run(x: usize, y: usize, n: i32, swish: bool): void {
  // Two vectors a step, so the exp's long dependency chains overlap.
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const p = <usize>i << 2;
    const a = sigmoid(v128.load(x + p), swish);
    const b = sigmoid(v128.load(x + p, 16), swish);
    v128.store(y + p, a);
    v128.store(y + p, b, 16);
  }
  // The rest a vector at a time, the last one a whole-vector load (blocks carry 16 bytes of slack).
  for (; i < n; i += 4) {
    const s = sigmoid(v128.load(x + (<usize>i << 2)), swish);
    if (i + 4 <= n) v128.store(y + (<usize>i << 2), s);
    else storeTail(y + (<usize>i << 2), s, n - i);
  }
}

/**
 * y[i] = sigmoid(x[i]) = 1 / (1 + e^-x) over `n` floats, or with `swish` set, Keras's swish
 * (SiLU) x·sigmoid(x). From e = e^-|x| ∈ (0, 1], so nothing overflows: x > 0 gives
 * 1 / (1 + e), otherwise e / (1 + e). NaN stays NaN; ±Infinity give 1 and 0 (swish: +∞, and
 * NaN for -∞, since -∞·0 is NaN in TensorFlow's formula too). x and y may alias.
 */
export function f32_vsigmoid_simd(x: usize, y: usize, n: i32, swish: i32): void {
  assert(x != 0 && y != 0);
  assert(n >= 0);
  if (swish != 0) run(x, y, n, true);
  else run(x, y, n, false);
}
