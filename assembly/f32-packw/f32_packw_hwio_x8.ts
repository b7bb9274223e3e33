import { isAligned16 } from "../common";

/**
 * Packs an HWIO filter (k = kh·kw·ci rows of co weights) and its bias into the GEMM kernels'
 * layout: for each block of 8 output channels, [bias(8), W[0][8], ..., W[k-1][8]], zero-padded
 * past co. `b` = 0 means no bias (zeros). Once per filter; the kernels then stream one block.
 */
export function f32_packw_hwio_x8(w: usize, b: usize, packed: usize, k: i32, co: i32): void {
  // Preconditions (debug builds only): the GEMMs load whole vectors from `packed`.
  assert(w != 0 && isAligned16(packed));
  assert(k > 0 && co > 0);
  const rowBytes = <usize>co << 2;
  let out = packed;
  for (let c = 0; c < co; c += 8) {
    const nc = min(co - c, 8);
    const cOff = <usize>c << 2;
    if (nc == 8) {
      v128.store(out, b ? v128.load(b + cOff) : f32x4.splat(0));
      v128.store(out, b ? v128.load(b + cOff, 16) : f32x4.splat(0), 16);
      let src = w + cOff;
      let dst = out + 32;
      for (let i = 0; i < k; i++, src += rowBytes, dst += 32) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
      }
    } else {
      for (let j = 0; j < 8; j++) store<f32>(out + (<usize>j << 2), b && j < nc ? load<f32>(b + cOff + (<usize>j << 2)) : 0);
      let src = w + cOff;
      for (let i = 0; i < k; i++, src += rowBytes) {
        const row = out + 32 + (<usize>i << 5);
        for (let j = 0; j < 8; j++) store<f32>(row + (<usize>j << 2), j < nc ? load<f32>(src + (<usize>j << 2)) : 0);
      }
    }
    out += <usize>(8 + 8 * k) << 2;
  }
}
