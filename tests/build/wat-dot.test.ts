/**
 * The dot-product conv kernels (one and 2–4 output channels) and the strided 1×1 gather keep
 * their SIMD ops in the built .wat: vector multiply-adds over the filter rows, the lane masks
 * of a run's last step, the transposing lane sums; never a scalar multiply.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

function body(build: string, name: string): string {
  const wat = readFileSync(new URL(`../../build/simdconv-${build}.wat`, import.meta.url), "utf8");
  const chunk = wat.split("\n (func $").slice(1).find((c) => c.slice(0, c.indexOf(" ")).split("/").pop() === name);
  expect(chunk, `${name} missing from the .wat`).toBeDefined();
  return chunk!;
}

const count = (text: string, op: string) => text.split(op).length - 1;
const builds = process.env.SIMDCONV_BUILD ? [process.env.SIMDCONV_BUILD] : ["simd", "relaxed-simd"];

for (const build of builds) {
  describe(`${build}.wat`, () => {
    const madd = build === "relaxed-simd" ? "f32x4.relaxed_madd" : "f32x4.mul";

    it.each([
      // [kernel, multiply-adds (whole steps + masked step + one-pixel columns), masks]
      ["f32_conv2d_nhwc_co1_minmax_w4_dot_simd", 4 + 4 + 1, 4 + 1],
      ["f32_conv2d_nhwc_minmax_2x4_dot_simd", 8 + 8 + 4, 2],
    ] as const)("%s multiplies on vectors, masks its last step and sums lanes by shuffles", (name, madds, masks) => {
      const b = body(build, name);
      expect(count(b, madd)).toBeGreaterThanOrEqual(madds);
      expect(count(b, "v128.and")).toBeGreaterThanOrEqual(masks);
      expect(count(b, "i8x16.shuffle")).toBeGreaterThanOrEqual(6);
      expect(count(b, "f32.mul")).toBe(0);
      if (build === "relaxed-simd") expect(count(b, "f32x4.mul")).toBe(0);
    });

    it("f32_im2col_nhwc_1x1 copies whole vectors", () => {
      const b = body(build, "f32_im2col_nhwc_1x1");
      expect(count(b, "v128.load")).toBeGreaterThanOrEqual(2);
      expect(count(b, "v128.store")).toBeGreaterThanOrEqual(2);
    });
  });
}
