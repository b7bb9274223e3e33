/**
 * avgPool against tfjs-cpu on random configurations (NaN and ±Infinity included), windows over
 * padding only, and bad arguments by name. Its kernel's grid against float64 is in
 * tests/kernels/f32-avgpool.test.ts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as sc from "../../src/index.js";
import { randomData, rng } from "../helpers/reference.js";
import { expectClose, size } from "../helpers/close.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("avgPool", () => {
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
