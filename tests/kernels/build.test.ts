import { describe, expect, it } from "vitest";
import { capabilities } from "../../src/index.js";

describe("the build under test", () => {
  it("is the one this test project asked for, and capabilities() says so", () => {
    const want = process.env.SIMDCONV_BUILD;
    expect(want, "run through vitest.config.ts's projects").toBeDefined();
    const caps = capabilities();
    expect(caps.build).toBe(want);
    expect(caps.relaxedSimd).toBe(want === "relaxed-simd");
  });
});
