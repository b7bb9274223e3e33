/**
 * matMul and fused.matMul: against float64 over sizes around the tiles, against tfjs-cpu on
 * random shapes, transposes, batches and fused activations, freeing every temporary, and bad
 * arguments in tfjs's wording where it has one.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as sc from "../../src/index.js";
import { backend } from "../../src/loader/backend.js";
import { randomData, rng } from "../helpers/reference.js";
import { expectClose, size } from "../helpers/close.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

function matMulRef(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number) {
  const y = new Float64Array(m * n), mag = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0, g = 0;
    for (let p = 0; p < k; p++) {
      s += a[i * k + p] * b[p * n + j];
      g += Math.abs(a[i * k + p] * b[p * n + j]);
    }
    y[i * n + j] = s;
    mag[i * n + j] = g;
  }
  return { y, mag };
}

describe("matMul and fused.matMul", () => {
  const rand = rng(31);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

  describe("matches float64 over sizes around the tiles (m, k, n in 1..17, 31..33)", () => {
    // The describe's seeded stream draws each case's data in order, before the tests below use it.
    const tiles: [string, number, number, number, Float32Array, Float32Array][] = [];
    for (const m of [1, 2, 3, 4, 5, 6, 7, 13, 33])
      for (const k of [0, 1, 2, 3, 4, 5, 8, 17, 33, 40])
        for (const n of [1, 3, 7, 8, 9, 16, 17]) tiles.push([`m=${m} k=${k} n=${n}`, m, k, n, randomData(m * k, rand), randomData(k * n, rand)]);
    it.each(tiles)("%s", (_name, m, k, n, a, b) => {
      const want = matMulRef(a, b, m, k, n);
      const y = sc.matMul(sc.tensor(a, [m, k]), sc.tensor(b, [k, n]));
      expect(y.shape).toEqual([m, n]);
      expectClose(y.dataSync(), want.y, want.mag, `${m}x${k}x${n}`);
    });
  });

  describe("matches tfjs-cpu on random shapes, transposes, batches and fused activations", () => {
    const acts = ["linear", "relu", "relu6", "elu", "sigmoid", "leakyrelu", "prelu"] as const;
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    type Case = { i: number; aShape: number[]; bShape: number[]; tA: boolean; tB: boolean; k: number; a: Float32Array; b: Float32Array; bias?: Float32Array; activation: (typeof acts)[number]; alpha?: Float32Array | number[] };
    const cases: [string, Case][] = [];
    for (let i = 0; i < 60; i++) {
      const m = int(1, 12), k = int(1, 20), n = int(1, 20);
      const tA = rand() < 0.3, tB = rand() < 0.3;
      const batchA = pick([[], [], [2], [3], [1], [2, 2]]);
      const batchB = batchA.length && rand() < 0.4 ? batchA.map(() => 1) : rand() < 0.5 ? batchA : [];
      const aShape = [...batchA, ...(tA ? [k, m] : [m, k])], bShape = [...batchB, ...(tB ? [n, k] : [k, n])];
      const a = randomData(size(aShape), rand).map((v) => v * 2), b = randomData(size(bShape), rand);
      const bias = rand() < 0.7 ? randomData(n, rand) : undefined;
      const activation = pick(acts);
      const alpha = activation === "prelu" ? (rand() < 0.5 ? randomData(n, rand) : [0.3]) : undefined;
      cases.push([`case ${i}: ${aShape} x ${bShape} tA=${tA} tB=${tB} ${activation}${bias ? " bias" : ""}`, { i, aShape, bShape, tA, tB, k, a, b, bias, activation, alpha }]);
    }
    it.each(cases)("%s", (_name, { i, aShape, bShape, tA, tB, k, a, b, bias, activation, alpha }) => {
      const want = tf.tidy(() => tf.fused.matMul({
        a: tf.tensor(a, aShape), b: tf.tensor(b, bShape), transposeA: tA, transposeB: tB,
        bias: bias && tf.tensor(bias), activation, preluActivationWeights: alpha && tf.tensor(alpha), leakyreluAlpha: 0.15,
      })).dataSync();
      const tfShape = tf.tidy(() => tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), tA, tB).shape);
      const y = sc.fused.matMul({
        a: sc.tensor(a, aShape), b: sc.tensor(b, bShape), transposeA: tA, transposeB: tB,
        bias: bias && sc.tensor(bias), activation, preluActivationWeights: alpha && sc.tensor(alpha), leakyreluAlpha: 0.15,
      });
      const what = `case ${i}: ${aShape} x ${bShape} tA=${tA} tB=${tB} ${activation}`;
      expect(y.shape, what).toEqual(tfShape);
      expectClose(y.dataSync(), want, 4 * k, what);
      if (activation === "linear" && !bias) expectClose(sc.matMul(sc.tensor(a, aShape), sc.tensor(b, bShape), tA, tB).dataSync(), want, 4 * k, what);
    });
  });

  it("frees every temporary it made", () => {
    const b = sc.tensor(randomData(64 * 10, rand), [64, 10]);
    const before = sc.memory();
    sc.tidy(() => {
      sc.matMul(sc.tensor(randomData(5 * 64, rand), [5, 64]), b);
      sc.matMul([[1, 2], [3, 4]], [[1], [2]], true, false);
      sc.fused.matMul({ a: sc.tensor(randomData(2 * 5 * 64, rand), [2, 5, 64]), b: [b.arraySync() as number[][], b.arraySync() as number[][]], bias: [1], activation: "prelu", preluActivationWeights: [0.1] });
    });
    expect(sc.memory()).toEqual(before);
  });

  it("rejects bad arguments with tfjs's wording where it has one", () => {
    expect(() => sc.matMul([[1, 2]], [[1, 2]])).toThrow(RangeError);
    expect(() => sc.matMul([[1, 2]], [[1, 2]])).toThrow("Error in matMul: inner shapes (2) and (1) of Tensors with shapes 1,2 and 1,2 and transposeA=false and transposeB=false must match.");
    expect(() => sc.matMul([1, 2], [[1], [2]])).toThrow(/matMul: a must have rank 2/);
    expect(() => sc.matMul([[1]], "b" as never)).toThrow(/^Argument 'b' passed to 'matMul' must be/);
    expect(() => sc.matMul([[1]], [[1]], "yes" as never)).toThrow(/matMul: transposeA must be a boolean/);
    expect(() => sc.matMul(sc.tensor([1, 2, 3, 4, 5, 6], [3, 1, 2]), sc.tensor([1, 2, 3, 4], [2, 2, 1]))).toThrow(/Operands could not be broadcast/);
    expect(() => sc.fused.matMul({ a: [[1]], b: [[1]], activation: "gelu" as never })).toThrow(/fused.matMul: activation must be/);
    expect(() => sc.fused.matMul({ a: [[1]], b: [[1, 2]], bias: [1, 2, 3] })).toThrow(/fused.matMul: bias must have shape \[2\]/);
    expect(() => sc.fused.matMul({ a: [[1]], b: [[1, 2]], activation: "prelu" })).toThrow(/needs preluActivationWeights/);
    expect(() => sc.fused.matMul({ a: [[1]], b: [[1, 2]], activation: "prelu", preluActivationWeights: [1, 2, 3] })).toThrow(RangeError);
    expect(() => sc.fused.matMul(null as never)).toThrow(TypeError);
    expect(sc.matMul([[2]], [[3]]).dataSync()[0]).toBe(6);
  });
});

/** The kernels looked up while `f` runs (every call site looks them up on the backend per call). */
function kernelsUsed(f: () => void): Set<string> {
  const b = backend() as unknown as { kernels: object };
  const real = b.kernels;
  const seen = new Set<string>();
  b.kernels = new Proxy(real, { get: (t, k) => (typeof k === "string" && seen.add(k), Reflect.get(t, k)) });
  try {
    f();
  } finally {
    b.kernels = real;
  }
  return seen;
}

