/**
 * The clamp kernel (relu and relu6) on lengths around its vector steps, with NaN and ±Infinity.
 */
import { describe, expect, it } from "vitest";
import { relu, relu6 } from "../../src/index.js";
import { randomData, rng } from "../helpers/reference.js";

describe("f32_vclamp_simd", () => {
  it.each([1, 3, 4, 15, 16, 17, 67])("relu and relu6 on %i values, with NaN and ±Infinity", (n) => {
    const x = randomData(n, rng(n)).map((v) => v * 10);
    x[0] = NaN;
    if (n > 2) x[2] = -Infinity;
    if (n > 1) x[n - 1] = Infinity;
    const clamp = (lo: number, hi: number) => Array.from(x, (v) => (Number.isNaN(v) ? NaN : Math.min(Math.max(v, lo), hi)));
    expect(Array.from(relu(x).dataSync())).toEqual(clamp(0, Infinity));
    expect(Array.from(relu6(x).dataSync())).toEqual(clamp(0, 6));
  });
});
