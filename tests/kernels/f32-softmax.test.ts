/**
 * f32_softmax_simd through softmax: rows of 1 to 100 classes, around the vector width, within
 * 4 ulps of float64.
 */
import { describe, expect, it } from "vitest";
import * as sc from "../../src/index.js";
import { randomData, rng } from "../helpers/reference.js";
import { ulps } from "../helpers/activations.js";

describe("f32_softmax_simd: softmax rows", () => {
  it.each([1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 100])("%i classes match float64", (c) => {
    const data = randomData(3 * c, rng(c)).map((v) => v * 20);
    const got = sc.softmax(sc.tensor(data, [3, c])).dataSync();
    for (let r = 0; r < 3; r++) {
      const row = Array.from(data.slice(r * c, (r + 1) * c));
      const m = Math.max(...row);
      // x - max is rounded to float32 first, as tfjs does: that rounding (up to |x - max|·2^-24)
      // is the input's, not the kernel's error.
      const z = row.map((v) => Math.fround(v - m));
      const s = z.reduce((a, v) => a + Math.exp(v), 0);
      z.forEach((v, j) => expect(ulps(got[r * c + j], Math.exp(v) / s)).toBeLessThanOrEqual(4));
    }
  });
});
