// Winograd F(4×4, 3×3) for 3×3 stride-1 undilated convs with many channels: each 4×4 block of
// outputs is computed from a 6×6 block of inputs with 36 multiplies per (input channel, output
// channel) pair instead of 144 (F(2×2,3×3): 64). Three steps per tile-row (a row of 4×4 tiles):
//   V = Bᵀ d B   input transform of each 6×6 input tile, every input channel → scratch
//   M = V · U    36 GEMMs [tiles × ci]·[ci × co] (U = G g Gᵀ, the transformed filter, packed)
//   y = Aᵀ M A   output transform, + bias, clamp, masked store of the 4×4 outputs
// with the interpolation points 0, ±1, ±2, ∞:
//   Bᵀ = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
//   G  = [¼ 0 0; -⅙ -⅙ -⅙; -⅙ ⅙ -⅙; 1/24 1/12 ⅙; 1/24 -1/12 ⅙; 0 0 1]
//   Aᵀ = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
// The layout and the cut into work units are F(2×2,3×3)'s (f32_winograd_2x2_3x3.ts) with 36
// positions and tile-rows of four output rows.
import { clampMinMax, isAligned16, madd } from "../common";
import { hi2, lo2, round4, store4, winogradGemm4x8 } from "./common";

/**
 * Row i of G applied to (a, b, d), two channels at a time in float64: with s = a + d and
 * t = a + 4d, (a/4, (s + b)·(-1/6), (s - b)·(-1/6), (t + 2b)·(1/24), (t - 2b)·(1/24), d).
 * Multiplies by the float64 reciprocals, not divides: packing a model's filters is 4–5× faster.
 */
// @ts-ignore: decorator
@inline function gRow2(i: i32, a: v128, b: v128, d: v128): v128 {
  if (i == 0) return f64x2.mul(a, f64x2.splat(0.25));
  if (i == 1) return f64x2.mul(f64x2.add(f64x2.add(a, d), b), f64x2.splat(-1.0 / 6));
  if (i == 2) return f64x2.mul(f64x2.sub(f64x2.add(a, d), b), f64x2.splat(-1.0 / 6));
  if (i == 3) return f64x2.mul(f64x2.add(f64x2.add(a, f64x2.mul(d, f64x2.splat(4))), f64x2.mul(b, f64x2.splat(2))), f64x2.splat(1.0 / 24));
  if (i == 4) return f64x2.mul(f64x2.sub(f64x2.add(a, f64x2.mul(d, f64x2.splat(4))), f64x2.mul(b, f64x2.splat(2))), f64x2.splat(1.0 / 24));
  return d;
}

/** Row i of G applied to (a, b, d): the same float64 operations as gRow2, one channel. */
// @ts-ignore: decorator
@inline function gRow(i: i32, a: f64, b: f64, d: f64): f64 {
  if (i == 0) return a * 0.25;
  if (i == 1) return (a + d + b) * (-1.0 / 6);
  if (i == 2) return (a + d - b) * (-1.0 / 6);
  if (i == 3) return (a + d * 4 + b * 2) * (1.0 / 24);
  if (i == 4) return (a + d * 4 - b * 2) * (1.0 / 24);
  return d;
}

/** A row (t0, t1, t2) of G·g times Gᵀ, 4 channels as float64 pairs (l, h): 6 positions pos bytes apart from p. */
// @ts-ignore: decorator
@inline function row6(p: usize, pos: usize, t0l: v128, t1l: v128, t2l: v128, t0h: v128, t1h: v128, t2h: v128): void {
  v128.store(p, round4(gRow2(0, t0l, t1l, t2l), gRow2(0, t0h, t1h, t2h)));
  v128.store(p + pos, round4(gRow2(1, t0l, t1l, t2l), gRow2(1, t0h, t1h, t2h)));
  v128.store(p + 2 * pos, round4(gRow2(2, t0l, t1l, t2l), gRow2(2, t0h, t1h, t2h)));
  v128.store(p + 3 * pos, round4(gRow2(3, t0l, t1l, t2l), gRow2(3, t0h, t1h, t2h)));
  v128.store(p + 4 * pos, round4(gRow2(4, t0l, t1l, t2l), gRow2(4, t0h, t1h, t2h)));
  v128.store(p + 5 * pos, round4(gRow2(5, t0l, t1l, t2l), gRow2(5, t0h, t1h, t2h)));
}

/**
 * U = G g Gᵀ of input channel k for 4 output channels: the 9 taps at `src` (tap bytes apart), the
 * 36 positions at p, pos bytes apart, in float64, each rounded once. Written out for constant
 * rows and columns, so gRow2's choice folds away; not inlined, so the module holds it once.
 */
