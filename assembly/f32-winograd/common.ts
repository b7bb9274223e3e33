/**
 * What both Winograd kernels share: the float64 lanes their filter packers compute in, the
 * GEMM they run per transformed position, and the store of a part-filled output vector.
 */
import { madd, storeTail } from "../common";

/** Stores the first min(n, 4) lanes of v at p (an output tile's last channels). */
export function store4(p: usize, v: v128, n: i32): void {
  if (n >= 4) v128.store(p, v);
  else storeTail(p, v, n);
}

/** Channels 0–1 of 4 floats as a float64 pair. */
// @ts-ignore: decorator
@inline export function lo2(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

/** Channels 2–3 of 4 floats as a float64 pair. */
// @ts-ignore: decorator
@inline export function hi2(v: v128): v128 {
  return f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
}

/** Two float64 pairs (channels 0–1, 2–3) rounded once to 4 floats. */
// @ts-ignore: decorator
@inline export function round4(lo: v128, hi: v128): v128 {
  return i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/**
 * One block of 8 output channels at one position: M[t][0..8) = Σ_k V[t][k] · U[k][0..8), 4 tiles
 * a step on a 4×8 register tile. M rows for `tiles` tiles of V (`vRow` bytes apart, from `vp`) against the packed block `up`
 * (ci rows of 8 floats), into `mp` (32 bytes a tile). Tiles past the end re-read the last one;
 * their results land in M's padding. Not unrolled over k: a 2-channel unroll measured 12–18 %
 * slower on bench shapes 3–5.
 */
// @ts-ignore: decorator
@inline export function winogradGemm4x8(vp: usize, vRow: usize, tiles: i32, up: usize, ci: i32, mp: usize): void {
  for (let t = 0; t < tiles; t += 4) {
    let p0 = vp + <usize>t * vRow;
    let p1 = vp + <usize>min(t + 1, tiles - 1) * vRow;
    let p2 = vp + <usize>min(t + 2, tiles - 1) * vRow;
    let p3 = vp + <usize>min(t + 3, tiles - 1) * vRow;
    let w = up;
    let a00 = f32x4.splat(0), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
    for (let k = 0; k < ci; k++) {
      const w0 = v128.load(w), w1 = v128.load(w, 16);
      const x0 = v128.load32_splat(p0), x1 = v128.load32_splat(p1), x2 = v128.load32_splat(p2), x3 = v128.load32_splat(p3);
      a00 = madd(x0, w0, a00); a01 = madd(x0, w1, a01);
      a10 = madd(x1, w0, a10); a11 = madd(x1, w1, a11);
      a20 = madd(x2, w0, a20); a21 = madd(x2, w1, a21);
      a30 = madd(x3, w0, a30); a31 = madd(x3, w1, a31);
      p0 += 4; p1 += 4; p2 += 4; p3 += 4; w += 32;
    }
    const m = mp + <usize>t * 32;
    v128.store(m, a00); v128.store(m, a01, 16);
    v128.store(m, a10, 32); v128.store(m, a11, 48);
    v128.store(m, a20, 64); v128.store(m, a21, 80);
    v128.store(m, a30, 96); v128.store(m, a31, 112);
  }
}
