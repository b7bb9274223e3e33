/**
 * fused.conv2d's pass activations (elu, sigmoid, leakyrelu, prelu; src/ops/fused_activation.ts)
 * against tfjs-cpu on random convs, and createConv2d keeping the activation's arguments.
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

describe("fused.conv2d's pass activations vs tfjs-cpu", () => {
  const acts = ["elu", "sigmoid", "leakyrelu", "prelu"] as const;
  type Case = { name: string; activation: (typeof acts)[number]; i: number; xShape: number[]; fShape: number[]; k: number; ci: number; x: Float32Array; f: Float32Array; bias: Float32Array; alpha: Float32Array | number[]; pad: "same" | "valid" };
  // One seeded stream per activation draws its 12 convs and their data, in order.
  const cases: [string, Case][] = [];
  for (const activation of acts) {
    const rand = rng(activation.length * 101);
    const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
    for (let i = 0; i < 12; i++) {
      const ci = int(1, 9), co = int(1, 17), k = int(1, 3);
      const xShape = [int(1, 2), int(k, 8), int(k, 8), ci];
      const fShape = [k, k, ci, co];
      const x = randomData(size(xShape), rand).map((v) => v * 2), f = randomData(size(fShape), rand), bias = randomData(co, rand);
      const alpha = rand() < 0.5 ? randomData(co, rand) : [0.25];
      const pad = rand() < 0.5 ? "same" : "valid";
      const name = `${activation} case ${i}: x=${xShape.join("x")} k=${k}x${k} co=${co} pad=${pad}`;
      cases.push([name, { name, activation, i, xShape, fShape, k, ci, x, f, bias, alpha, pad }]);
    }
  }
  it.each(cases)("%s", (_name, { activation, i, xShape, fShape, k, ci, x, f, bias, alpha, pad }) => {
    const want = tf.tidy(() => tf.fused.conv2d({
      x: tf.tensor4d(x, xShape as [number, number, number, number]), filter: tf.tensor4d(f, fShape as [number, number, number, number]),
      strides: 1, pad, bias: tf.tensor1d(bias), activation, preluActivationWeights: tf.tensor(alpha), leakyreluAlpha: 0.1,
    }).dataSync());
    const y = sc.fused.conv2d({
      x: sc.tensor(x, xShape), filter: sc.tensor(f, fShape), strides: 1, pad, bias, activation,
      preluActivationWeights: alpha, leakyreluAlpha: 0.1,
    });
    expectClose(y.dataSync(), want, 2 * k * k * ci, `${activation} case ${i}`);
  });

  it("createConv2d keeps the activation's arguments, and errors name them", () => {
    const op = sc.createConv2d(sc.tensor([1, -1], [1, 1, 1, 2]), { strides: 1, pad: "valid", activation: "prelu", preluActivationWeights: [0.5, 0.25] });
    expect(Array.from(op.run(sc.tensor([-2], [1, 1, 1, 1])).dataSync())).toEqual([-1, 2]);
    op.dispose();
    const x = sc.tensor([1], [1, 1, 1, 1]), f = sc.tensor([1, 1], [1, 1, 1, 2]);
    expect(() => sc.fused.conv2d({ x, filter: f, strides: 1, pad: "valid", activation: "prelu" })).toThrow(/fused.conv2d: activation 'prelu' needs preluActivationWeights/);
    expect(() => sc.fused.conv2d({ x, filter: f, strides: 1, pad: "valid", activation: "prelu", preluActivationWeights: [1, 2, 3] })).toThrow(RangeError);
    expect(() => sc.fused.conv2d({ x, filter: f, strides: 1, pad: "valid", activation: "leakyrelu", leakyreluAlpha: "x" as never })).toThrow(/leakyreluAlpha must be a number/);
    expect(() => sc.fused.conv2d({ x, filter: f, strides: 1, pad: "valid", activation: "swish" as never })).toThrow(/activation must be 'linear', 'relu', 'relu6', 'elu', 'prelu', 'leakyrelu' or 'sigmoid'/);
  });
});
