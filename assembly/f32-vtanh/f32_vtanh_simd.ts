import { storeTail } from "../common";
import { vexpm1 } from "../vexp";

/**
 * y[i] = tanh(x[i]) over `n` floats, as sign(x)·(-m / (2 + m)) with m = expm1(-2|x|): no
 * cancellation near 0, nothing to overflow for large |x| (m is clamped at expm1(-20), which
 * is -1 in float32). NaN stays NaN, ±0 keep their sign, ±Infinity give ±1. x and y may alias.
 */
export function f32_vtanh_simd(x: usize, y: usize, n: i32): void {
  assert(x != 0 && y != 0);
  assert(n >= 0);
  for (let i = 0; i < n; i += 4) {
    const v = v128.load(x + (<usize>i << 2)); // whole vectors, the tail too: blocks carry slack
    const m = vexpm1(f32x4.pmax(f32x4.mul(f32x4.abs(v), f32x4.splat(-2)), f32x4.splat(-20)));
    const t = f32x4.div(f32x4.neg(m), f32x4.add(m, f32x4.splat(2)));
    // |t| with x's sign bit.
    const r = v128.or(f32x4.abs(t), v128.and(v, f32x4.splat(-0.0)));
    if (i + 4 <= n) v128.store(y + (<usize>i << 2), r);
    else storeTail(y + (<usize>i << 2), r, n - i);
  }
}
