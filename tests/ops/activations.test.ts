/**
 * The elementwise activations (sigmoid, tanh, elu, selu, leakyRelu, prelu) and softmax:
 * against float64 over a dense grid of values (the transcendental kernels' error bound),
 * over lengths around the vector width, against tfjs-cpu on NaN/±Infinity and random shapes,
 * never writing past the result's end, and rejecting bad arguments by name.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as sc from "../../src/index.js";
import { activateInPlace } from "../../src/ops/unary.js";
import { randomData, rng } from "../helpers/reference.js";

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

/**
 * Error in float32 ulps of the float64 value. `floor` is the smallest ulp counted: 2^-149 (the
 * subnormals' spacing) by default.
 */
function ulps(got: number, want: number, floor = 2 ** -149): number {
  if (Number.isNaN(want)) return Number.isNaN(got) ? 0 : Infinity;
  if (got === want) return 0;
  const w = Math.fround(want);
  const ulp = Math.max(floor, 2 ** (Math.floor(Math.log2(Math.abs(w) || 2 ** -149)) - 23));
  return Math.abs(got - want) / ulp;
}

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
  it.each(lengths)("length %i: every op, input untouched, nothing leaked", (n) => {
    const data = randomData(n, rng(50 + n)).map((v) => v * 12);
    const before = sc.memory();
    const x = sc.tensor(data, [n]);
    for (const op of unary) {
      const y = sc[op](x);
      expect(y.shape).toEqual([n]);
      const got = y.dataSync();
      for (let i = 0; i < n; i++) expect(ulps(got[i], ref64[op](data[i])), `${op}[${i}] of ${n}`).toBeLessThanOrEqual(4);
      y.dispose();
    }
    expect(x.dataSync()).toEqual(data);
    x.dispose();
    expect(sc.memory()).toEqual(before);
  });
});

describe("NaN, ±Infinity, ±0 and extremes as tfjs-cpu", () => {
  const special = [NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 3.4e38, -3.4e38, 88, -88, 100, -100, 20, -20];
  const tfOf: Record<Unary | "softmax", (t: tf.Tensor) => tf.Tensor> = {
    sigmoid: tf.sigmoid, tanh: tf.tanh, elu: tf.elu, selu: tf.selu, leakyRelu: (t) => tf.leakyRelu(t), softmax: (t) => tf.softmax(t),
  };
  it.each(unary)("%s", (op) => {
    const want = tf.tidy(() => tfOf[op](tf.tensor1d(special)).dataSync());
    const got = sc[op](special).dataSync();
    special.forEach((v, i) => {
      if (Number.isNaN(want[i])) expect(got[i], `${op}(${v})`).toBeNaN();
      else expect(ulps(got[i], want[i]), `${op}(${v}) = ${got[i]}, tfjs ${want[i]}`).toBeLessThanOrEqual(4);
    });
  });

  const rows: [string, number[]][] = [
    ["a NaN makes the row NaN", [1, NaN, 2, 3, 4]],
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
  const rand = rng(20261129);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const shapes = Array.from({ length: 24 }, () => Array.from({ length: int(1, 4) }, () => int(1, 9)));
  it.each(shapes.map((s, i) => [JSON.stringify(s), s, i] as const))("shape %s", (_n, shape, i) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = randomData(size, rng(i)).map((v) => v * 6);
    const alpha = randomData(shape[shape.length - 1], rng(100 + i));
    const cases: [string, () => sc.Tensor, () => tf.Tensor][] = [
      ...unary.map((op) => [op, () => sc[op](sc.tensor(data, shape)), () => tfOf(op)(tf.tensor(data, shape))] as [string, () => sc.Tensor, () => tf.Tensor]),
      ["leakyRelu 0.01", () => sc.leakyRelu(sc.tensor(data, shape), 0.01), () => tf.leakyRelu(tf.tensor(data, shape), 0.01)],
      ["prelu per channel", () => sc.prelu(sc.tensor(data, shape), alpha), () => tf.prelu(tf.tensor(data, shape), tf.tensor(alpha))],
      ["softmax", () => sc.softmax(sc.tensor(data, shape)), () => tf.softmax(tf.tensor(data, shape))],
    ];
    for (const [name, ours, theirs] of cases) {
      const want = tf.tidy(() => theirs().dataSync());
      const y = ours();
      const got = y.dataSync();
      expect(y.shape, name).toEqual(shape);
      for (let j = 0; j < size; j++) {
        expect(Math.abs(got[j] - want[j]), `${name}[${j}]: ${got[j]} vs tfjs ${want[j]}`).toBeLessThanOrEqual(2e-6 * Math.abs(want[j]) + 1e-7);
      }
      y.dispose();
    }
  });

  function tfOf(op: Unary): (t: tf.Tensor) => tf.Tensor {
    return { sigmoid: tf.sigmoid, tanh: tf.tanh, elu: tf.elu, selu: tf.selu, leakyRelu: (t: tf.Tensor) => tf.leakyRelu(t) }[op];
  }
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

describe("softmax rows", () => {
  it.each([1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 100])("%i classes match float64", (c) => {
    const data = randomData(3 * c, rng(c)).map((v) => v * 20);
    const got = sc.softmax(sc.tensor(data, [3, c])).dataSync();
    for (let r = 0; r < 3; r++) {
      const row = Array.from(data.slice(r * c, (r + 1) * c));
      const m = Math.max(...row);
      // x - max is rounded to float32 first, as tfjs does: that rounding (up to |x - max|·2^-24)
      // is the input's, not the kernel's error.
      const z = row.map((v) => Math.fround(v - m));
      const s = z.reduce((a, v) => a + Math.exp(v), 0);
      z.forEach((v, j) => expect(ulps(got[r * c + j], Math.exp(v) / s)).toBeLessThanOrEqual(4));
    }
  });
});

describe("no writes past a result's end", () => {
  function outputOver(sentinelFloats: number, op: () => sc.Tensor): { out: sc.Tensor; after: number[] } {
    op().dispose();
    const block = sc.tensor(new Float32Array(sentinelFloats).fill(1234.5));
    block.dispose();
    const out = op();
    const v = out.view();
    return { out, after: Array.from(new Float32Array(v.buffer, v.byteOffset + v.byteLength, sentinelFloats - out.size)) };
  }
  it.each([1, 2, 3, 5, 6, 7, 9, 17])("%i values", (n) => {
    const x = sc.tensor(new Float32Array(n).fill(-0.5));
    const alpha = sc.tensor(new Float32Array(n).fill(0.5));
    const ops: [string, () => sc.Tensor][] = [
      ...unary.map((op) => [op, () => sc[op](x)] as [string, () => sc.Tensor]),
      ["prelu", () => sc.prelu(x, alpha)],
      ["softmax", () => sc.softmax(x)],
    ];
    for (const [name, op] of ops) {
      const { out, after } = outputOver(n + 8, op);
      expect(after, name).toEqual(new Array(8).fill(1234.5));
      out.dispose();
    }
    sc.dispose([x, alpha]);
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
