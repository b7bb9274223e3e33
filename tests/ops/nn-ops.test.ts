/**
 * avgPool, matMul, fused.matMul, batchNorm and fused.conv2d's pass activations: against
 * float64 references and tfjs-cpu on random shapes, edge grids (channels 1..17, tails),
 * no writes past the end, the same bits on 1 and 2 threads, and bad arguments by name.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as sc from "../../src/index.js";
import { testing } from "../../src/threads/threads.js";
import { padding1d, randomData, rng } from "../helpers/reference.js";
import { bitsOf, expectSameBits } from "../helpers/same-bits.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
/** |got - want| ≤ tol·(scale + |want|), NaN where tfjs has NaN. */
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, scale: ArrayLike<number> | number, what: string, tol = 2 ** -20) {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (got[i] === want[i]) continue;
    if (Number.isNaN(want[i])) {
      expect(got[i], `${what}[${i}]`).toBeNaN();
      continue;
    }
    const s = typeof scale === "number" ? scale : scale[i];
    expect(Math.abs(got[i] - want[i]), `${what}[${i}]: ${got[i]} vs ${want[i]}`).toBeLessThanOrEqual(16 * tol * (s + Math.abs(want[i])) + 1e-30);
  }
}

/** float64 average pooling with TF's padding; padding taps left out of sum and count. */
function avgPoolRef(x: ArrayLike<number>, [n, h, w, c]: number[], k: [number, number], s: [number, number], pad: "same" | "valid") {
  const [pt, , ho] = padding1d(h, k[0], s[0], 1, pad);
  const [pl, , wo] = padding1d(w, k[1], s[1], 1, pad);
  const y = new Float64Array(n * ho * wo * c);
  for (let b = 0; b < n; b++) for (let oy = 0; oy < ho; oy++) for (let ox = 0; ox < wo; ox++) for (let ch = 0; ch < c; ch++) {
    let sum = 0, cnt = 0;
    for (let ky = 0; ky < k[0]; ky++) for (let kx = 0; kx < k[1]; kx++) {
      const iy = oy * s[0] - pt + ky, ix = ox * s[1] - pl + kx;
      if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
      sum += x[((b * h + iy) * w + ix) * c + ch];
      cnt++;
    }
    y[((b * ho + oy) * wo + ox) * c + ch] = sum / cnt;
  }
  return { shape: [n, ho, wo, c], y };
}

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

