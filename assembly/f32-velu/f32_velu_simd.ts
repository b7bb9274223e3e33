import { storeTail } from "../common";
import { vexpm1 } from "../vexp";

/**
 * ELU family over `n` floats: x < 0 ? alpha·expm1(x) : beta·x, as TensorFlow.js writes elu
 * (alpha = beta = 1) and selu (alpha = scale·α, beta = scale), so -0 gives -0. NaN stays NaN,
 * -Infinity gives -alpha. x and y may alias.
 */
export function f32_velu_simd(x: usize, y: usize, n: i32, alpha: f32, beta: f32): void {
  assert(x != 0 && y != 0);
  assert(n >= 0);
  const va = f32x4.splat(alpha);
  const vb = f32x4.splat(beta);
  for (let i = 0; i < n; i += 4) {
    const v = v128.load(x + (<usize>i << 2)); // whole vectors, the tail too: blocks carry slack
    const neg = f32x4.mul(va, vexpm1(f32x4.pmax(v, f32x4.splat(-20))));
    const r = v128.bitselect(neg, f32x4.mul(vb, v), f32x4.lt(v, f32x4.splat(0)));
    if (i + 4 <= n) v128.store(y + (<usize>i << 2), r);
    else storeTail(y + (<usize>i << 2), r, n - i);
  }
}
