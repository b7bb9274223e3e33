import { madd } from "./common";

// Vector e^z - 1 and e^z for the transcendental kernels (sigmoid, tanh, elu, softmax).
//
// Range reduction: z = n·ln2 + r with n = round(z·log2e) and |r| ≤ ln2/2. n is rounded by
// adding 1.5·2^23 ("magic"): the sum's low mantissa bits then hold n plus a bias chosen by the
// caller, so shifting its bits left by 23 gives 2^(n + bias) with no float-to-int conversion
// (i32x4.trunc_sat and f32x4.nearest cost several instructions each in V8 on x64). r uses a
// two-part ln2 (Cody–Waite; LN2_HI has 16 significant bits, so n·LN2_HI is exact for
// |n| < 256).
//
// expm1(r) = r + r²·q(r), q of degree 4, fitted for the least maximum relative error of
// expm1 on [-ln2/2, ln2/2] (Lawson's reweighted least squares in float64, then rounded to
// float32): 1.7e-8 relative, 0.29 of float32's 2^-24. Measured maximum errors against float64
// are in docs/kernels.md.

const LOG2E: f32 = 1.44269504;
const LN2_HI: f32 = 0.693145752; // 0x3F317200
const LN2_LO: f32 = 1.42860677e-6;
const MAGIC: f32 = 12582912.0; // 1.5·2^23
const C2: f32 = 0.4999999701976776; // 0x1.fffffep-2
const C3: f32 = 0.1666654348373413; // 0x1.5554b0p-3
const C4: f32 = 0.04166720062494278; // 0x1.555674p-5
const C5: f32 = 0.008366547524929047; // 0x1.1227b0p-7
const C6: f32 = 0.0013882515486329794; // 0x1.6bebfcp-10

/**
 * a where mask's lanes are all ones, else b (mask lanes must be all ones or all zeros, as a
 * compare gives). The relaxed build uses one blend instruction instead of and/andnot/or.
 */
// @ts-ignore: decorator
@inline export function select(a: v128, b: v128, mask: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return i32x4.relaxed_laneselect(a, b, mask);
  return v128.bitselect(a, b, mask);
}

/** r = z - n·ln2, for n (a float holding an integer) = round(z·log2e). */
// @ts-ignore: decorator
@inline function reduce(z: v128, n: v128): v128 {
  return madd(n, f32x4.splat(-LN2_LO), madd(n, f32x4.splat(-LN2_HI), z));
}

/** q(r) ≈ (e^r - 1 - r) / r² for |r| ≤ ln2/2. */
// @ts-ignore: decorator
@inline function q(r: v128): v128 {
  let p = madd(f32x4.splat(C6), r, f32x4.splat(C5));
  p = madd(p, r, f32x4.splat(C4));
  p = madd(p, r, f32x4.splat(C3));
  return madd(p, r, f32x4.splat(C2));
}

/**
 * e^z - 1 for z in [-20, 0] (callers clamp; below -17.4 the float32 result is -1 anyway).
 * NaN stays NaN: it reaches r, whatever the shift makes of it.
 */
// @ts-ignore: decorator
@inline export function vexpm1(z: v128): v128 {
  const biased = madd(z, f32x4.splat(LOG2E), f32x4.splat(MAGIC + 127));
  const s = i32x4.shl(biased, 23); // 2^n
  const r = reduce(z, f32x4.sub(biased, f32x4.splat(MAGIC + 127)));
  const t = f32x4.mul(r, s);
  // 2^n·(r + r²q) + (2^n - 1): exact at n = 0, where cancellation would otherwise cost most.
  return f32x4.add(madd(f32x4.mul(q(r), r), t, t), f32x4.sub(s, f32x4.splat(1)));
}

/**
 * e^z for z ≤ 0, down to the subnormals: z is clamped at -104 (e^-104 rounds to 0), and the
 * result is made as e^z·2^64, which stays normal down to n = -150, then scaled by 2^-64 in one
 * last multiply, which rounds once into the subnormals. NaN stays NaN.
 */
// @ts-ignore: decorator
@inline export function vexpNeg(z: v128): v128 {
  const zc = f32x4.pmax(z, f32x4.splat(-104)); // pmax keeps NaN (its first operand)
  const biased = madd(zc, f32x4.splat(LOG2E), f32x4.splat(MAGIC + 127 + 64));
  const s = i32x4.shl(biased, 23); // 2^(n + 64)
  const r = reduce(zc, f32x4.sub(biased, f32x4.splat(MAGIC + 127 + 64)));
  // 2^(n+64)·e^r = s + (r·s)·(1 + r·q(r))
  const e = madd(f32x4.mul(r, s), madd(q(r), r, f32x4.splat(1)), s);
  return f32x4.mul(e, f32x4.splat(5.421010862427522e-20)); // 2^-64
}