function transform4(src: usize, tap: usize, p: usize, pos: usize): void {
  const v00 = v128.load(src), v01 = v128.load(src + tap), v02 = v128.load(src + 2 * tap);
  const v10 = v128.load(src + 3 * tap), v11 = v128.load(src + 4 * tap), v12 = v128.load(src + 5 * tap);
  const v20 = v128.load(src + 6 * tap), v21 = v128.load(src + 7 * tap), v22 = v128.load(src + 8 * tap);
  const a0l = lo2(v00), a1l = lo2(v01), a2l = lo2(v02), a0h = hi2(v00), a1h = hi2(v01), a2h = hi2(v02);
  const b0l = lo2(v10), b1l = lo2(v11), b2l = lo2(v12), b0h = hi2(v10), b1h = hi2(v11), b2h = hi2(v12);
  const d0l = lo2(v20), d1l = lo2(v21), d2l = lo2(v22), d0h = hi2(v20), d1h = hi2(v21), d2h = hi2(v22);
  // Row i of G·g (down each filter column), then that row times Gᵀ.
  row6(p, pos, gRow2(0, a0l, b0l, d0l), gRow2(0, a1l, b1l, d1l), gRow2(0, a2l, b2l, d2l), gRow2(0, a0h, b0h, d0h), gRow2(0, a1h, b1h, d1h), gRow2(0, a2h, b2h, d2h));
  row6(p + 6 * pos, pos, gRow2(1, a0l, b0l, d0l), gRow2(1, a1l, b1l, d1l), gRow2(1, a2l, b2l, d2l), gRow2(1, a0h, b0h, d0h), gRow2(1, a1h, b1h, d1h), gRow2(1, a2h, b2h, d2h));
  row6(p + 12 * pos, pos, gRow2(2, a0l, b0l, d0l), gRow2(2, a1l, b1l, d1l), gRow2(2, a2l, b2l, d2l), gRow2(2, a0h, b0h, d0h), gRow2(2, a1h, b1h, d1h), gRow2(2, a2h, b2h, d2h));
  row6(p + 18 * pos, pos, gRow2(3, a0l, b0l, d0l), gRow2(3, a1l, b1l, d1l), gRow2(3, a2l, b2l, d2l), gRow2(3, a0h, b0h, d0h), gRow2(3, a1h, b1h, d1h), gRow2(3, a2h, b2h, d2h));
  row6(p + 24 * pos, pos, gRow2(4, a0l, b0l, d0l), gRow2(4, a1l, b1l, d1l), gRow2(4, a2l, b2l, d2l), gRow2(4, a0h, b0h, d0h), gRow2(4, a1h, b1h, d1h), gRow2(4, a2h, b2h, d2h));
  row6(p + 30 * pos, pos, d0l, d1l, d2l, d0h, d1h, d2h);
}

/**
 * Transforms an HWIO 3×3 filter (ci × co) into 36 GEMM weight matrices, one per position
 * p = 6i + j of the 6×6 transformed tile: u = [p][8-channel block][ci][8], zero-padded past co.
 * No bias (the output transform adds it). Computed in float64, rounded once. Once per filter,
 * when a model is loaded: block by block, input channel by input channel, 4 output channels at
 * a time as two float64 pairs (the same operations as one channel at a time, so the same bits),
 * so each of the 36 positions is written as one forward stream of whole vectors.
 * Blocks [r0, r1) of the ⌈co/8⌉: each block's output depends on its own channels only, so
 * threads may pack disjoint ranges of one filter at once.
 */
export function f32_winograd_4x4_3x3_packw_hwio_x8(w: usize, u: usize, ci: i32, co: i32, r0: i32, r1: i32): void {
  // Preconditions (debug builds only).
  assert(w != 0 && isAligned16(u));
  assert(ci > 0 && co > 0);
  const blocks = (co + 7) >> 3;
  assert(0 <= r0 && r0 <= r1 && r1 <= blocks);
  const posBytes = <usize>blocks * <usize>ci * 32;
  const tap = <usize>ci * <usize>co * 4; // bytes between filter taps (ky, kx)
  for (let bo = r0; bo < r1; bo++) {
    for (let k = 0; k < ci; k++) {
      for (let q = 0; q < 2; q++) {
        const o0 = bo * 8 + q * 4;
        const dst = u + <usize>bo * <usize>ci * 32 + <usize>k * 32 + <usize>(q * 16);
        if (o0 + 4 > co) {
          for (let o = o0; o < o0 + 4; o++) packOne(w, dst + (<usize>(o - o0) << 2), posBytes, tap, k, o, co);
          continue;
        }
        transform4(w + (<usize>k * <usize>co + <usize>o0) * 4, tap, dst, posBytes);
      }
    }
  }
}

