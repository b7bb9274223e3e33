/**
 * softmax: NaN and ±Infinity rows as tfjs-cpu, and random shapes against tfjs-cpu. Rows of 1 to
 * 100 classes against float64 are its kernel's test (tests/kernels/f32-softmax.test.ts).
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as sc from "../../src/index.js";
import { expectNearTfjs, randomShapes } from "../helpers/activations.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("softmax on NaN and ±Infinity, as tfjs-cpu", () => {
  const rows: [string, number[]][] = [
    ["a NaN makes the row NaN", [1, NaN, 2, 3, 4]],
    // The max pass takes 8 at a time (pmax, which may skip a NaN in either operand).
    ["a NaN first in a row of 11 makes it NaN", [NaN, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]],
    ["a NaN in the second vector of 8 makes the row NaN", [1, 2, 3, 4, 5, NaN, 7, 8, 9]],
    ["a NaN after +Infinity and a larger value (row of 9)", [1, 2, 3, 50, 5, 6, 7, 8, NaN]],
    ["+Infinity in the second vector of 8 makes the row NaN", [1, 2, 3, 4, 5, 6, Infinity, 8, 9, 10]],
    ["+Infinity makes the row NaN (∞ - ∞)", [1, Infinity, 2]],
    ["-Infinity gives 0", [-Infinity, 0, 1, 2, 3, 4, 5]],
    ["all -Infinity gives NaN", [-Infinity, -Infinity]],
    ["huge logits do not overflow", [3e38, 3.4e38, -3e38, 0, 1]],
    ["one logit gives 1", [-7]],
  ];
  it.each(rows)("softmax: %s", (_name, row) => {
    const want = tf.tidy(() => tf.softmax(tf.tensor2d([row])).dataSync());
    const got = sc.softmax([row]).dataSync();
    row.forEach((_, i) => {
      if (Number.isNaN(want[i])) expect(got[i]).toBeNaN();
      else expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(4e-7 * Math.max(1e-30, want[i]) + 1e-45);
    });
  });
});

describe("against tfjs-cpu on random shapes", () => {
  it.each(randomShapes().map((c) => [c.name, c] as const))("softmax %s", (_n, { shape, data }) => {
    const want = tf.tidy(() => tf.softmax(tf.tensor(data, shape)).dataSync());
    const y = sc.softmax(sc.tensor(data, shape));
    expect(y.shape).toEqual(shape);
    expectNearTfjs(y.dataSync(), want, "softmax");
    y.dispose();
  });
});
