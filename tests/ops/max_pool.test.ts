import { describe, expect, it, beforeAll } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { maxPoolCases, poolInput, runPoolCase } from "../helpers/cases.js";
import { maxPoolRef } from "../helpers/reference.js";
import { maxPool, memory, tensor } from "../../src/index.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("maxPool vs the float64 reference, over the conformance grid", () => {
  it.each(maxPoolCases.map((c, i) => [c.name, c, i] as const))("%s", (_name, c, i) => {
    const x = poolInput(c, 2000 + i);
    const want = maxPoolRef(x, c.x, c.filterSize, c.strides, c.pad);
    const before = memory();
    const got = runPoolCase(c, x);
    expect(got.shape).toEqual(want.shape);
    // A max is exact: every output is one of the inputs.
    expect(got.data).toEqual(Float32Array.from(want.y));
    expect(memory()).toEqual(before);
  });
});

describe("maxPool on NaN and infinities, as tfjs-cpu", () => {
  const tfMaxPool = (data: number[], shape: number[], k: number, s: number, pad: "same" | "valid") =>
    tf.tidy(() => tf.maxPool(tf.tensor4d(data, shape as [number, number, number, number]), k, s, pad).dataSync());

  const cases: [string, number[], number[], number, number, "same" | "valid"][] = [
    ["a NaN among numbers never wins", [1, NaN, 3, 2, NaN, -5, 0, 4], [1, 2, 2, 2], 2, 2, "valid"],
    ["an all-NaN window gives -Infinity", [NaN, NaN, NaN, NaN], [1, 2, 2, 1], 2, 2, "valid"],
    ["-Infinity and +Infinity", [-Infinity, -Infinity, -Infinity, Infinity, 1, 2], [1, 2, 3, 1], 2, 1, "same"],
    ["NaN at the padded edge", [NaN, 1, 2, NaN, NaN, -1, -2, NaN, 7], [1, 3, 3, 1], 2, 2, "same"],
    ["a 1×1 window, stride 1, passes NaN through (tfjs-cpu copies)", [NaN, 1, -Infinity, 2], [1, 2, 2, 1], 1, 1, "same"],
    ["a 1×1 window, stride 2, drops nothing but the skipped pixels", [NaN, 1, -Infinity, 2, 5, 6, 7, 8, 9], [1, 3, 3, 1], 1, 2, "valid"],
  ];
  it.each(cases)("%s", (_name, data, shape, k, s, pad) => {
    const want = tfMaxPool(data, shape, k, s, pad);
    const y = maxPool(tensor(data, shape), k, s, pad);
    expect(Array.from(y.dataSync())).toEqual(Array.from(want));
    y.dispose();
  });
});

describe("maxPool arguments", () => {
  it("accepts a TensorLike and a rank-3 input", () => {
    const y = maxPool([[[1], [5]], [[3], [2]]], 2, 1, "valid");
    expect(y.shape).toEqual([1, 1, 1]);
    expect(y.dataSync()[0]).toBe(5);
  });

  it("padding never wins, even where every input is negative", () => {
    const y = maxPool(tensor([-3, -2, -9, -4], [1, 2, 2, 1]), 3, 1, "same");
    expect(Array.from(y.dataSync())).toEqual([-2, -2, -2, -2]);
  });

  it("a window that covers only explicit padding gives -Infinity", () => {
    const y = maxPool(tensor([1, 2, 3, 4], [1, 2, 2, 1]), 1, 2, [[0, 0], [2, 0], [0, 0], [0, 0]]);
    expect(y.shape).toEqual([1, 2, 1, 1]);
    expect(Array.from(y.dataSync())).toEqual([-Infinity, 1]);
  });
});
