/**
 * f32_vtanh_simd (tanh) through its op: within its ulp bound of float64 over a dense grid of
 * values, and lengths around the vector width.
 */
import { describe, it } from "vitest";
import { LENGTHS, expectLength, expectWithinBound } from "./unary.js";

describe("f32_vtanh_simd", () => {
  it("tanh is within its ulp bound on a dense grid", () => expectWithinBound("tanh"));
  it.each(LENGTHS)("tanh, length %i: input untouched, nothing leaked", (n) => expectLength("tanh", n));
});
