/**
 * The elementwise activations of unary.ts (sigmoid, tanh, elu, selu, leakyRelu): against
 * tfjs-cpu on NaN/±Infinity and random shapes, and rejecting bad arguments by name (prelu's and
 * softmax's too). Their kernels' float64 error bounds and length grids are in tests/kernels/.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as sc from "../../src/index.js";
import { expectNearTfjs, randomShapes, ulps } from "../helpers/activations.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

type Unary = "sigmoid" | "tanh" | "elu" | "selu" | "leakyRelu";
const unary: Unary[] = ["sigmoid", "tanh", "elu", "selu", "leakyRelu"];

describe("NaN, ±Infinity, ±0 and extremes as tfjs-cpu", () => {
  const special = [NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 3.4e38, -3.4e38, 88, -88, 100, -100, 20, -20];
  const tfOf: Record<Unary, (t: tf.Tensor) => tf.Tensor> = {
    sigmoid: tf.sigmoid, tanh: tf.tanh, elu: tf.elu, selu: tf.selu, leakyRelu: (t) => tf.leakyRelu(t),
  };
  it.each(unary)("%s", (op) => {
    const want = tf.tidy(() => tfOf[op](tf.tensor1d(special)).dataSync());
    const got = sc[op](special).dataSync();
    special.forEach((v, i) => {
      if (Number.isNaN(want[i])) expect(got[i], `${op}(${v})`).toBeNaN();
      else expect(ulps(got[i], want[i]), `${op}(${v}) = ${got[i]}, tfjs ${want[i]}`).toBeLessThanOrEqual(4);
    });
  });
});

describe("against tfjs-cpu on random shapes", () => {
  const tfOf: Record<Unary, (t: tf.Tensor) => tf.Tensor> = {
    sigmoid: tf.sigmoid, tanh: tf.tanh, elu: tf.elu, selu: tf.selu, leakyRelu: (t: tf.Tensor) => tf.leakyRelu(t),
  };
  const ops: [string, (x: sc.Tensor) => sc.Tensor, (x: tf.Tensor) => tf.Tensor][] = [
    ...unary.map((op) => [op, (x: sc.Tensor) => sc[op](x), tfOf[op]] as [string, (x: sc.Tensor) => sc.Tensor, (x: tf.Tensor) => tf.Tensor]),
    ["leakyRelu 0.01", (x) => sc.leakyRelu(x, 0.01), (x) => tf.leakyRelu(x, 0.01)],
  ];
  const cases = randomShapes().flatMap((c) => ops.map(([name, ours, theirs]) => [`${name} ${c.name}`, c, name, ours, theirs] as const));
  it.each(cases)("%s", (_n, { shape, data }, name, ours, theirs) => {
    const want = tf.tidy(() => theirs(tf.tensor(data, shape)).dataSync());
    const y = ours(sc.tensor(data, shape));
    expect(y.shape, name).toEqual(shape);
    expectNearTfjs(y.dataSync(), want, name);
    y.dispose();
  });
});

describe("bad arguments", () => {
  it("name the parameter", () => {
    for (const op of unary) expect(() => sc[op]("nope" as never)).toThrow(new RegExp(`^Argument 'x' passed to '${op}' must be`));
    expect(() => sc.leakyRelu([1], "0.1" as never)).toThrow(TypeError);
    expect(() => sc.leakyRelu([1], "0.1" as never)).toThrow(/leakyRelu: alpha must be a number/);
    expect(() => sc.prelu([1], {} as never)).toThrow(/'alpha' passed to 'prelu' must be a Tensor/);
    expect(() => sc.softmax([[1, 2]], 0)).toThrow(RangeError);
    expect(() => sc.softmax([[1, 2]], 0)).toThrow("Softmax along a non-last dimension is not yet supported. Logits was rank 2 and dim was 0");
    expect(() => sc.softmax([[1, 2]], 1.5)).toThrow(/softmax: dim must be an integer/);
    expect(() => sc.softmax(3)).toThrow(RangeError);
    const d = sc.tensor([1]);
    d.dispose();
    expect(() => sc.sigmoid(d)).toThrow(/sigmoid: x is disposed/);
    // The library keeps working.
    expect(sc.sigmoid([0]).dataSync()[0]).toBe(0.5);
  });
});