describe("one row: the GEMV (a dense layer on one sample)", () => {
  const rand = rng(77);
  const [k, n] = [300, 45];
  const a2 = randomData(2 * k, rand), w = randomData(k * n, rand), bias = randomData(n, rand);
  const b = sc.tensor(w, [k, n]);
  const bv = sc.tensor(bias, [n]);
  const two = () => sc.fused.matMul({ a: sc.tensor(a2, [2, k]), b, bias: bv, activation: "relu6" }).dataSync().slice(0, n);
  const oneRow = Float32Array.from(a2.subarray(0, k));

  it("matMul, fused.matMul and a batch of one row run it, with the GEMM's bits for that row", () => {
    let got: Float32Array = new Float32Array();
    const used = kernelsUsed(() => void (got = sc.fused.matMul({ a: sc.tensor(oneRow, [1, 1, k]), b, bias: bv, activation: "relu6" }).dataSync()));
    expect(used.has("f32_gemv_minmax_x32_simd")).toBe(true);
    expect([...used].some((u) => u.startsWith("f32_gemm"))).toBe(false);
    expect(Array.from(got)).toEqual(Array.from(two()));
    const want = matMulRef(oneRow, w, 1, k, n);
    expectClose(sc.matMul(sc.tensor(oneRow, [1, k]), b).dataSync(), want.y, want.mag, "matMul 1 row");
  });

  it("a model's Dense layer and a 1×1 conv on one pixel run it", () => {
    const model = sc.sequential({ layers: [sc.layers.dense({ inputShape: [k], units: n, activation: "relu6" })] });
    model.layers[0].setWeights([b, bv]);
    let got: Float32Array = new Float32Array();
    const used = kernelsUsed(() => void (got = model.predict(sc.tensor(oneRow, [1, k])).dataSync()));
    expect(used.has("f32_gemv_minmax_x32_simd")).toBe(true);
    expect(Array.from(got)).toEqual(Array.from(two()));
    const conv = kernelsUsed(() => void sc.conv2d(sc.tensor(oneRow, [1, 1, 1, k]), b.reshape([1, 1, k, n]), 1, "valid").dataSync());
    expect(conv.has("f32_gemv_minmax_x32_simd")).toBe(true);
    model.dispose();
  });
});
