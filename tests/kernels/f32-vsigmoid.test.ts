/**
 * f32_vsigmoid_simd (sigmoid, and swish as a pass) through its op: within its ulp bound of
 * float64 over a dense grid of values, and lengths around the vector width.
 */
import { describe, it } from "vitest";
import { LENGTHS, expectLength, expectWithinBound } from "./unary.js";

describe("f32_vsigmoid_simd", () => {
  it.each(["sigmoid", "swish"])("%s is within its ulp bound on a dense grid", (name) => expectWithinBound(name));
  it.each(LENGTHS)("sigmoid, length %i: input untouched, nothing leaked", (n) => expectLength("sigmoid", n));
});
