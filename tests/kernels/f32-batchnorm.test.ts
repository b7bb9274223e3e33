/**
 * f32_batchnorm_simd through batchNorm against tfjs-cpu over channels around the vector steps,
 * with and without offset and scale.
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

describe("f32_batchnorm_simd", () => {
  const combos = [["offset and scale", true, "yes"], ["neither", false, "no"], ["offset only", true, "no"], ["scale [2] only", false, "[2]"]] as const;
  const cases = [1, 2, 3, 4, 5, 8, 9, 16, 17].flatMap((c) => combos.map(([name, o, s]) => [c, name, o, s] as const));
  it.each(cases)("%i channels vs tfjs-cpu, %s", (c, _name, withOffset, withScale) => {
    const rand = rng(c);
    const shape = [2, 3, 2, c];
    const x = randomData(size(shape), rand).map((v) => v * 4);
    const mean = randomData(c, rand), variance = randomData(c, rand).map((v) => Math.abs(v) + 0.1);
    const offset = randomData(c, rand), scale = randomData(c, rand);
    const o = withOffset ? offset : undefined;
    const s = withScale === "yes" ? scale : withScale === "[2]" ? [2] : undefined;
    const want = tf.tidy(() => tf.batchNorm(tf.tensor(x, shape), tf.tensor1d(mean), tf.tensor1d(variance), o && tf.tensor1d(o), s && tf.tensor1d(s as ArrayLike<number> as Float32Array), 0.01).dataSync());
    const y = sc.batchNorm(sc.tensor(x, shape), mean, variance, o, s, 0.01);
    expect(y.shape).toEqual(shape);
    expectClose(y.dataSync(), want, 8, `c=${c}`);
  });
});
