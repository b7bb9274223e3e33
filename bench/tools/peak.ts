// The one-core wasm SIMD peak: 12 independent f32x4 multiply-add chains, enough to hide
// the add latency, so the loop runs at the throughput of the FMA ports. Built by the bench
// (plain and relaxed), never part of the library.

// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Runs `iterations` × 12 vector multiply-adds: 96 flops per iteration. */
export function f32_peak_madd(iterations: i32, a: f32, b: f32): f32 {
  const va = f32x4.splat(a);
  const vb = f32x4.splat(b);
  let c0 = f32x4.splat(0), c1 = f32x4.splat(1), c2 = f32x4.splat(2), c3 = f32x4.splat(3);
  let c4 = f32x4.splat(4), c5 = f32x4.splat(5), c6 = f32x4.splat(6), c7 = f32x4.splat(7);
  let c8 = f32x4.splat(8), c9 = f32x4.splat(9), c10 = f32x4.splat(10), c11 = f32x4.splat(11);
  for (let i = 0; i < iterations; i++) {
    c0 = madd(c0, va, vb); c1 = madd(c1, va, vb); c2 = madd(c2, va, vb); c3 = madd(c3, va, vb);
    c4 = madd(c4, va, vb); c5 = madd(c5, va, vb); c6 = madd(c6, va, vb); c7 = madd(c7, va, vb);
    c8 = madd(c8, va, vb); c9 = madd(c9, va, vb); c10 = madd(c10, va, vb); c11 = madd(c11, va, vb);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)));
  const t = f32x4.add(f32x4.add(c8, c9), f32x4.add(c10, c11));
  return f32x4.extract_lane(f32x4.add(s, t), 0);
}

/**
 * A plain copy of `n` floats (n a multiple of 16), 4 vectors per step like the relu kernel:
 * the memory-speed yardstick for the memory-bound ops (bench/breakdown.mjs).
 */
export function f32_copy_simd(x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i += 16) {
    const p = x + (<usize>i << 2);
    const q = y + (<usize>i << 2);
    const a = v128.load(p, 0);
    const b = v128.load(p, 16);
    const c = v128.load(p, 32);
    const d = v128.load(p, 48);
    v128.store(q, a, 0);
    v128.store(q, b, 16);
    v128.store(q, c, 32);
    v128.store(q, d, 48);
  }
}
