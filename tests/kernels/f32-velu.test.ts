/**
 * f32_velu_simd (elu and selu) through their ops: within their ulp bound of float64 over a
 * dense grid of values, and lengths around the vector width.
 */
import { describe, it } from "vitest";
import { LENGTHS, expectLength, expectWithinBound } from "./unary.js";

describe("f32_velu_simd", () => {
  it.each(["elu", "selu"])("%s is within its ulp bound on a dense grid", (name) => expectWithinBound(name));
  it.each((["elu", "selu"] as const).flatMap((op) => LENGTHS.map((n) => [op, n] as const)))("%s, length %i: input untouched, nothing leaked", (op, n) => expectLength(op, n));
});