describe("avgPool", () => {
  const cases: [number[], number, number, "same" | "valid"][] = [];
  for (const c of [1, 2, 3, 4, 5, 7, 8, 9, 16, 17])
    for (const [k, s, pad] of [[2, 2, "valid"], [3, 1, "same"], [3, 2, "same"], [2, 3, "valid"], [5, 1, "same"]] as const) cases.push([[2, 5, 6, c], k, s, pad]);
  it.each(cases)("x %j, window %i, stride %i, %s vs float64", (shape, k, s, pad) => {
    const x = randomData(size(shape), rng(shape[3] * 13 + k * 3 + s));
    const want = avgPoolRef(x, shape, [k, k], [s, s], pad);
    const before = sc.memory();
    const y = sc.avgPool(sc.tensor(x, shape), k, s, pad);
    expect(y.shape).toEqual(want.shape);
    expectClose(y.dataSync(), want.y, 1, "avgPool");
    sc.dispose(y);
    expect(sc.memory().numBytes).toBe(before.numBytes + size(shape) * 4);
  });

  it("matches tfjs-cpu on random configurations, NaN and ±Infinity included", () => {
    const rand = rng(77);
    const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
    for (let i = 0; i < 40; i++) {
      const shape = [int(1, 2), int(1, 9), int(1, 9), int(1, 17)] as [number, number, number, number];
      const f: [number, number] = [int(1, 4), int(1, 4)];
      const st: [number, number] = [int(1, 3), int(1, 3)];
      const pad = rand() < 0.5 ? "same" : "valid";
      if (pad === "valid" && (f[0] > shape[1] || f[1] > shape[2])) continue;
      const x = randomData(size(shape), rand);
      if (i % 5 === 0) x[int(0, x.length - 1)] = [NaN, Infinity, -Infinity][i % 3];
      const want = tf.tidy(() => tf.avgPool(tf.tensor4d(x, shape), f, st, pad).dataSync());
      expectClose(sc.avgPool(sc.tensor(x, shape), f, st, pad).dataSync(), want, 1, `case ${i}`);
    }
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

describe("matMul and fused.matMul", () => {
  const rand = rng(31);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

  it("matches float64 over sizes around the tiles (m, k, n in 1..17, 31..33)", () => {
    for (const m of [1, 2, 3, 4, 5, 6, 7, 13, 33])
      for (const k of [0, 1, 2, 3, 4, 5, 8, 17, 33, 40])
        for (const n of [1, 3, 7, 8, 9, 16, 17]) {
          const a = randomData(m * k, rand), b = randomData(k * n, rand);
          const want = matMulRef(a, b, m, k, n);
          const y = sc.matMul(sc.tensor(a, [m, k]), sc.tensor(b, [k, n]));
          expect(y.shape).toEqual([m, n]);
          expectClose(y.dataSync(), want.y, want.mag, `${m}x${k}x${n}`);
        }
  });

  it("matches tfjs-cpu on random shapes, transposes, batches and fused activations", () => {
    const acts = ["linear", "relu", "relu6", "elu", "sigmoid", "leakyrelu", "prelu"] as const;
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
    }
    function pick<T>(xs: readonly T[]): T {
      return xs[Math.floor(rand() * xs.length)];
    }
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

  it("never writes past the result's end", () => {
    for (const n of [1, 2, 3, 5, 7, 9, 17]) {
      const a = sc.tensor(new Float32Array(3 * 4).fill(1), [3, 4]);
      const b = sc.tensor(new Float32Array(4 * n).fill(0.5), [4, n]);
      const bias = sc.tensor(new Float32Array(n).fill(1));
      const run = () => sc.fused.matMul({ a, b, bias, activation: "sigmoid" });
      // The second result lands where the first was: fill what follows it (its block's slack,
      // free memory) with a sentinel in between.
      const first = run();
      const at = first.view().byteOffset + first.size * 4;
      first.dispose();
      const f32 = new Float32Array(a.view().buffer);
      f32.fill(1234.5, at / 4, at / 4 + 4);
      const y = run();
      const v = y.view();
      expect(v.byteOffset + v.byteLength).toBe(at);
      expect(Array.from(new Float32Array(v.buffer, at, 4))).toEqual(new Array(4).fill(1234.5));
      expect(v[0]).toBeCloseTo(1 / (1 + Math.exp(-3)), 6);
      sc.dispose([a, b, bias, y]);
    }
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

describe("batchNorm", () => {
  it.each([1, 2, 3, 4, 5, 8, 9, 16, 17])("%i channels vs tfjs-cpu, with and without offset and scale", (c) => {
    const rand = rng(c);
    const shape = [2, 3, 2, c];
    const x = randomData(size(shape), rand).map((v) => v * 4);
    const mean = randomData(c, rand), variance = randomData(c, rand).map((v) => Math.abs(v) + 0.1);
    const offset = randomData(c, rand), scale = randomData(c, rand);
    for (const [o, s] of [[offset, scale], [undefined, undefined], [offset, undefined], [undefined, [2]]] as const) {
      const want = tf.tidy(() => tf.batchNorm(tf.tensor(x, shape), tf.tensor1d(mean), tf.tensor1d(variance), o && tf.tensor1d(o), s && tf.tensor1d(s as ArrayLike<number> as Float32Array), 0.01).dataSync());
      const y = sc.batchNorm(sc.tensor(x, shape), mean, variance, o, s, 0.01);
      expect(y.shape).toEqual(shape);
      expectClose(y.dataSync(), want, 8, `c=${c}`);
    }
  });

  it("rejects bad arguments with tfjs's wording", () => {
    expect(() => sc.batchNorm([[1, 2]], [[1, 2]], [1, 2])).toThrow("Batch normalization gradient requires mean and variance to have equal ranks.");
    expect(() => sc.batchNorm([[1, 2]], [1, 2], [1, 2], [[0, 0]])).toThrow(/mean and offset to have equal ranks/);
    expect(() => sc.batchNorm([[1, 2, 3]], [1, 2], [1, 2])).toThrow(/batchNorm: x has 3 values/);
    expect(() => sc.batchNorm([[1, 2]], [1, 2], [1, 2], undefined, undefined, "0.1" as never)).toThrow(/varianceEpsilon must be a number/);
  });
});

describe("fused.conv2d's pass activations vs tfjs-cpu", () => {
  const acts = ["elu", "sigmoid", "leakyrelu", "prelu"] as const;
  it.each(acts)("%s over random convs", (activation) => {
    const rand = rng(activation.length * 101);
    const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
    for (let i = 0; i < 12; i++) {
      const ci = int(1, 9), co = int(1, 17), k = int(1, 3);
      const xShape = [int(1, 2), int(k, 8), int(k, 8), ci];
      const fShape = [k, k, ci, co];
      const x = randomData(size(xShape), rand).map((v) => v * 2), f = randomData(size(fShape), rand), bias = randomData(co, rand);
      const alpha = rand() < 0.5 ? randomData(co, rand) : [0.25];
      const pad = rand() < 0.5 ? "same" : "valid";
      const want = tf.tidy(() => tf.fused.conv2d({
        x: tf.tensor4d(x, xShape as [number, number, number, number]), filter: tf.tensor4d(f, fShape as [number, number, number, number]),
        strides: 1, pad, bias: tf.tensor1d(bias), activation, preluActivationWeights: tf.tensor(alpha), leakyreluAlpha: 0.1,
      }).dataSync());
      const y = sc.fused.conv2d({
        x: sc.tensor(x, xShape), filter: sc.tensor(f, fShape), strides: 1, pad, bias, activation,
        preluActivationWeights: alpha, leakyreluAlpha: 0.1,
      });
      expectClose(y.dataSync(), want, 2 * k * k * ci, `${activation} case ${i}`);
    }
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

describe("the row-split ops give the same bits on 1 and 2 threads", () => {
  afterAll(async () => {
    testing.splitEverything(false);
    await sc.shutdownThreads();
  });
  function outputs(): Uint32Array[] {
    const rand = rng(5);
    const x = sc.tensor(randomData(2 * 23 * 19 * 13, rand).map((v) => v * 5), [2, 23, 19, 13]);
    const b = sc.tensor(randomData(13 * 21, rand), [13, 21]);
    const alpha = sc.tensor(randomData(13, rand));
    const ys = [
      sc.avgPool(x, 3, 2, "same"),
      sc.softmax(x),
      sc.batchNorm(x, alpha, alpha.clone(), alpha, alpha, 0.5),
      sc.prelu(x, alpha),
      sc.fused.matMul({ a: x.reshape([-1, 13]), b, activation: "elu" }),
      sc.matMul(sc.tensor(randomData(3 * 40 * 13, rand), [3, 40, 13]), sc.tensor(randomData(3 * 13 * 9, rand), [3, 13, 9])),
    ];
    const bits = ys.map((y) => bitsOf(y.dataSync()));
    sc.dispose([x, b, alpha, ...ys]);
    return bits;
  }
  it("avgPool, softmax, batchNorm, prelu, matMul", async () => {
    testing.splitEverything(true);
    await sc.init({ threads: 1 });
    const one = outputs();
    await sc.init({ threads: 2 });
    const before = testing.pool()!.workerChunks;
    // On a busy machine the calling thread may take every chunk of a round before the worker
    // wakes; the worker must take part in one of a few rounds, and every round must agree.
    for (let round = 0; round < 5 && testing.pool()!.workerChunks === before; round++) {
      expectSameBits(one, outputs(), `2 threads, round ${round}`);
    }
    expect(testing.pool()!.workerChunks).toBeGreaterThan(before);
    await sc.init({ threads: 1 });
  });
});
