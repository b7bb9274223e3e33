/**
 * f32_vlrelu_simd (leakyRelu) through its op: lengths around the vector width against float64.
 * prelu's per-channel kernel is tested through prelu (tests/ops/prelu.test.ts).
 */
import { describe, it } from "vitest";
import { LENGTHS, expectLength } from "./unary.js";

describe("f32_vlrelu_simd", () => {
  it.each(LENGTHS)("leakyRelu, length %i: input untouched, nothing leaked", (n) => expectLength("leakyRelu", n));
});
