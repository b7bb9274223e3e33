/**
 * The IGEMM kernels (assembly/f32-igemm/) called directly on their edge-case grid (tests/kernels/conv.ts):
 * ci from 1 to 16, wo around MR (4), co around NR (8), strides, dilations,
 * explicit pads, bias and activations; each against the float64 reference, split in two calls.
 */
import { describe, it } from "vitest";
import { backend } from "../../src/loader/backend.js";
import { check, igemm, igemmGrid, named } from "./conv.js";

describe.each(["f32_igemm_nhwc_minmax_4x8_loadsplat_simd"] as const)(`%s (${backend().build} build)`, (name) => {
  it.each(named(igemmGrid()))("%s", (_name, c, i) => {
    check(igemm(name), c, 100 + i);
  });
});
