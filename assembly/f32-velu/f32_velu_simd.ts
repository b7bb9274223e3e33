import { storeTail } from "../common";
import { select, vexpm1 } from "../vexp";

/** v < 0 ? alpha·expm1(v) : beta·v. */
// @ts-ignore: decorator
@inline function elu(v: v128, va: v128, vb: v128): v128 {
  const neg = f32x4.mul(va, vexpm1(f32x4.pmax(v, f32x4.splat(-20))));
  return select(neg, f32x4.mul(vb, v), f32x4.lt(v, f32x4.splat(0)));
}

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
  // Two vectors a step, so the exp's long dependency chains overlap.
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const p = <usize>i << 2;
    const a = elu(v128.load(x + p), va, vb);
    const b = elu(v128.load(x + p, 16), va, vb);
    v128.store(y + p, a);
    v128.store(y + p, b, 16);
  }
  // The rest a vector at a time, the last one a whole-vector load (blocks carry 16 bytes of slack).
  for (; i < n; i += 4) {
    const r = elu(v128.load(x + (<usize>i << 2)), va, vb);
    if (i + 4 <= n) v128.store(y + (<usize>i << 2), r);
    else storeTail(y + (<usize>i << 2), r, n - i);
  }
}
