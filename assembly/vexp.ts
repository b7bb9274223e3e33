// Vector e^z - 1 and e^z for the transcendental kernels (sigmoid, tanh, elu, softmax).
//
// Range reduction: z = n·ln2 + r with n = round(z·log2e) and |r| ≤ ln2/2, r computed with a
// two-part ln2 (Cody–Waite; ln2Hi has 16 significant bits, so n·ln2Hi is exact for |n| < 256).
// expm1(r) is its Taylor series to r^7: the truncation error, r^8/8! ≤ 5.3e-9, is well
// below float32's half ulp of expm1(r) for |r| ≤ 0.347. Measured maximum
// errors against float64 are in docs/kernels.md.

const LOG2E: f32 = 1.44269504;
const LN2_HI: f32 = 0.693145752; // 0x3F317200
const LN2_LO: f32 = 1.42860677e-6;

/** expm1(r) for |r| ≤ ln2/2. */
// @ts-ignore: decorator
@inline function expm1Reduced(r: v128): v128 {
  let p = f32x4.splat(1.0 / 5040.0);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 720.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 120.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 24.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 6.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(0.5));
  // r + r²·p: the leading term is added last, so small results keep their relative accuracy.
  return f32x4.add(f32x4.mul(f32x4.mul(r, r), p), r);
}

/** 2^n for integer lanes n in [-126, 127]. */
// @ts-ignore: decorator
@inline function pow2(n: v128): v128 {
  return i32x4.shl(i32x4.add(n, i32x4.splat(127)), 23);
}

/**
 * e^z - 1 for z in [-20, 0] (callers clamp; below -20 the float32 result is -1 anyway).
 * NaN stays NaN: nearest(NaN) converts to n = 0 and r = NaN.
 */
// @ts-ignore: decorator
@inline export function vexpm1(z: v128): v128 {
  const nf = f32x4.nearest(f32x4.mul(z, f32x4.splat(LOG2E)));
  const r = f32x4.sub(f32x4.sub(z, f32x4.mul(nf, f32x4.splat(LN2_HI))), f32x4.mul(nf, f32x4.splat(LN2_LO)));
  const s = pow2(i32x4.trunc_sat_f32x4_s(nf));
  // 2^n·expm1(r) + (2^n - 1): exact at n = 0, where cancellation would otherwise cost most.
  return f32x4.add(f32x4.mul(s, expm1Reduced(r)), f32x4.sub(s, f32x4.splat(1)));
}

/**
 * e^z for z ≤ 0, down to the subnormals: z is clamped at -104 (e^-104 rounds to 0), and 2^n
 * is applied in two halves so that n down to -150 scales without leaving the normal range
 * before the last multiply. NaN stays NaN.
 */
// @ts-ignore: decorator
@inline export function vexpNeg(z: v128): v128 {
  const zc = f32x4.pmax(z, f32x4.splat(-104)); // pmax keeps NaN (its first operand)
  const nf = f32x4.nearest(f32x4.mul(zc, f32x4.splat(LOG2E)));
  const r = f32x4.sub(f32x4.sub(zc, f32x4.mul(nf, f32x4.splat(LN2_HI))), f32x4.mul(nf, f32x4.splat(LN2_LO)));
  const n = i32x4.trunc_sat_f32x4_s(nf);
  const n1 = i32x4.shr_s(n, 1);
  const e = f32x4.add(expm1Reduced(r), f32x4.splat(1));
  return f32x4.mul(f32x4.mul(e, pow2(n1)), pow2(i32x4.sub(n, n1)));
}
