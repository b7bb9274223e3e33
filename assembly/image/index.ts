/**
 * Image kernels for simdconv/image in Node: drawing a one-channel float map as 8-bit levels.
 * A module of its own (build/image/simdconv-image.wasm, embedded in the image bundle only), so
 * the ops' builds and their size budget do not carry it. It owns its memory: the caller copies
 * rows in, calls, and copies levels out (src/image/kernels_wasm.ts), so it works with any
 * tensor memory, shared or not. Every result is bit for bit the JavaScript fallback's
 * (src/image/colormap.ts): the level arithmetic is float64, as JavaScript's.
 */

/** Smallest and largest sort key seen by f32_keyhist_hi since the last reset. */
let minKey: u32 = 0xffffffff;
let maxKey: u32 = 0;

export function keyhist_reset(): void {
  minKey = 0xffffffff;
  maxKey = 0;
}
export function keyhist_min(): u32 {
  return minKey;
}
export function keyhist_max(): u32 {
  return maxKey;
}

/**
 * The sort key of float32 bits: unsigned order is the floats' order (negatives' bits
 * flipped, positives' sign bit set).
 */
// @ts-ignore: decorator
@inline function sortKey(v: u32): u32 {
  return v & 0x80000000 ? ~v : v | 0x80000000;
}

/**
 * Counts the `n` floats at `x` by the top 16 bits of their sort keys into the 65536 u32 at
 * `hist`, leaving out NaN and ±Infinity; tracks the smallest and largest key. Returns how many
 * were counted.
 */
export function f32_keyhist_hi(x: usize, n: i32, hist: usize): i32 {
  let count = 0;
  let lo = minKey, hi = maxKey;
  for (let i = 0; i < n; i++) {
    const v = load<u32>(x + (<usize>i << 2));
    if ((v & 0x7f800000) == 0x7f800000) continue;
    const k = sortKey(v);
    const h = hist + (<usize>(k >>> 16) << 2);
    store<u32>(h, load<u32>(h) + 1);
    count++;
    if (k < lo) lo = k;
    if (k > hi) hi = k;
  }
  minKey = lo;
  maxKey = hi;
  return count;
}

// @ts-ignore: decorator
@inline function countLow(k: u32, b0: u32, b1: u32, b2: u32, b3: u32, lows: usize, count: u32 = 1): void {
  const top = k >>> 16;
  const s: usize = top == b0 ? 0 : top == b1 ? 1 : top == b2 ? 2 : top == b3 ? 3 : 4;
  if (s == 4) return;
  const h = lows + (s << 18) + (<usize>(k & 0xffff) << 2);
  store<u32>(h, load<u32>(h) + count);
}

/**
 * The second pass of the selection: for each finite float at `x` whose key's top 16 bits are
 * one of the bins b0..b3 (unused ones 0x10000, which no key has), counts its low 16 bits into
 * that bin's 65536 u32 at `lows + slot * 262144`. Four keys a step are made and compared in
 * SIMD; the few in a wanted bin (about 1 in 100) are counted one by one.
 */
export function f32_keyhist_lo(x: usize, n: i32, b0: u32, b1: u32, b2: u32, b3: u32, lows: usize): void {
  const exp = i32x4.splat(0x7f800000), sign = i32x4.splat(0x80000000);
  const v0 = i32x4.splat(b0), v1 = i32x4.splat(b1), v2 = i32x4.splat(b2), v3 = i32x4.splat(b3);
  let zeros = i32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const key = v128.xor(v, v128.or(i32x4.shr_s(v, 31), sign));
    const top = i32x4.shr_u(key, 16);
    const wanted = v128.or(v128.or(i32x4.eq(top, v0), i32x4.eq(top, v1)), v128.or(i32x4.eq(top, v2), i32x4.eq(top, v3)));
    // NaN and ±Infinity have the largest or smallest keys' bins, which a wanted rank can share: masked out.
    let hit = v128.andnot(wanted, i32x4.eq(v128.and(v, exp), exp));
    // +0 (key 0x80000000), half a ReLU map, is counted in a vector: a lane's −1 a zero.
    const zero = v128.and(hit, i32x4.eq(key, sign));
    zeros = i32x4.add(zeros, zero);
    hit = v128.andnot(hit, zero);
    if (!v128.any_true(hit)) continue;
    for (let j = 0; j < 4; j++) {
      const u = load<u32>(x + (<usize>(i + j) << 2));
      if ((u & 0x7f800000) != 0x7f800000 && u != 0) countLow(sortKey(u), b0, b1, b2, b3, lows);
    }
  }
  const z = -(i32x4.extract_lane(zeros, 0) + i32x4.extract_lane(zeros, 1) + i32x4.extract_lane(zeros, 2) + i32x4.extract_lane(zeros, 3));
  if (z) countLow(0x80000000, b0, b1, b2, b3, lows, <u32>z);
  for (; i < n; i++) {
    const u = load<u32>(x + (<usize>i << 2));
    if ((u & 0x7f800000) != 0x7f800000) countLow(sortKey(u), b0, b1, b2, b3, lows);
  }
}

