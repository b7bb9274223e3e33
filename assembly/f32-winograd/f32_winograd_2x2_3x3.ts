// Winograd F(2×2, 3×3) for 3×3 stride-1 undilated convs: each 2×2 block of outputs is computed
// from a 4×4 block of inputs with 16 multiplies per (input channel, output channel) pair
// instead of 36. Three steps per tile-row (a row of 2×2 output tiles):
//   V = Bᵀ d B   input transform of each 4×4 input tile, every input channel → scratch
//   M = V · U    16 GEMMs [tiles × ci]·[ci × co] (U = G g Gᵀ, the transformed filter, packed)
//   y = Aᵀ M A   output transform, + bias, clamp, masked store of the 2×2 outputs
// with Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1],
// Aᵀ = [1 1 1 0; 0 1 -1 -1].
import { clampMinMax, isAligned16 } from "../common";
import { hi2, lo2, round4, store4, winogradGemm4x8 } from "./common";

/** Row i of G applied to (a, b, d). */
// @ts-ignore: decorator
@inline function gRow(i: i32, a: f64, b: f64, d: f64): f64 {
  if (i == 0) return a;
  if (i == 1) return 0.5 * (a + b + d);
  if (i == 2) return 0.5 * (a - b + d);
  return d;
}

/** ½((a + b) + d), two channels in float64: row 1 of G, the same operations as gRow. */
// @ts-ignore: decorator
@inline function half2(a: v128, b: v128, d: v128): v128 {
  return f64x2.mul(f64x2.splat(0.5), f64x2.add(f64x2.add(a, b), d));
}

/** ½((a − b) + d), two channels in float64: row 2 of G. */
// @ts-ignore: decorator
@inline function halfDiff2(a: v128, b: v128, d: v128): v128 {
  return f64x2.mul(f64x2.splat(0.5), f64x2.add(f64x2.sub(a, b), d));
}

/**
 * A row (r0, r1, r2) of G·g times Gᵀ, for 4 channels as float64 pairs (l, h): positions p + 0…3
 * of the row, pos bytes apart. Its outer two are r0 and r2 themselves, given as floats (f0, f2).
 */
// @ts-ignore: decorator
@inline function rowTimesGt(
  p: usize, pos: usize, f0: v128, f2: v128,
  r0l: v128, r1l: v128, r2l: v128, r0h: v128, r1h: v128, r2h: v128,
): void {
  v128.store(p, f0);
  v128.store(p + pos, round4(half2(r0l, r1l, r2l), half2(r0h, r1h, r2h)));
  v128.store(p + 2 * pos, round4(halfDiff2(r0l, r1l, r2l), halfDiff2(r0h, r1h, r2h)));
  v128.store(p + 3 * pos, f2);
}

/**
 * U = G g Gᵀ of input channel k for 4 output channels: the 9 taps at `src` (tap bytes apart),
 * the 16 positions at p, pos bytes apart. Rows 0 and 3 of G·g, and columns 0 and 3 of its
 * product with Gᵀ, are filter values themselves, so only the rest is computed, in float64.
 * Not inlined: one copy keeps the module small, and a call per 4 channels costs nothing measurable.
 */
function transform4(src: usize, tap: usize, p: usize, pos: usize): void {
  const v00 = v128.load(src), v01 = v128.load(src + tap), v02 = v128.load(src + 2 * tap);
  const v10 = v128.load(src + 3 * tap), v11 = v128.load(src + 4 * tap), v12 = v128.load(src + 5 * tap);
  const v20 = v128.load(src + 6 * tap), v21 = v128.load(src + 7 * tap), v22 = v128.load(src + 8 * tap);
  const a0l = lo2(v00), a1l = lo2(v01), a2l = lo2(v02), a0h = hi2(v00), a1h = hi2(v01), a2h = hi2(v02);
  const b0l = lo2(v10), b1l = lo2(v11), b2l = lo2(v12), b0h = hi2(v10), b1h = hi2(v11), b2h = hi2(v12);
  const d0l = lo2(v20), d1l = lo2(v21), d2l = lo2(v22), d0h = hi2(v20), d1h = hi2(v21), d2h = hi2(v22);
  rowTimesGt(p, pos, v00, v02, a0l, a1l, a2l, a0h, a1h, a2h);
  const s0l = half2(a0l, b0l, d0l), s1l = half2(a1l, b1l, d1l), s2l = half2(a2l, b2l, d2l);
  const s0h = half2(a0h, b0h, d0h), s1h = half2(a1h, b1h, d1h), s2h = half2(a2h, b2h, d2h);
  rowTimesGt(p + 4 * pos, pos, round4(s0l, s0h), round4(s2l, s2h), s0l, s1l, s2l, s0h, s1h, s2h);
  const e0l = halfDiff2(a0l, b0l, d0l), e1l = halfDiff2(a1l, b1l, d1l), e2l = halfDiff2(a2l, b2l, d2l);
  const e0h = halfDiff2(a0h, b0h, d0h), e1h = halfDiff2(a1h, b1h, d1h), e2h = halfDiff2(a2h, b2h, d2h);
  rowTimesGt(p + 8 * pos, pos, round4(e0l, e0h), round4(e2l, e2h), e0l, e1l, e2l, e0h, e1h, e2h);
  rowTimesGt(p + 12 * pos, pos, v20, v22, d0l, d1l, d2l, d0h, d1h, d2h);
}

