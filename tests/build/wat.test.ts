/**
 * The hot loops still contain the SIMD ops they were written with: a compiler change that
 * scalarised a kernel, or dropped relaxed_madd from the relaxed build, fails here rather than
 * only in the bench. Reads the .wat text that `npm run build` writes beside each .wasm.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

function functions(build: string): Map<string, string> {
  const wat = readFileSync(new URL(`../../build/simdconv-${build}.wat`, import.meta.url), "utf8");
  const out = new Map<string, string>();
  for (const chunk of wat.split("\n (func $").slice(1)) {
    const name = chunk.slice(0, chunk.indexOf(" ")).split("/").pop()!;
    out.set(name, chunk);
  }
  return out;
}

const count = (body: string, op: string) => body.split(op).length - 1;

/**
 * [kernel, MR, NR]: each step of one input channel broadcasts MR inputs straight from memory
 * (loadsplat: v128.load32_splat, no shuffles) and issues MR·NR/4 multiply-adds on vectors.
 */
const GEMMS: [string, number, number][] = [
  ["f32_gemm_minmax_4x8_loadsplat_simd", 4, 8],
  ["f32_igemm_nhwc_minmax_4x8_loadsplat_simd", 4, 8],
];

// Each test project checks the build it runs; run alone, both are checked.
const builds = process.env.SIMDCONV_BUILD ? [process.env.SIMDCONV_BUILD] : ["simd", "relaxed-simd"];
for (const build of builds) {
  describe(`${build}.wat`, () => {
    const fns = functions(build);
    const madd = build === "relaxed-simd" ? "f32x4.relaxed_madd" : "f32x4.mul";

    it.each(GEMMS)("%s (MR %i, NR %i) multiplies on vectors, never scalars", (name, mr, nr) => {
      const body = fns.get(name)!;
      expect(body, `${name} missing from the .wat`).toBeDefined();
      expect(count(body, madd)).toBeGreaterThanOrEqual((mr * nr) / 4);
      expect(count(body, "i8x16.shuffle")).toBe(0);
      expect(count(body, "v128.load32_splat")).toBeGreaterThanOrEqual(mr);
      expect(count(body, "f32.mul")).toBe(0);
      expect(count(body, "f32x4.pmax")).toBeGreaterThanOrEqual(mr * (nr / 4));
      if (build === "relaxed-simd") expect(count(body, "f32x4.mul")).toBe(0);
    });

    it("Winograd F(2×2,3×3): the GEMM over the 16 transformed matrices multiplies with vector ops, the transforms add vectors", () => {
      const body = fns.get("f32_winograd_2x2_3x3_nhwc_minmax_4x8_simd")!;
      expect(body, "winograd kernel missing from the .wat").toBeDefined();
      // 4 tiles × 8 channels: one step (not unrolled: measured faster) of 8 multiply-adds and 4 splats.
      expect(count(body, madd)).toBeGreaterThanOrEqual(8);
      expect(count(body, "v128.load32_splat")).toBeGreaterThanOrEqual(4);
      expect(count(body, "f32.mul")).toBe(0);
      if (build === "relaxed-simd") expect(count(body, "f32x4.mul")).toBe(0);
      // Input transform (Bᵀ d B, a row pass and a column pass): 4 + 4 vector adds/subs;
      // output transform (Aᵀ M A): 8 + 8, then + bias: 4.
      expect(count(body, "f32x4.sub") + count(body, "f32x4.add")).toBeGreaterThanOrEqual(28);
      expect(count(body, "f32x4.pmax")).toBeGreaterThanOrEqual(4);
      expect(count(body, "f32x4.pmin")).toBeGreaterThanOrEqual(4);
      expect(count(body, "f32.add")).toBe(0);
    });

    it("Winograd F(4×4,3×3): the GEMM over the 36 transformed matrices multiplies with vector ops, the transforms are vector ops", () => {
      const body = fns.get("f32_winograd_4x4_3x3_nhwc_minmax_4x8_simd")!;
      expect(body, "winograd 4x4 kernel missing from the .wat").toBeDefined();
      expect(count(body, madd)).toBeGreaterThanOrEqual(8);
      expect(count(body, "v128.load32_splat")).toBeGreaterThanOrEqual(4);
      expect(count(body, "f32.mul")).toBe(0);
      expect(count(body, "f32.add")).toBe(0);
      // Input transform (Bᵀ d B, twice 6 outputs of 4 adds/subs); output transform (Aᵀ M A, two
      // passes of 4 adds/subs + 4 outputs), then + bias: 4.
      expect(count(body, "f32x4.sub") + count(body, "f32x4.add")).toBeGreaterThanOrEqual(30);
      expect(count(body, "f32x4.pmax")).toBeGreaterThanOrEqual(4);
      expect(count(body, "f32x4.pmin")).toBeGreaterThanOrEqual(4);
    });

    it("the 1-channel conv multiplies 8 outputs per step with vector ops", () => {
      const body = fns.get("f32_conv2d_nhwc_c1_minmax_w8_simd")!;
      expect(count(body, madd)).toBeGreaterThanOrEqual(18); // the 3×3 row: 9 taps × 2 vectors
      expect(count(body, "f32.mul")).toBe(0);
    });

    it("the few-channel gather copies whole filter rows with vector loads and stores", () => {
      const body = fns.get("f32_im2col_nhwc")!;
      expect(body, "f32_im2col_nhwc missing from the .wat").toBeDefined();
      expect(count(body, "v128.load")).toBeGreaterThanOrEqual(1);
      expect(count(body, "v128.store")).toBeGreaterThanOrEqual(2); // the copy and the zero fill
    });

    it("the exp kernels round by the magic bias: no float-to-int conversion, two vectors a step", () => {
      for (const name of ["f32_vsigmoid_simd", "f32_velu_simd", "f32_vtanh_simd", "f32_softmax_simd"]) {
        const body = fns.get(name)!;
        expect(body, `${name} missing from the .wat`).toBeDefined();
        expect(count(body, "i32x4.trunc_sat_f32x4_s"), name).toBe(0);
        expect(count(body, "f32x4.nearest"), name).toBe(0);
        expect(count(body, "i32x4.shl"), name).toBeGreaterThanOrEqual(1);
        if (build === "relaxed-simd") expect(count(body, "f32x4.relaxed_madd"), name).toBeGreaterThanOrEqual(7);
      }
      // Two exps in the main loop, one in the remainder's.
      expect(count(fns.get("f32_vsigmoid_simd")!, "i32x4.shl")).toBeGreaterThanOrEqual(3);
      expect(count(fns.get("f32_velu_simd")!, "i32x4.shl")).toBeGreaterThanOrEqual(3);
      if (build === "relaxed-simd") expect(count(fns.get("f32_velu_simd")!, "i32x4.relaxed_laneselect")).toBeGreaterThanOrEqual(3);
    });

    it("relu and maxPool use pmax/pmin (one instruction each on x86)", () => {
      const clamp = fns.get("f32_vclamp_simd")!;
      expect(count(clamp, "f32x4.pmax")).toBeGreaterThanOrEqual(4);
      expect(count(clamp, "f32x4.pmin")).toBeGreaterThanOrEqual(4);
      expect(count(clamp, "f32x4.max")).toBe(0);
      const pool = fns.get("f32_maxpool_nhwc_simd")!;
      expect(count(pool, "f32x4.pmax")).toBeGreaterThanOrEqual(5);
      expect(count(pool, "f32.max")).toBe(0);
      const pool2x2 = fns.get("f32_maxpool_2x2_nhwc_simd")!;
      expect(count(pool2x2, "f32x4.pmax")).toBeGreaterThanOrEqual(20); // 4 vectors × 4 taps, then 1 × 4
      expect(count(pool2x2, "f32.max")).toBe(0);
    });
  });
}
