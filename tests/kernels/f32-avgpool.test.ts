/**
 * f32_avgpool_nhwc_simd through avgPool against a float64 reference over channels 1..17 (around
 * the vector steps) and window/stride/pad combinations, padding taps left out of the count.
 */
import { describe, expect, it } from "vitest";
import * as sc from "../../src/index.js";
import { padding1d, randomData, rng } from "../helpers/reference.js";
import { expectClose, size } from "../helpers/close.js";

/** float64 average pooling with TF's padding; padding taps left out of sum and count. */
function avgPoolRef(x: ArrayLike<number>, [n, h, w, c]: number[], k: [number, number], s: [number, number], pad: "same" | "valid") {
  const [pt, , ho] = padding1d(h, k[0], s[0], 1, pad);
  const [pl, , wo] = padding1d(w, k[1], s[1], 1, pad);
  const y = new Float64Array(n * ho * wo * c);
  for (let b = 0; b < n; b++) for (let oy = 0; oy < ho; oy++) for (let ox = 0; ox < wo; ox++) for (let ch = 0; ch < c; ch++) {
    let sum = 0, cnt = 0;
    for (let ky = 0; ky < k[0]; ky++) for (let kx = 0; kx < k[1]; kx++) {
      const iy = oy * s[0] - pt + ky, ix = ox * s[1] - pl + kx;
      if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
      sum += x[((b * h + iy) * w + ix) * c + ch];
      cnt++;
    }
    y[((b * ho + oy) * wo + ox) * c + ch] = sum / cnt;
  }
  return { shape: [n, ho, wo, c], y };
}

describe("f32_avgpool_nhwc_simd", () => {
  const cases: [number[], number, number, "same" | "valid"][] = [];
  for (const c of [1, 2, 3, 4, 5, 7, 8, 9, 16, 17])
    for (const [k, s, pad] of [[2, 2, "valid"], [3, 1, "same"], [3, 2, "same"], [2, 3, "valid"], [5, 1, "same"]] as const) cases.push([[2, 5, 6, c], k, s, pad]);
  it.each(cases)("x %j, window %i, stride %i, %s vs float64", (shape, k, s, pad) => {
    const x = randomData(size(shape), rng(shape[3] * 13 + k * 3 + s));
    const want = avgPoolRef(x, shape, [k, k], [s, s], pad);
    const before = sc.memory();
    const y = sc.avgPool(sc.tensor(x, shape), k, s, pad);
    expect(y.shape).toEqual(want.shape);
    expectClose(y.dataSync(), want.y, 1, "avgPool");
    sc.dispose(y);
    expect(sc.memory().numBytes).toBe(before.numBytes + size(shape) * 4);
  });
});