/**
 * Transforms an HWIO 3×3 filter (ci × co) into 16 GEMM weight matrices, one per position
 * p = 4i + j of the 4×4 transformed tile: u = [p][8-channel block][ci][8], zero-padded past co.
 * No bias (the output transform adds it). Computed in float64, rounded once. Once per filter,
 * when a model is loaded: block by block, input channel by input channel, 8 output channels
 * at a time as four float64 pairs (the same operations as one channel at a time, so the same
 * bits), so each of the 16 positions is written as one forward stream of whole vectors.
 * Twice as fast as two lanes at a time with 8-byte stores (docs/models.md, load time).
 * Blocks [r0, r1) of the ⌈co/8⌉: each block's output depends on its own channels only, so
 * threads may pack disjoint ranges of one filter at once.
 */
export function f32_winograd_2x2_3x3_packw_hwio_x8(w: usize, u: usize, ci: i32, co: i32, r0: i32, r1: i32): void {
  // Preconditions (debug builds only).
  assert(w != 0 && isAligned16(u));
  assert(ci > 0 && co > 0);
  const blocks = (co + 7) >> 3;
  assert(0 <= r0 && r0 <= r1 && r1 <= blocks);
  const pos = <usize>blocks * <usize>ci * 32;
  const tap = <usize>ci * <usize>co * 4; // bytes between filter taps (ky, kx)
  for (let bo = r0; bo < r1; bo++) {
    const o0 = bo * 8;
    const n = min(8, co - o0);
    for (let k = 0; k < ci; k++) {
      const dst = u + <usize>bo * <usize>ci * 32 + <usize>k * 32;
      const src = w + (<usize>k * <usize>co + <usize>o0) * 4;
      if (n == 8) {
        transform4(src, tap, dst, pos);
        transform4(src + 16, tap, dst + 16, pos);
        continue;
      }
      // The last block's channels past a whole vector, and its zeros past co, one by one.
      let o = 0;
      if (n >= 4) {
        transform4(src, tap, dst, pos);
        o = 4;
      }
      for (; o < 8; o++) packOne(w, dst + (<usize>o << 2), pos, tap, k, o0 + o, co);
    }
  }
}

/** One channel o (zero past co) of input channel k at `dst`, for the 16 positions posBytes apart. */
function packOne(w: usize, dst: usize, posBytes: usize, tap: usize, k: i32, o: i32, co: i32): void {
  if (o >= co) {
    for (let p = 0; p < 16; p++) store<f32>(dst + <usize>p * posBytes, 0);
    return;
  }
  const src = w + (<usize>k * <usize>co + <usize>o) * 4;
  const g00 = <f64>load<f32>(src), g01 = <f64>load<f32>(src + tap), g02 = <f64>load<f32>(src + 2 * tap);
  const g10 = <f64>load<f32>(src + 3 * tap), g11 = <f64>load<f32>(src + 4 * tap), g12 = <f64>load<f32>(src + 5 * tap);
  const g20 = <f64>load<f32>(src + 6 * tap), g21 = <f64>load<f32>(src + 7 * tap), g22 = <f64>load<f32>(src + 8 * tap);
  for (let i = 0; i < 4; i++) {
    // Row i of G·g, then that row times Gᵀ.
    const t0 = gRow(i, g00, g10, g20), t1 = gRow(i, g01, g11, g21), t2 = gRow(i, g02, g12, g22);
    for (let j = 0; j < 4; j++) store<f32>(dst + <usize>(4 * i + j) * posBytes, <f32>gRow(j, t0, t1, t2));
  }
}

