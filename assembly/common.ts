// Helpers shared by every kernel. Kernels are pointer-only: they never allocate and hold
// no static data, so one module can be instantiated many times on one (shared) memory.

/** Clamp to [lo, hi] keeping NaN: pmax/pmin return their first operand when a compare is false. */
// @ts-ignore: decorator
@inline export function clampMinMax(v: v128, lo: v128, hi: v128): v128 {
  return f32x4.pmin(f32x4.pmax(v, lo), hi);
}

/** Store the first `rem` (1..3) lanes of `v` at `p`; kernels never write past a tensor's end. */
// @ts-ignore: decorator
@inline export function storeTail(p: usize, v: v128, rem: i32): void {
  if (rem & 2) {
    v128.store64_lane(p, v, 0);
    if (rem & 1) v128.store32_lane(p, v, 2, 8);
  } else {
    v128.store32_lane(p, v, 0);
  }
}
