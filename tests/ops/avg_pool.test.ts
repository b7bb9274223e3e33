/**
 * avgPool against a float64 reference over channels 1..17 and window/stride/pad combinations,
 * against tfjs-cpu on random configurations (NaN and ±Infinity included), windows over padding
 * only, and bad arguments by name.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as sc from "../../src/index.js";
import { padding1d, randomData, rng } from "../helpers/reference.js";
import { expectClose, size } from "../helpers/close.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

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

describe("avgPool", () => {
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

  describe("matches tfjs-cpu on random configurations, NaN and ±Infinity included", () => {
    // One seeded stream draws every configuration and its data, in order.
    const rand = rng(77);
    const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
    const random: [string, [number, number, number, number], [number, number], [number, number], "same" | "valid", Float32Array][] = [];
    for (let i = 0; i < 40; i++) {
      const shape = [int(1, 2), int(1, 9), int(1, 9), int(1, 17)] as [number, number, number, number];
      const f: [number, number] = [int(1, 4), int(1, 4)];
      const st: [number, number] = [int(1, 3), int(1, 3)];
      const pad = rand() < 0.5 ? "same" : "valid";
      if (pad === "valid" && (f[0] > shape[1] || f[1] > shape[2])) continue;
      const x = randomData(size(shape), rand);
      if (i % 5 === 0) x[int(0, x.length - 1)] = [NaN, Infinity, -Infinity][i % 3];
      random.push([`case ${i}: x=${shape.join("x")} k=${f.join("x")} s=${st.join("x")} pad=${pad}`, shape, f, st, pad, x]);
    }
    it.each(random)("%s", (name, shape, f, st, pad, x) => {
      const want = tf.tidy(() => tf.avgPool(tf.tensor4d(x, shape), f, st, pad).dataSync());
      expectClose(sc.avgPool(sc.tensor(x, shape), f, st, pad).dataSync(), want, 1, name);
    });
  });

  it("a window over explicit padding only gives NaN, as tfjs-cpu", () => {
    const pad = [[0, 0], [2, 0], [0, 0], [0, 0]] as [[number, number], [number, number], [number, number], [number, number]];
    const want = tf.tidy(() => tf.avgPool(tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]), 1, 2, pad).dataSync());
    const got = sc.avgPool(sc.tensor([1, 2, 3, 4], [1, 2, 2, 1]), 1, 2, pad).dataSync();
    expect(Array.from(got)).toEqual(Array.from(want));
    expect(got[0]).toBeNaN();
  });

  it("rejects bad arguments by name", () => {
    expect(() => sc.avgPool([1, 2], 2, 1, "valid")).toThrow(/avgPool: x must be rank 4/);
    expect(() => sc.avgPool(sc.tensor(new Float32Array(4), [1, 2, 2, 1]), 0, 1, "valid")).toThrow(/avgPool: filterSize/);
    expect(() => sc.avgPool(sc.tensor(new Float32Array(4), [1, 2, 2, 1]), 2, [1, 1, 1] as never, "valid")).toThrow(/avgPool: strides/);
  });
});