/** Scratch bytes of one work unit of `tiles` tiles: V [16][tiles][ci rounded to 4] and M [16][tiles rounded to 4][8]. */
// @ts-ignore: decorator
@inline function unitBytes(tiles: i32, ci: i32): usize {
  return (<usize>16 * <usize>tiles * <usize>((ci + 3) & ~3) + <usize>16 * <usize>((tiles + 3) & ~3) * 8) << 2;
}

/**
 * The conv over NHWC `x` for work units [u0, u1). The batch × ⌈ho/2⌉ tile-rows (tile-row r
 * writes output rows 2r' and 2r'+1, r' = r mod ⌈ho/2⌉, of its image) are cut into groups of
 * `groupRows`, whose transformed inputs stay in cache while the weights stream past once per
 * group; the 8-channel output blocks are cut into `parts` equal ranges. Unit u is group
 * ⌊u / parts⌋, part u mod parts, so a conv with few tile-rows still has enough units to share
 * out evenly, and each unit streams only its part of the weights.
 * `u`: the packed transformed filter (f32_winograd_2x2_3x3_packw_hwio_x8). `bias`: co floats or 0.
 * `zero`: at least ci (rounded up to 4) zeros, read for padding taps.
 * `scratch`: unitBytes(groupRows × tw) per unit of the whole range. A call works in the slot of
 * its first unit u0 only (so it stays in cache, and calls on disjoint ranges never share
 * scratch), and transforms a group's inputs once for all its parts in the call. Group and part
 * bounds come from the shape alone, so no output's arithmetic depends on the split.
 */
