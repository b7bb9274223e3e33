/**
 * f32_im2col_nhwc_1x1 (the gather of a strided, unpadded 1×1 conv) followed by each plain
 * GEMM, against the float64 reference on an edge-case grid: ci below, at and above the
 * 4-float vector copy; co around the 8-channel block; widths
 * around the 4-pixel tile; strides 2 and 3 (and 1 along one axis), sizes that the
 * stride does and does not divide, batch > 1, bias and each activation. The gather runs over
 * split row ranges and at a row base, as the path's chunking calls it, and must give the same
 * bits as one call.
 */
import { describe, expect, it } from "vitest";
import { backend } from "../../src/loader/backend.js";
import { debugKernels } from "../helpers/debug-kernels.js";
import { tensor } from "../../src/index.js";
import { packedWeights } from "../../src/ops/conv2d_packing.js";
import { conv2dRef, padding1d, randomData, rng, worstError, type Conv2DCase } from "../helpers/reference.js";
import { named } from "./conv.js";

type Act = "linear" | "relu" | "relu6";
const BOUNDS: Record<Act, [number, number]> = { linear: [-Infinity, Infinity], relu: [0, Infinity], relu6: [0, 6] };
type GemmName = "f32_gemm_minmax_4x8_loadsplat_simd";

interface Case extends Conv2DCase {
  bias: boolean;
  act: Act;
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

function grid(): Case[] {
  const out: Case[] = [];
  const acts: Act[] = ["linear", "relu", "relu6"];
  let i = 0;
  for (const ci of [1, 2, 3, 4, 5, 7, 8, 9, 33])
    for (const co of [1, 7, 8, 9, 17])
      for (const [h, w, sh, sw] of [[1, 1, 2, 2], [5, 9, 2, 2], [6, 13, 2, 2], [7, 25, 3, 3], [4, 11, 1, 2], [9, 4, 3, 1]]) {
        out.push({
          x: [i % 5 === 0 ? 2 : 1, h, w, ci], filter: [1, 1, ci, co], strides: [sh, sw], dilations: [1, 1],
          pad: "valid", bias: i % 2 === 0, act: acts[i % 3],
        });
        i++;
      }
  return out;
}

/** Gathers rows [r0, r1) of the flattened (batch × ho) range in three calls at row base r0, then one GEMM. */
function run(c: Case, gemm: GemmName, x: Float32Array, w: Float32Array, b: Float32Array | undefined, splits: number[]) {
  const [n, h, wd, ci] = c.x;
  const co = c.filter[3];
  const [, , ho] = padding1d(h, 1, c.strides[0], 1, "valid");
  const [, , wo] = padding1d(wd, 1, c.strides[1], 1, "valid");
  const rows = n * ho;
  const xt = tensor(x, c.x);
  const wt = tensor(w, c.filter);
  const bt = b && tensor(b, [co]);
  const packed = packedWeights(wt, bt, ci, co);
  const y = tensor(new Float32Array(rows * wo * co).fill(NaN));
  const [lo, hi] = BOUNDS[c.act];
  // Chunks of rows as the path makes them: [r0, r1) gathered at row base r0, itself split.
  for (let s = 0; s < splits.length - 1; s++) {
    const r0 = splits[s], r1 = splits[s + 1];
    if (r1 <= r0) continue;
    const col = tensor(new Float32Array((r1 - r0) * wo * ci + 4).fill(NaN));
    const mid = (r1 - r0) >> 1;
    debugKernels().f32_im2col_nhwc_1x1(xt.ptr(), col.ptr(), h, wd, ci, ho, wo, c.strides[0], c.strides[1], r0, mid, r1 - r0);
    debugKernels().f32_im2col_nhwc_1x1(xt.ptr(), col.ptr(), h, wd, ci, ho, wo, c.strides[0], c.strides[1], r0, 0, mid);
    debugKernels()[gemm](col.ptr(), packed, y.ptr() + r0 * wo * co * 4, ci, co, wo, lo, hi, 0, r1 - r0);
    col.dispose();
  }
  const got = y.dataSync().slice();
  for (const t of [xt, wt, bt, y]) t?.dispose();
  return { got, rows };
}

describe(`f32_im2col_nhwc_1x1 + GEMM (${backend().build} build)`, () => {
  describe.each(["f32_gemm_minmax_4x8_loadsplat_simd"] as const)("with %s", (gemm) => {
    it.each(named(grid()))("%s: the float64 reference, the same bits for any chunking", (_name, c, i) => {
      const rand = rng(500 + i);
      const x = randomData(size(c.x), rand);
      const w = randomData(size(c.filter), rand);
      const b = c.bias ? randomData(c.filter[3], rand) : undefined;
      const rows = c.x[0] * padding1d(c.x[1], 1, c.strides[0], 1, "valid")[2];
      const whole = run(c, gemm, x, w, b, [0, rows]).got;
      const chunked = run(c, gemm, x, w, b, [0, Math.floor(rows / 3), rows - 1, rows]).got;
      expect(Array.from(chunked), `${JSON.stringify(c)}: chunked run differs`).toEqual(Array.from(whole));
      const want = conv2dRef(x, c, b, c.act, w);
      const { err, at } = worstError(whole, want);
      expect(err, `${JSON.stringify(c)}: worst at ${at}: got ${whole[at]}, want ${want.y[at]}`).toBeLessThanOrEqual(c.filter[2] / 16 + 1);
    });
  });

  it("traps in the debug build when a tap would lie outside the image", () => {
    const x = tensor(new Float32Array(5 * 5 * 4), [1, 5, 5, 4]);
    const col = tensor(new Float32Array(4 * 4 * 4));
    // ho = 3 at stride 2 reaches row 4 (inside); ho = 4 would reach row 6 of 5.
    expect(() => debugKernels().f32_im2col_nhwc_1x1(x.ptr(), col.ptr(), 5, 5, 4, 3, 2, 2, 2, 0, 0, 3)).not.toThrow();
    expect(() => debugKernels().f32_im2col_nhwc_1x1(x.ptr(), col.ptr(), 5, 5, 4, 4, 2, 2, 2, 0, 0, 1)).toThrow(WebAssembly.RuntimeError);
    x.dispose();
    col.dispose();
  });
});
