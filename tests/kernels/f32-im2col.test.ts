/**
 * The few-channel path's gather (assembly/f32-im2col/) followed by each GEMM it feeds, called
 * directly on the IGEMM edge-case grid (tests/kernels/conv.ts); the gather itself is split in two
 * calls too. Against the float64 reference.
 */
import { describe, it } from "vitest";
import { backend } from "../../src/loader/backend.js";
import { check, igemmGrid, im2colGemm, named } from "./conv.js";

describe.each(["f32_gemm_minmax_4x8_loadsplat_simd"] as const)(`f32_im2col_nhwc + %s (${backend().build} build)`, (gemmName) => {
  it.each(named(igemmGrid()))("%s", (_name, c, i) => {
    check(im2colGemm(gemmName), c, 100 + i);
  });
});