export function f32_winograd_2x2_3x3_nhwc_minmax_4x8_simd(
  x: usize, u: usize, bias: usize, zero: usize, scratch: usize, y: usize,
  n: i32, h: i32, wd: i32, ci: i32, ho: i32, wo: i32, co: i32,
  padTop: i32, padLeft: i32, groupRows: i32, parts: i32,
  outMin: f32, outMax: f32,
  u0: i32, u1: i32,
): void {
  // Preconditions (debug builds only).
  assert(x != 0 && isAligned16(u) && zero != 0 && isAligned16(scratch) && y != 0);
  assert(n > 0 && h > 0 && wd > 0 && ci > 0 && ho >= 0 && wo >= 0 && co > 0);
  assert(padTop >= 0 && padLeft >= 0);
  assert(groupRows > 0 && parts > 0); // parts may exceed the 8-channel blocks: the extra ones are empty
  assert(0 <= u0 && u0 <= u1);
  assert(!(outMin > outMax));
  const th = (ho + 1) >> 1;
  const tw = (wo + 1) >> 1;
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
  const vBase = scratch + <usize>u0 * unitBytes(groupRows * tw, ci);
  for (let un = u0; un < u1; un++) {
    const gi = un / parts;
    const part = un - gi * parts;
    const rc = gi * groupRows;
    const g = min(groupRows, tileRows - rc);
    const tiles = g * tw;
    const vPos = <usize>tiles * vRow;      // one position's matrix in V
    const mBase = vBase + 16 * vPos;
    const mPos = <usize>((tiles + 3) & ~3) * 32;
    // Input transform, tile by tile, 4 channels at a time; tile j·tw + t is tile t of row rc + j.
    // A group's later parts in the same call find it done.
    if (un == u0 || part == 0) for (let j = 0; j < g; j++) {
      const r = rc + j;
      const img = r / th;
      const iy0 = (r - img * th) * 2 - padTop;
      const xImage = x + <usize>(img * h) * <usize>wd * inPixel;
      for (let t = 0; t < tw; t++) {
        const ix0 = 2 * t - padLeft;
        const vt = vBase + <usize>(j * tw + t) * vRow;
        // Rows: e[i][·] = (d[i][·]) B, into V's slots 4i … 4i+3; d[i][j] is input row iy0+i,
        // column ix0+j, and padding reads the zero row.
        for (let i = 0; i < 4; i++) {
          const iy = iy0 + i;
          const ok = <u32>iy < <u32>h;
          const row = xImage + <usize>iy * <usize>wd * inPixel;
          const q0 = ok && <u32>ix0 < <u32>wd ? row + <usize>ix0 * inPixel : zero;
          const q1 = ok && <u32>(ix0 + 1) < <u32>wd ? row + <usize>(ix0 + 1) * inPixel : zero;
          const q2 = ok && <u32>(ix0 + 2) < <u32>wd ? row + <usize>(ix0 + 2) * inPixel : zero;
          const q3 = ok && <u32>(ix0 + 3) < <u32>wd ? row + <usize>(ix0 + 3) * inPixel : zero;
          const o = vt + <usize>(4 * i) * vPos;
          for (let cOff: usize = 0; cOff < vRow; cOff += 16) {
            const d0 = v128.load(q0 + cOff), d1 = v128.load(q1 + cOff), d2 = v128.load(q2 + cOff), d3 = v128.load(q3 + cOff);
            v128.store(o + cOff, f32x4.sub(d0, d2));
            v128.store(o + vPos + cOff, f32x4.add(d1, d2));
            v128.store(o + 2 * vPos + cOff, f32x4.sub(d2, d1));
            v128.store(o + 3 * vPos + cOff, f32x4.sub(d1, d3));
          }
        }
        // Columns, in place: V[i][j] = Bᵀ applied down column j of e.
        for (let o = vt; o < vt + 4 * vPos; o += vPos) {
          for (let cOff: usize = 0; cOff < vRow; cOff += 16) {
            const p = o + cOff;
            const e0 = v128.load(p), e1 = v128.load(p + 4 * vPos), e2 = v128.load(p + 8 * vPos), e3 = v128.load(p + 12 * vPos);
            v128.store(p, f32x4.sub(e0, e2));
            v128.store(p + 4 * vPos, f32x4.add(e1, e2));
            v128.store(p + 8 * vPos, f32x4.sub(e2, e1));
            v128.store(p + 12 * vPos, f32x4.sub(e1, e3));
          }
        }
      }
    }
    const bEnd = min(blocks, (part + 1) * partBlocks);
    for (let bi = part * partBlocks; bi < bEnd; bi++) {
      // 16 GEMMs for this block of 8 output channels: M[p][t][8] = Σ_k V[p][t][k] · U[p][k][8].
      for (let p = 0; p < 16; p++) {
        const vp = vBase + <usize>p * vPos;
        const up = u + <usize>p * uPos + <usize>bi * <usize>ci * 32;
        const mp = mBase + <usize>p * mPos;
        winogradGemm4x8(vp, vRow, tiles, up, ci, mp);
      }
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
          const oy = (r - img * th) * 2;
          const yRow0 = y + (<usize>(img * ho + oy) * <usize>wo) * outPixel;
          const twoRows = oy + 1 < ho;
          for (let t = 0; t < tw; t++) {
            const m = mBase + <usize>(j * tw + t) * 32 + hOff;
            // s_j = m0j + m1j + m2j, d_j = m1j - m2j - m3j (Aᵀ down each column j)
            const m10 = v128.load(m + 4 * mPos), m11 = v128.load(m + 5 * mPos), m12 = v128.load(m + 6 * mPos), m13 = v128.load(m + 7 * mPos);
            const m20 = v128.load(m + 8 * mPos), m21 = v128.load(m + 9 * mPos), m22 = v128.load(m + 10 * mPos), m23 = v128.load(m + 11 * mPos);
            const s0 = f32x4.add(f32x4.add(v128.load(m), m10), m20);
            const s1 = f32x4.add(f32x4.add(v128.load(m + mPos), m11), m21);
            const s2 = f32x4.add(f32x4.add(v128.load(m + 2 * mPos), m12), m22);
            const s3 = f32x4.add(f32x4.add(v128.load(m + 3 * mPos), m13), m23);
            const d0 = f32x4.sub(f32x4.sub(m10, m20), v128.load(m + 12 * mPos));
            const d1 = f32x4.sub(f32x4.sub(m11, m21), v128.load(m + 13 * mPos));
            const d2 = f32x4.sub(f32x4.sub(m12, m22), v128.load(m + 14 * mPos));
            const d3 = f32x4.sub(f32x4.sub(m13, m23), v128.load(m + 15 * mPos));
            const ox = 2 * t;
            const twoCols = ox + 1 < wo;
            const yp = yRow0 + <usize>ox * outPixel + (<usize>c << 2);
            const y00 = clampMinMax(f32x4.add(f32x4.add(f32x4.add(s0, s1), s2), b), vlo, vhi);
            const y01 = clampMinMax(f32x4.add(f32x4.sub(f32x4.sub(s1, s2), s3), b), vlo, vhi);
            const y10 = clampMinMax(f32x4.add(f32x4.add(f32x4.add(d0, d1), d2), b), vlo, vhi);
            const y11 = clampMinMax(f32x4.add(f32x4.sub(f32x4.sub(d1, d2), d3), b), vlo, vhi);
            const rowBytes = <usize>wo * outPixel;
            store4(yp, y00, nc);
            if (twoCols) store4(yp + outPixel, y01, nc);
            if (twoRows) {
              store4(yp + rowBytes, y10, nc);
              if (twoCols) store4(yp + rowBytes + outPixel, y11, nc);
            }
          }
        }
      }
    }
  }
}
