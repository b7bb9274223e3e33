/**
 * f32_gemv_minmax_x32_simd (assembly/f32-gemv/) called directly on one row: k around the
 * steps, n around its 8-column blocks and 32-column step (a part block at the end of a 4-block
 * step and of a single block), bias and clamps; against the float64 reference, split in two
 * calls over its column blocks; and bit for bit what the GEMM tile gives the same row.
 */
import { describe, expect, it } from "vitest";
import { backend } from "../../src/loader/backend.js";
import { tensor } from "../../src/index.js";
import { packedWeights } from "../../src/ops/conv2d_packing.js";
import { debugKernels } from "../helpers/debug-kernels.js";
import { BOUNDS, check, conv, data, gemm, named, type GemmName, type KernelCase, type Runner } from "./conv.js";

const gemv: Runner = (c, x, w, b, y, u0, u1) => {
  const [, , k, n] = c.filter;
  const [lo, hi] = BOUNDS[c.act];
  debugKernels().f32_gemv_minmax_x32_simd(x.ptr(), packedWeights(w, b, k, n), y.ptr(), k, n, lo, hi, u0, u1);
};
const blocks = (c: KernelCase) => Math.ceil(c.filter[3] / 8);

function grid(): KernelCase[] {
  const out: KernelCase[] = [];
  for (const k of [1, 2, 3, 4, 5, 17, 64])
    for (const n of [1, 5, 8, 9, 24, 31, 32, 33, 40, 63, 64, 65, 100])
      out.push(conv([1, 1, 1, k], [1, 1, k, n], { pad: "valid", bias: n % 2 === 1, act: n === 9 || n === 65 ? "relu6" : n === 33 ? "relu" : "linear" }));
  out.push(conv([1, 1, 1, 1000], [1, 1, 1000, 130], { pad: "valid", bias: true }));
  return out;
}

describe(`f32_gemv_minmax_x32_simd (${backend().build} build)`, () => {
  it.each(named(grid()))("%s", (_name, c, i) => {
    check(gemv, c, 300 + i, blocks);
  });

  it.each(named(grid().filter((_, i) => i % 3 === 0)))("%s: the GEMM tiles' bits", (_name, c, i) => {
    const d = data(c, 500 + i);
    const x = tensor(d.x, c.x);
    const w = tensor(d.w, c.filter);
    const b = d.b && tensor(d.b, [c.filter[3]]);
    const run = (r: Runner, rows: number) => {
      const y = tensor(new Float32Array(c.filter[3]).fill(NaN));
      r(c, x, w, b, y, 0, rows);
      const v = Array.from(y.dataSync());
      y.dispose();
      return v;
    };
    const mine = run(gemv, blocks(c));
    for (const name of ["f32_gemm_minmax_4x8_loadsplat_simd"] as GemmName[]) {
      expect(mine, name).toEqual(run(gemm(name), 1));
    }
    for (const t of [x, w, b]) t?.dispose();
  });
});