/** One channel o (zero past co) of input channel k at `dst`, for the 36 positions posBytes apart. */
function packOne(w: usize, dst: usize, posBytes: usize, tap: usize, k: i32, o: i32, co: i32): void {
  if (o >= co) {
    for (let p = 0; p < 36; p++) store<f32>(dst + <usize>p * posBytes, 0);
    return;
  }
  const src = w + (<usize>k * <usize>co + <usize>o) * 4;
  const g00 = <f64>load<f32>(src), g01 = <f64>load<f32>(src + tap), g02 = <f64>load<f32>(src + 2 * tap);
  const g10 = <f64>load<f32>(src + 3 * tap), g11 = <f64>load<f32>(src + 4 * tap), g12 = <f64>load<f32>(src + 5 * tap);
  const g20 = <f64>load<f32>(src + 6 * tap), g21 = <f64>load<f32>(src + 7 * tap), g22 = <f64>load<f32>(src + 8 * tap);
  for (let i = 0; i < 6; i++) {
    const t0 = gRow(i, g00, g10, g20), t1 = gRow(i, g01, g11, g21), t2 = gRow(i, g02, g12, g22);
    for (let j = 0; j < 6; j++) store<f32>(dst + <usize>(6 * i + j) * posBytes, <f32>gRow(j, t0, t1, t2));
  }
}

/**
 * Scratch bytes of one work unit of `tiles` tiles and `partBlocks` 8-channel output blocks:
 * V [36][tiles][ci rounded to 4] and M [36][partBlocks][tiles rounded to 4][8].
 */
// @ts-ignore: decorator
@inline function unitBytes(tiles: i32, ci: i32, partBlocks: i32): usize {
  return (<usize>36 * <usize>tiles * <usize>((ci + 3) & ~3) + <usize>36 * <usize>partBlocks * <usize>((tiles + 3) & ~3) * 8) << 2;
}

/**
 * Bᵀ applied to (d0 … d5) at p0 … p5 (vPos apart): 6 loads, 6 stores. With a = d4 - 4d2,
 * b = d3 - 4d1, c = d4 - d2, e = 2(d3 - d1): (4d0 - 5d2 + d4, a + b, a - b, c + e, c - e, 4d1 - 5d3 + d5).
 */
// @ts-ignore: decorator
@inline function bt6(d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128, o: usize, step: usize): void {
  const four = f32x4.splat(4), mfour = f32x4.splat(-4), mfive = f32x4.splat(-5), two = f32x4.splat(2);
  const a = madd(mfour, d2, d4);
  const b = madd(mfour, d1, d3);
  const c = f32x4.sub(d4, d2);
  const e = f32x4.mul(two, f32x4.sub(d3, d1));
  v128.store(o, madd(mfive, d2, madd(four, d0, d4)));
  v128.store(o + step, f32x4.add(a, b));
  v128.store(o + 2 * step, f32x4.sub(a, b));
  v128.store(o + 3 * step, f32x4.add(c, e));
  v128.store(o + 4 * step, f32x4.sub(c, e));
  v128.store(o + 5 * step, madd(mfive, d3, madd(four, d1, d5)));
}

/**
 * The conv over NHWC `x` for work units [u0, u1), cut as f32_winograd_2x2_3x3_nhwc_minmax_4x8_simd's:
 * the batch × ⌈ho/4⌉ tile-rows (tile-row r writes output rows 4r' … 4r'+3, r' = r mod ⌈ho/4⌉, of
 * its image) are cut into groups of `groupRows`, the 8-channel output blocks into `parts` equal
 * ranges; unit u is group ⌊u / parts⌋, part u mod parts.
 * `u`: the packed transformed filter (f32_winograd_4x4_3x3_packw_hwio_x8). `bias`: co floats or 0.
 * `zero`: at least ci (rounded up to 4) zeros, read for padding taps.
 * `scratch`: unitBytes(groupRows × ⌈wo/4⌉) per unit of the whole range; a call works in the slot
 * of its first unit u0 only, and transforms a group's inputs once for all its parts in the call.
 */
