/**
 * The elementwise activations of unary.ts (sigmoid, tanh, elu, selu, leakyRelu, and swish as a
 * pass): against float64 over a dense grid of values (the transcendental kernels' error bound),
 * over lengths around the vector width, against tfjs-cpu on NaN/±Infinity and random shapes,
 * and rejecting bad arguments by name (prelu's and softmax's too).
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as sc from "../../src/index.js";
import { activateInPlace } from "../../src/ops/unary.js";
import { randomData, rng } from "../helpers/reference.js";
import { expectNearTfjs, randomShapes, ulps } from "../helpers/activations.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const SELU_SCALE = 1.0507009873554804934193349852946;
const SELU_ALPHA = 1.6732632423543772848170429916717;
/** float64 definitions. */
const ref64: Record<string, (v: number) => number> = {
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  tanh: Math.tanh,
  elu: (v) => (v < 0 ? Math.expm1(v) : v),
  selu: (v) => SELU_SCALE * (v < 0 ? SELU_ALPHA * Math.expm1(v) : v),
  leakyRelu: (v) => (v < 0 ? 0.2 * v : v),
  swish: (v) => v / (1 + Math.exp(-v)),
};
type Unary = "sigmoid" | "tanh" | "elu" | "selu" | "leakyRelu";
const unary: Unary[] = ["sigmoid", "tanh", "elu", "selu", "leakyRelu"];

/** Every 2^-8 from -120 to 120, small magnitudes down to 1e-30, and the edges of the ranges. */
function denseGrid(): Float32Array {
  const v: number[] = [];
  for (let x = -120; x <= 120; x += 1 / 256) v.push(x);
  for (let e = -30; e < 0; e += 0.25) v.push(10 ** e, -(10 ** e));
  v.push(-87.3, -88.7, -103.9, -104, -104.1, 88.7, 9.01, -9.01, 20, -20, -17.33, 1e-45, -1e-45, 3.4e38, -3.4e38);
  return Float32Array.from(v);
}

describe("transcendental kernels vs float64 on a dense grid", () => {
  const x = denseGrid();
  // Measured with this grid (docs/kernels.md): 1-3 ulps; the bound leaves room for the other build.
  const bound: Record<string, number> = { sigmoid: 4, tanh: 4, elu: 4, selu: 4, swish: 6 };
  it.each(Object.keys(bound))("%s is within its ulp bound", (name) => {
    const t = sc.tensor(x);
    const y = name === "swish" ? (activateInPlace(t, "swish"), t) : (sc as unknown as Record<string, (t: sc.Tensor) => sc.Tensor>)[name](t);
    const got = y.dataSync();
    let worst = 0, at = 0;
    for (let i = 0; i < x.length; i++) {
      // swish = x·sigmoid(x) is 0 where sigmoid(x) underflows to 0 (x < -103.9) though the
      // product would be a subnormal (≈ 1e-43): errors under 2^-140 count as one ulp there.
      const e = ulps(got[i], ref64[name](x[i]), name === "swish" ? 2 ** -140 : 2 ** -149);
      if (!(e <= worst)) [worst, at] = [e, i];
    }
    expect(worst, `${name}(${x[at]}) = ${got[at]}, float64 ${ref64[name](x[at])}`).toBeLessThanOrEqual(bound[name]);
    sc.dispose([t, y]);
  });
});

describe("elementwise kernels over lengths around the vector width", () => {
  const lengths = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 33, 1001];
  it.each(unary.flatMap((op) => lengths.map((n) => [op, n] as const)))("%s, length %i: input untouched, nothing leaked", (op, n) => {
    const data = randomData(n, rng(50 + n)).map((v) => v * 12);
    const before = sc.memory();
    const x = sc.tensor(data, [n]);
    const y = sc[op](x);
    expect(y.shape).toEqual([n]);
    const got = y.dataSync();
    for (let i = 0; i < n; i++) expect(ulps(got[i], ref64[op](data[i])), `${op}[${i}] of ${n}`).toBeLessThanOrEqual(4);
    y.dispose();
    expect(x.dataSync()).toEqual(data);
    x.dispose();
    expect(sc.memory()).toEqual(before);
  });
});

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
