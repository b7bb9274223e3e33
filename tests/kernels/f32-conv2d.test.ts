/**
 * The direct 1-channel conv kernel (assembly/f32-conv2d/) called directly on its edge-case grid
 * (tests/kernels/conv.ts): widths around its 8-output step, 1×1, 3×3 and 5×5 filters, SAME, VALID
 * and explicit pads, strides, dilations, bias and activations; against the float64 reference.
 */
import { describe, it } from "vitest";
import { backend } from "../../src/loader/backend.js";
import { check, direct1, direct1Grid, named } from "./conv.js";

describe(`f32_conv2d_nhwc_c1_minmax_w8_simd (${backend().build} build)`, () => {
  it.each(named(direct1Grid()))("%s", (_name, c, i) => {
    check(direct1, c, 100 + i);
  });
});
