/**
 * The kernels' assert() preconditions: kept in the debug builds the kernel tests run
 * (tests/helpers/debug-kernels.ts), stripped from the shipped ones. Every export must check at least
 * its pointers and sizes, so a new kernel without preconditions fails the first test.
 */
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { backend } from "../../src/loader/backend.js";
import { REQUIRED_EXPORTS, type Kernels } from "../../src/loader/kernels.gen.js";
import { tensor } from "../../src/index.js";
import { debugKernels } from "../helpers/debug-kernels.js";

const call = (name: keyof Kernels, args: number[]) => () =>
  (debugKernels()[name] as (...a: number[]) => void)(...args);

describe(`kernel preconditions (${backend().build} debug build)`, () => {
  it.each(REQUIRED_EXPORTS.map((n) => [n]))("%s traps on null pointers and zero sizes", (name) => {
    const arity = (debugKernels()[name] as (...a: number[]) => void).length;
    expect(call(name, new Array(arity).fill(0))).toThrow(/unreachable/);
  });

  describe("and on one broken condition among valid arguments", () => {
    // x: 2×4×4×8 NHWC; y: room for any output below; packed: one 8-channel block, K = 8.
    const x = tensor(new Float32Array(2 * 4 * 4 * 8), [2, 4, 4, 8]);
    const y = tensor(new Float32Array(2 * 4 * 4 * 8));
    const packed = tensor(new Float32Array(8 + 8 * 8));
    const X = x.ptr();
    const Y = y.ptr();
    const P = packed.ptr();
    afterAll(() => [x, y, packed].forEach((t) => t.dispose()));
    const cases: [string, keyof Kernels, number[], number[]][] = [
      // [what, kernel, valid arguments, the same with one condition broken]
      ["a range with r0 > r1", "f32_gemm_minmax_4x8_loadsplat_simd", [X, P, Y, 8, 8, 4, -Infinity, Infinity, 0, 2], [X, P, Y, 8, 8, 4, -Infinity, Infinity, 2, 1]],
      ["packed weights not 16-byte aligned", "f32_gemm_minmax_4x8_loadsplat_simd", [X, P, Y, 8, 8, 4, 0, 6, 0, 2], [X, P + 4, Y, 8, 8, 4, 0, 6, 0, 2]],
      ["outMin > outMax", "f32_gemm_minmax_4x8_loadsplat_simd", [X, P, Y, 8, 8, 4, 0, 6, 0, 2], [X, P, Y, 8, 8, 4, 6, 0, 0, 2]],
      ["a 2×2 window past the image", "f32_maxpool_2x2_nhwc_simd", [X, Y, 4, 4, 8, 2, 2, 2, 2, 0, 2], [X, Y, 4, 4, 8, 3, 2, 2, 2, 0, 2]],
      ["a negative pad", "f32_maxpool_nhwc_simd", [X, Y, 4, 4, 8, 2, 2, 2, 2, 2, 2, 0, 0, 0, 2], [X, Y, 4, 4, 8, 2, 2, 2, 2, 2, 2, -1, 0, 0, 2]],
      ["a negative count", "f32_vclamp_simd", [X, Y, 16, 0, 6], [X, Y, -16, 0, 6]],
      ["a zero stride", "f32_im2col_nhwc", [X, Y, 4, 4, 8, 4, 4, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1], [X, Y, 4, 4, 8, 4, 4, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0, 1]],
    ];
    it.each(cases)("%s (%s)", (_what, name, ok, broken) => {
      expect(call(name, ok)).not.toThrow();
      expect(call(name, broken)).toThrow(/unreachable/);
    });
  });
});

describe("the shipped builds", () => {
  it.each(["simd", "relaxed-simd"])("%s has no assert traps (compiled with --noAssert)", (build) => {
    const wat = readFileSync(new URL(`../../build/simdconv-${build}.wat`, import.meta.url), "utf8");
    expect(wat).toContain("(func ");
    expect(wat).not.toContain("unreachable");
  });
});
