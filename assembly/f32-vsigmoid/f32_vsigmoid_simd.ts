import { storeTail } from "../common";
import { vexpNeg } from "../vexp";

/**
 * y[i] = sigmoid(x[i]) = 1 / (1 + e^-x) over `n` floats, or with `swish` set, Keras's swish
 * (SiLU) x·sigmoid(x). From e = e^-|x| ∈ (0, 1], so nothing overflows: x > 0 gives
 * 1 / (1 + e), otherwise e / (1 + e). NaN stays NaN; ±Infinity give 1 and 0 (swish: +∞, and
 * NaN for -∞, since -∞·0 is NaN in TensorFlow's formula too). x and y may alias.
 */
export function f32_vsigmoid_simd(x: usize, y: usize, n: i32, swish: i32): void {
  assert(x != 0 && y != 0);
  assert(n >= 0);
  const one = f32x4.splat(1);
  const byX = i32x4.splat(swish != 0 ? -1 : 0);
  // One loop body for whole vectors and the tail (a whole-vector load: blocks carry 16 bytes
  // of slack); the exp polynomial is then in the module once.
  for (let i = 0; i < n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const e = vexpNeg(f32x4.neg(f32x4.abs(v)));
    const num = v128.bitselect(one, e, f32x4.gt(v, f32x4.splat(0)));
    const s = f32x4.mul(f32x4.div(num, f32x4.add(e, one)), v128.bitselect(v, one, byX));
    if (i + 4 <= n) v128.store(y + (<usize>i << 2), s);
    else storeTail(y + (<usize>i << 2), s, n - i);
  }
}
