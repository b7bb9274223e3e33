/**
 * The GEMM kernels (assembly/f32-gemm/) called directly as 1×1 convolutions over their edge-case
 * grid (tests/kernels/conv.ts): ci around the unroll, co around NR (8), pixel counts around MR,
 * batch > 1, bias and relu6; each against the float64 reference, split in two calls.
 */
import { describe, it } from "vitest";
import { backend } from "../../src/loader/backend.js";
import { check, gemm, gemmGrid, named } from "./conv.js";

describe.each(["f32_gemm_minmax_4x8_loadsplat_simd"] as const)(`%s (${backend().build} build)`, (name) => {
  it.each(named(gemmGrid()))("%s", (_name, c, i) => {
    check(gemm(name), c, 100 + i);
  });
});
