import { clampMinMax, isAligned16, madd, storeRow8 } from "../common";

/**
 * y = clamp(bias + x · W) for one row x of k floats (a dense layer on one sample), over the
 * 8-column blocks [u0, u1) (the work units) of the GEMM packing (`packed`: per 8 columns, [bias(8), W[i][8] for
 * i < k], zero-padded past n; f32_packw_hwio_x8). The GEMM tiles spend a whole tile of rows
 * on one; this streams the packed weights once, four blocks (32 columns) at a time so eight
 * independent accumulations overlap. Each column sums in the GEMM tiles' order (the bias,
 * then x[i]·W[i] for i = 0, 1, …, with the same madd), so its result is the GEMM's, bit for
 * bit, and never depends on how the blocks are split.
 */
export function f32_gemv_minmax_x32_simd(
  x: usize, packed: usize, y: usize,
  k: i32, n: i32,
  outMin: f32, outMax: f32,
  u0: i32, u1: i32,
): void {
  // Preconditions (debug builds only: shipped builds pass --noAssert).
  assert(x != 0 && isAligned16(packed) && y != 0);
  assert(k > 0 && n > 0);
  assert(!(outMin > outMax));
  assert(0 <= u0 && u0 <= u1 && u1 <= (n + 7) / 8);
  const vlo = f32x4.splat(outMin);
  const vhi = f32x4.splat(outMax);
  const blockBytes = <usize>(8 + 8 * k) << 2;
  const end = <usize>k << 2;
  let bi = u0;
  for (; bi + 4 <= u1; bi += 4) {
    const p0 = packed + <usize>bi * blockBytes;
    const p1 = p0 + blockBytes;
    const p2 = p1 + blockBytes;
    const p3 = p2 + blockBytes;
    let a00 = v128.load(p0), a01 = v128.load(p0, 16);
    let a10 = v128.load(p1), a11 = v128.load(p1, 16);
    let a20 = v128.load(p2), a21 = v128.load(p2, 16);
    let a30 = v128.load(p3), a31 = v128.load(p3, 16);
    let w0 = p0 + 32, w1 = p1 + 32, w2 = p2 + 32, w3 = p3 + 32;
    for (let o: usize = 0; o < end; o += 4, w0 += 32, w1 += 32, w2 += 32, w3 += 32) {
      const xv = v128.load32_splat(x + o);
      a00 = madd(xv, v128.load(w0), a00);
      a01 = madd(xv, v128.load(w0, 16), a01);
      a10 = madd(xv, v128.load(w1), a10);
      a11 = madd(xv, v128.load(w1, 16), a11);
      a20 = madd(xv, v128.load(w2), a20);
      a21 = madd(xv, v128.load(w2, 16), a21);
      a30 = madd(xv, v128.load(w3), a30);
      a31 = madd(xv, v128.load(w3, 16), a31);
    }
    const c = bi * 8;
    const yp = y + (<usize>c << 2);
    v128.store(yp, clampMinMax(a00, vlo, vhi));
    v128.store(yp, clampMinMax(a01, vlo, vhi), 16);
    v128.store(yp, clampMinMax(a10, vlo, vhi), 32);
    v128.store(yp, clampMinMax(a11, vlo, vhi), 48);
    v128.store(yp, clampMinMax(a20, vlo, vhi), 64);
    v128.store(yp, clampMinMax(a21, vlo, vhi), 80);
    // Only the last block can be part of one (n not a multiple of 8).
    storeRow8(yp + 96, clampMinMax(a30, vlo, vhi), clampMinMax(a31, vlo, vhi), min(8, n - c - 24));
  }
  for (; bi < u1; bi++) {
    const p = packed + <usize>bi * blockBytes;
    let a0 = v128.load(p), a1 = v128.load(p, 16);
    let w = p + 32;
    for (let o: usize = 0; o < end; o += 4, w += 32) {
      const xv = v128.load32_splat(x + o);
      a0 = madd(xv, v128.load(w), a0);
      a1 = madd(xv, v128.load(w, 16), a1);
    }
    const c = bi * 8;
    storeRow8(y + (<usize>c << 2), clampMinMax(a0, vlo, vhi), clampMinMax(a1, vlo, vhi), min(8, n - c));
  }
}
