/**
 * prelu: slopes broadcast as tfjs-cpu, per-channel slopes on random shapes against tfjs-cpu,
 * and slopes that do not broadcast rejected.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as sc from "../../src/index.js";
import { randomData, rng } from "../helpers/reference.js";
import { expectNearTfjs, randomShapes } from "../helpers/activations.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("prelu broadcasting", () => {
  const x = randomData(2 * 3 * 4, rng(9)).map((v) => v * 3);
  it.each([[[1]], [[4]], [[1, 4]], [[3, 4]], [[3, 1]], [[2, 1, 4]], [[2, 3, 4]], [[1, 1, 1, 4]]])("alpha shape %j", (ashape) => {
    const a = randomData(ashape.reduce((p, d) => p * d, 1), rng(3));
    const want = tf.tidy(() => tf.prelu(tf.tensor(x, [2, 3, 4]), tf.tensor(a, ashape)).dataSync());
    expect(Array.from(sc.prelu(sc.tensor(x, [2, 3, 4]), sc.tensor(a, ashape)).dataSync())).toEqual(Array.from(want));
  });
  it("rejects slopes that do not broadcast to x, naming the shapes", () => {
    expect(() => sc.prelu(sc.tensor(x, [2, 3, 4]), [1, 2, 3])).toThrow(RangeError);
    expect(() => sc.prelu(sc.tensor(x, [2, 3, 4]), [1, 2, 3])).toThrow(/prelu: Operands could not be broadcast together with shapes 2,3,4 and 3/);
    expect(() => sc.prelu(sc.tensor(x, [2, 3, 4]), sc.tensor(new Float32Array(8), [2, 1, 1, 4]))).toThrow(RangeError);
  });
});

describe("against tfjs-cpu on random shapes", () => {
  it.each(randomShapes().map((c) => [c.name, c] as const))("prelu per channel %s", (_n, { shape, data, alpha }) => {
    const want = tf.tidy(() => tf.prelu(tf.tensor(data, shape), tf.tensor(alpha)).dataSync());
    const y = sc.prelu(sc.tensor(data, shape), alpha);
    expect(y.shape).toEqual(shape);
    expectNearTfjs(y.dataSync(), want, "prelu per channel");
    y.dispose();
  });
});
