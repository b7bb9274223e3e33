import { clampMinMax, storeTail } from "../common";

/**
 * y[i] = min(max(x[i], lo), hi) over `n` floats. ReLU is clamp(0, +inf), ReLU6 clamp(0, 6).
 * NaN passes through and ±Infinity clamp as TensorFlow's relu does. x and y may alias.
 */
export function f32_vclamp_simd(x: usize, y: usize, n: i32, lo: f32, hi: f32): void {
  // Preconditions (debug builds only: shipped builds pass --noAssert). x and y may be any
  // float address: relu runs on chunks of a tensor.
  assert(x != 0 && y != 0);
  assert(n >= 0);
  assert(!(lo > hi));
  const vlo = f32x4.splat(lo);
  const vhi = f32x4.splat(hi);
  let i = 0;
  // 4 vectors per step keeps the loads in flight; the op is bound by memory bandwidth.
  for (; i + 16 <= n; i += 16) {
    const p = x + (<usize>i << 2);
    const q = y + (<usize>i << 2);
    const a = v128.load(p, 0);
    const b = v128.load(p, 16);
    const c = v128.load(p, 32);
    const d = v128.load(p, 48);
    v128.store(q, clampMinMax(a, vlo, vhi), 0);
    v128.store(q, clampMinMax(b, vlo, vhi), 16);
    v128.store(q, clampMinMax(c, vlo, vhi), 32);
    v128.store(q, clampMinMax(d, vlo, vhi), 48);
  }
  for (; i + 4 <= n; i += 4) {
    v128.store(y + (<usize>i << 2), clampMinMax(v128.load(x + (<usize>i << 2)), vlo, vhi));
  }
  if (i < n) {
    // One whole-vector load: blocks carry 16 bytes of slack past their end.
    storeTail(y + (<usize>i << 2), clampMinMax(v128.load(x + (<usize>i << 2)), vlo, vhi), n - i);
  }
}