/**
 * Two levels of t = (x − lo) · scale in float64: 0 for t ≤ 0 and NaN, 255 for t ≥ 1, else
 * t · 255 rounded half up (floor(x + 0.5), less one where x + 0.5 itself rounded up).
 */
// @ts-ignore: decorator
@inline function level2(f: v128, lo: v128, scale: v128): v128 {
  const t = f64x2.mul(f64x2.sub(f, lo), scale);
  const x = f64x2.mul(t, f64x2.splat(255));
  let r = f64x2.floor(f64x2.add(x, f64x2.splat(0.5)));
  r = f64x2.sub(r, v128.and(f64x2.gt(f64x2.sub(r, x), f64x2.splat(0.5)), f64x2.splat(1)));
  r = v128.bitselect(r, f64x2.splat(255), f64x2.lt(t, f64x2.splat(1)));
  r = v128.and(r, f64x2.gt(t, f64x2.splat(0)));
  return i32x4.trunc_sat_f64x2_s_zero(r);
}

// @ts-ignore: decorator
@inline function level4(p: usize, lo: v128, scale: v128): v128 {
  const v = v128.load(p);
  const a = level2(f64x2.promote_low_f32x4(v), lo, scale);
  const b = level2(f64x2.promote_low_f32x4(v128.shuffle<i32>(v, v, 2, 3, 2, 3)), lo, scale);
  return v128.shuffle<i32>(a, b, 0, 1, 4, 5);
}

function level1(v: f32, lo: f64, scale: f64): u8 {
  const t = (<f64>v - lo) * scale;
  if (!(t > 0)) return 0;
  if (!(t < 1)) return 255;
  const x = t * 255;
  const r = Math.floor(x + 0.5);
  return <u8>(r - x > 0.5 ? r - 1 : r);
}

/** The levels (0–255) of the `n` floats at `x` into the bytes at `y`. */
export function f32_levels(x: usize, n: i32, lo: f64, scale: f64, y: usize): void {
  const vlo = f64x2.splat(lo), vscale = f64x2.splat(scale);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = x + (<usize>i << 2);
    const a = level4(p, vlo, vscale);
    const b = level4(p + 16, vlo, vscale);
    const c = level4(p + 32, vlo, vscale);
    const d = level4(p + 48, vlo, vscale);
    v128.store(y + <usize>i, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(a, b), i16x8.narrow_i32x4_s(c, d)));
  }
  for (; i < n; i++) store<u8>(y + <usize>i, level1(load<f32>(x + (<usize>i << 2)), lo, scale));
}

/**
 * One row of a box shrink: `acc[cell[u]] += table[levels[u]]` for the `n` levels at `levels`,
 * where `cell` holds a u32 output column per input column and `table` a u64 per level (its
 * colour's R, G and B 21 bits apart, so sums stay exact up to 8224 pixels a box).
 */
export function u8_boxsum_row(levels: usize, n: i32, cell: usize, table: usize, acc: usize): void {
  for (let u = 0; u < n; u++) {
    const a = acc + (<usize>load<u32>(cell + (<usize>u << 2)) << 3);
    store<u64>(a, load<u64>(a) + load<u64>(table + (<usize>load<u8>(levels + <usize>u) << 3)));
  }
}
