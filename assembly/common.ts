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

/**
 * a·b + c. The relaxed build fuses it (one rounding, and faster where the CPU has FMA); the
 * plain build rounds twice. Either way a result never depends on how work was split.
 */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Store the first `n` (1..8) floats of [v0, v1] at `p`. */
// @ts-ignore: decorator
@inline export function storeRow8(p: usize, v0: v128, v1: v128, n: i32): void {
  if (n == 8) {
    v128.store(p, v0);
    v128.store(p, v1, 16);
  } else if (n >= 4) {
    v128.store(p, v0);
    if (n > 4) storeTail(p + 16, v1, n - 4);
  } else {
    storeTail(p, v0, n);
  }
}

/** Input bytes a GEMM kernel keeps hot while it streams its packed blocks (about half an L2). */
export const CACHE_BYTES: usize = 256 << 10;

/**
 * For the kernels' assert() preconditions, which only debug builds keep (build/debug/; the
 * shipped builds pass --noAssert): packed weights and scratch come whole from the heap.
 */
// @ts-ignore: decorator
@inline export function isAligned16(p: usize): bool {
  return p != 0 && (p & 15) == 0;
}
