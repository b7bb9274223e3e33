// The GEMM and indirect-GEMM kernels are generated from one template and committed; this
// keeps a hand edit (or a template change without regenerating) from slipping through.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generatedKernels } from "../../scripts/gen-gemm.mjs";

describe("generated kernels", () => {
  const files = generatedKernels() as Map<string, string>;
  it("covers every tile", () => expect(files.size).toBeGreaterThanOrEqual(4));
  for (const [file, code] of files) {
    it(`assembly/${file} is what scripts/gen-gemm.mjs writes`, () => {
      const committed = readFileSync(new URL(`../../assembly/${file}`, import.meta.url), "utf8");
      expect(committed).toBe(code);
    });
  }
});
