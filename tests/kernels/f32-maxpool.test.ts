/**
 * The maxPool kernels on their edge cases: channel counts below, at and above the 4- and
 * 16-channel steps, whole 2×2 windows (f32_maxpool_2x2_nhwc_simd: VALID at strides 1, 2 and 3)
 * next to windows cut by padding (f32_maxpool_nhwc_simd), NaN and ±Infinity inputs.
 */
import { describe, expect, it } from "vitest";
import { maxPool, tensor } from "../../src/index.js";
import { maxPoolRef, randomData, rng } from "../helpers/reference.js";

describe("f32_maxpool_nhwc_simd and f32_maxpool_2x2_nhwc_simd", () => {
  const cases: [number[], number, number, "same" | "valid"][] = [];
  // 20 and 52: a 16-channel step followed by a 4-channel one.
  for (const c of [1, 3, 4, 5, 16, 17, 20, 35, 52])
    for (const [k, s, pad] of [[2, 2, "valid"], [2, 1, "valid"], [2, 3, "valid"], [2, 2, "same"], [3, 2, "same"], [2, 1, "same"], [3, 1, "valid"]] as const)
      cases.push([[2, 5, 7, c], k, s, pad]);

  it.each(cases)("x %j, window %i, stride %i, %s matches the reference exactly", (shape, k, s, pad) => {
    const rand = rng(shape[3] * 31 + k * 7 + s);
    const x = randomData(shape.reduce((a, b) => a * b, 1), rand);
    x[3] = NaN; // never wins, as in TensorFlow.js
    x[x.length - 2] = Infinity;
    const got = maxPool(tensor(x, shape), k, s, pad);
    const want = maxPoolRef(x, shape as [number, number, number, number], [k, k], [s, s], pad);
    expect(got.shape).toEqual(want.shape);
    expect(Array.from(got.dataSync())).toEqual(Array.from(want.y, Math.fround));
    got.dispose();
  });
});