export function f32_winograd_4x4_3x3_nhwc_minmax_4x8_simd(
  x: usize, u: usize, bias: usize, zero: usize, scratch: usize, y: usize,
  n: i32, h: i32, wd: i32, ci: i32, ho: i32, wo: i32, co: i32,
  padTop: i32, padLeft: i32, groupRows: i32, parts: i32, chunk: i32,
  outMin: f32, outMax: f32,
  u0: i32, u1: i32,
): void {
  // Preconditions (debug builds only).
  assert(x != 0 && isAligned16(u) && zero != 0 && isAligned16(scratch) && y != 0);
  assert(n > 0 && h > 0 && wd > 0 && ci > 0 && ho >= 0 && wo >= 0 && co > 0);
  assert(padTop >= 0 && padLeft >= 0);
  assert(groupRows > 0 && parts > 0 && chunk > 0); // parts may exceed the 8-channel blocks: the extra ones are empty
  assert(0 <= u0 && u0 <= u1);
  assert(!(outMin > outMax));
  const th = (ho + 3) >> 2;
  const tw = (wo + 3) >> 2;
  if (tw == 0 || u0 >= u1) return;
  const tileRows = n * th;
  const vlo = f32x4.splat(outMin);
  const vhi = f32x4.splat(outMax);
  const ciPad = (ci + 3) & ~3;
  const inPixel = <usize>ci << 2;
  const outPixel = <usize>co << 2;
  const vRow = <usize>ciPad << 2;          // one tile's channels in V
  const blocks = (co + 7) >> 3;
  const partBlocks = (blocks + parts - 1) / parts;
  const uPos = <usize>blocks * <usize>ci * 32;
  const chunkBlocks = min(chunk, partBlocks);
  const vBase = scratch + <usize>u0 * unitBytes(groupRows * tw, ci, chunkBlocks);
  for (let un = u0; un < u1; un++) {
    const gi = un / parts;
    const part = un - gi * parts;
    const rc = gi * groupRows;
    const g = min(groupRows, tileRows - rc);
    const tiles = g * tw;
    const vPos = <usize>tiles * vRow;      // one position's matrix in V
    const mBase = vBase + 36 * vPos;
    const mBlock = <usize>((tiles + 3) & ~3) * 32; // one block's tiles in M
    const pEnd = min(blocks, (part + 1) * partBlocks);
    // Input transform, tile by tile; tile j·tw + t is tile t of row rc + j. A group's later
    // parts in the same call find it done.
    if (un == u0 || part == 0) for (let j = 0; j < g; j++) {
      const r = rc + j;
      const img = r / th;
      const iy0 = (r - img * th) * 4 - padTop;
      const xImage = x + <usize>(img * h) * <usize>wd * inPixel;
      for (let t = 0; t < tw; t++) {
        const ix0 = 4 * t - padLeft;
        const vt = vBase + <usize>(j * tw + t) * vRow;
        // Rows: e[i][·] = d[i][·] B into V's positions 6i … 6i+5; d[i][k] is input row iy0+i,
        // column ix0+k, and padding reads the zero row.
        for (let i = 0; i < 6; i++) {
          const iy = iy0 + i;
          const ok = <u32>iy < <u32>h;
          const row = xImage + <usize>iy * <usize>wd * inPixel;
          const q0 = ok && <u32>ix0 < <u32>wd ? row + <usize>ix0 * inPixel : zero;
          const q1 = ok && <u32>(ix0 + 1) < <u32>wd ? row + <usize>(ix0 + 1) * inPixel : zero;
          const q2 = ok && <u32>(ix0 + 2) < <u32>wd ? row + <usize>(ix0 + 2) * inPixel : zero;
          const q3 = ok && <u32>(ix0 + 3) < <u32>wd ? row + <usize>(ix0 + 3) * inPixel : zero;
          const q4 = ok && <u32>(ix0 + 4) < <u32>wd ? row + <usize>(ix0 + 4) * inPixel : zero;
          const q5 = ok && <u32>(ix0 + 5) < <u32>wd ? row + <usize>(ix0 + 5) * inPixel : zero;
          const o = vt + <usize>(6 * i) * vPos;
          for (let cOff: usize = 0; cOff < vRow; cOff += 16) {
            bt6(
              v128.load(q0 + cOff), v128.load(q1 + cOff), v128.load(q2 + cOff),
              v128.load(q3 + cOff), v128.load(q4 + cOff), v128.load(q5 + cOff), o + cOff, vPos,
            );
          }
        }
        // Columns, in place: V[i][j] = Bᵀ applied down column j of e.
        for (let o = vt; o < vt + 6 * vPos; o += vPos) {
          for (let cOff: usize = 0; cOff < vRow; cOff += 16) {
            const p = o + cOff;
            bt6(
              v128.load(p), v128.load(p + 6 * vPos), v128.load(p + 12 * vPos),
              v128.load(p + 18 * vPos), v128.load(p + 24 * vPos), v128.load(p + 30 * vPos), p, 6 * vPos,
            );
          }
        }
      }
    }
    // The part's blocks, `chunk` at a time: 36 GEMMs M[p][b][t][8] = Σ_k V[p][t][k] · U[p][k][b·8 …],
    // position by position, so V[p] stays in cache while the chunk's weights for p stream past,
    // then the output transform of the chunk.
    for (let b0 = part * partBlocks; b0 < pEnd; b0 += chunkBlocks) {
      const bEnd = min(pEnd, b0 + chunkBlocks);
      const mPos = <usize>(bEnd - b0) * mBlock;
      for (let p = 0; p < 36; p++) {
        const vp = vBase + <usize>p * vPos;
        for (let bi = b0; bi < bEnd; bi++) {
          const up = u + <usize>p * uPos + <usize>bi * <usize>ci * 32;
          const mp = mBase + <usize>p * mPos + <usize>(bi - b0) * mBlock;
          winogradGemm4x8(vp, vRow, tiles, up, ci, mp);
        }
      }
      for (let bi = b0; bi < bEnd; bi++) {
        // Output transform: y = Aᵀ M A, + bias, clamp, store the tile's in-range outputs.
        const c0 = bi * 8;
        for (let half = 0; half < 2; half++) {
          const c = c0 + half * 4;
          const nc = co - c;
          if (nc <= 0) break;
          const b = bias ? v128.load(bias + (<usize>c << 2)) : f32x4.splat(0);
          const hOff = <usize>half * 16;
          for (let j = 0; j < g; j++) {
            const r = rc + j;
            const img = r / th;
            const oy = (r - img * th) * 4;
            const rowsHere = min(4, ho - oy);
            const yRow0 = y + (<usize>(img * ho + oy) * <usize>wo) * outPixel;
            for (let t = 0; t < tw; t++) {
              const m = mBase + <usize>(bi - b0) * mBlock + <usize>(j * tw + t) * 32 + hOff;
              // Columns, in place: rows 0–3 of Aᵀ M, down each column of M.
              for (let q = m; q < m + 6 * mPos; q += mPos) {
                const m0 = v128.load(q), m1 = v128.load(q + 6 * mPos), m2 = v128.load(q + 12 * mPos);
                const m3 = v128.load(q + 18 * mPos), m4 = v128.load(q + 24 * mPos), m5 = v128.load(q + 30 * mPos);
                const s12 = f32x4.add(m1, m2), d12 = f32x4.sub(m1, m2);
                const s34 = f32x4.add(m3, m4), d34 = f32x4.sub(m3, m4);
                v128.store(q, f32x4.add(f32x4.add(m0, s12), s34));
                v128.store(q + 6 * mPos, madd(f32x4.splat(2), d34, d12));
                v128.store(q + 12 * mPos, madd(f32x4.splat(4), s34, s12));
                v128.store(q + 18 * mPos, f32x4.add(madd(f32x4.splat(8), d34, d12), m5));
              }
              // Rows: each output row is Aᵀ applied along a row of Aᵀ M.
              const ox = 4 * t;
              const colsHere = min(4, wo - ox);
              for (let i = 0; i < rowsHere; i++) {
                const q = m + <usize>(6 * i) * mPos;
                const m0 = v128.load(q), m1 = v128.load(q + mPos), m2 = v128.load(q + 2 * mPos);
                const m3 = v128.load(q + 3 * mPos), m4 = v128.load(q + 4 * mPos), m5 = v128.load(q + 5 * mPos);
                const s12 = f32x4.add(m1, m2), d12 = f32x4.sub(m1, m2);
                const s34 = f32x4.add(m3, m4), d34 = f32x4.sub(m3, m4);
                const yp = yRow0 + (<usize>i * <usize>wo + <usize>ox) * outPixel + (<usize>c << 2);
                store4(yp, clampMinMax(f32x4.add(f32x4.add(f32x4.add(m0, s12), s34), b), vlo, vhi), nc);
                if (colsHere > 1) store4(yp + outPixel, clampMinMax(f32x4.add(madd(f32x4.splat(2), d34, d12), b), vlo, vhi), nc);
                if (colsHere > 2) store4(yp + 2 * outPixel, clampMinMax(f32x4.add(madd(f32x4.splat(4), s34, s12), b), vlo, vhi), nc);
                if (colsHere > 3) store4(yp + 3 * outPixel, clampMinMax(f32x4.add(f32x4.add(madd(f32x4.splat(8), d34, d12), m5), b), vlo, vhi), nc);
              }
            }
          }
        }
      }
    }
  }
}
