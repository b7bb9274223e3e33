/**
 * simdconv against TensorFlow.js (tfjs-core + tfjs-backend-cpu) on random configurations
 * from a seeded generator, restricted to what tfjs accepts: strides or dilations 1, fused
 * only in NHWC, and numeric pads only with square filters and strides, because tfjs
 * computes both output dims of a numeric pad from the filter height and stride height.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { nchwToNhwc, nhwcToNchw, type Activation } from "../helpers/cases.js";
import { conv2dRef, padding1d, randomData, rng, worstError } from "../helpers/reference.js";
import * as sc from "../../src/index.js";

type ApiPad = "same" | "valid" | number | [[number, number], [number, number], [number, number], [number, number]];
type Rounding = "floor" | "round" | "ceil" | undefined;

interface ConvConfig {
  kind: "conv2d" | "fused";
  x: [number, number, number, number]; // NHWC
  filter: [number, number, number, number];
  strides: [number, number];
  dilations: [number, number];
  pad: ApiPad;
  dataFormat: "NHWC" | "NCHW";
  rank3: boolean;
  rounding: Rounding;
  bias: boolean;
  activation: Activation;
}
interface PoolConfig {
  kind: "maxPool";
  x: [number, number, number, number];
  filterSize: [number, number];
  strides: [number, number];
  pad: ApiPad;
  rank3: boolean;
  rounding: Rounding;
}
interface UnaryConfig {
  kind: "relu" | "relu6";
  shape: number[];
}
type Config = ConvConfig | PoolConfig | UnaryConfig;
const isUnary = (c: Config): c is UnaryConfig => c.kind === "relu" || c.kind === "relu6";
const isPool = (c: Config): c is PoolConfig => c.kind === "maxPool";

const rand = rng(20261128);
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];

/** Output size per dim, or 0 when the window does not fit; numeric pads use each dim's own values. */
function outSize(inSize: number, k: number, s: number, d: number, pad: ApiPad, axis: 0 | 1, rounding: Rounding): number {
  if (pad === "same" || pad === "valid") return padding1d(inSize, k, s, d, pad)[2];
  const [b, a] = typeof pad === "number" ? [pad, pad] : pad[axis + 1];
  const ek = (k - 1) * d + 1;
  if (inSize + b + a < ek) return 0;
  return Math[rounding ?? "floor"]((inSize + b + a - ek) / s + 1);
}

/** A padding that tfjs reads as we do; numeric only for square windows and strides. */
function randomPad(square: boolean, allowRounding: boolean): { pad: ApiPad; rounding: Rounding } {
  const mode = pick(square ? ["same", "valid", "number", "explicit"] : ["same", "valid", "explicit"]);
  if (mode === "same" || mode === "valid") return { pad: mode, rounding: undefined };
  if (mode === "number") {
    return { pad: int(0, 3), rounding: allowRounding ? pick([undefined, "floor", "round", "ceil"] as Rounding[]) : undefined };
  }
  return { pad: [[0, 0], [int(0, 3), int(0, 3)], [int(0, 3), int(0, 3)], [0, 0]], rounding: undefined };
}

function randomConv(kind: "conv2d" | "fused"): ConvConfig {
  for (;;) {
    const square = rand() < 0.4;
    const kh = int(1, 5);
    const kw = square ? kh : int(1, 5);
    let strides: [number, number] = [int(1, 3), int(1, 3)];
    let dilations: [number, number] = [1, 1];
    if (rand() < 0.3) {
      strides = [1, 1];
      dilations = [int(1, 3), int(1, 3)];
    }
    if (square) {
      strides = [strides[0], strides[0]];
      dilations = [dilations[0], dilations[0]];
    }
    const ci = pick([1, 2, 3, 4, 5, 8, 16, 17]);
    const co = pick([1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 20, 32, 33]);
    const rank3 = rand() < 0.15;
    const x: ConvConfig["x"] = [rank3 ? 1 : int(1, 2), int(1, 12), int(1, 12), ci];
    const { pad, rounding } = randomPad(square, true);
    const dataFormat = kind === "conv2d" && rand() < 0.25 ? "NCHW" : "NHWC";
    const c: ConvConfig = {
      kind, x, filter: [kh, kw, ci, co], strides, dilations, pad, dataFormat, rank3, rounding,
      bias: kind === "fused" && rand() < 0.8,
      activation: kind === "fused" ? pick(["linear", "relu", "relu6"] as Activation[]) : "linear",
    };
    if (outSize(x[1], kh, strides[0], dilations[0], pad, 0, rounding) >= 1 &&
        outSize(x[2], kw, strides[1], dilations[1], pad, 1, rounding) >= 1) return c;
  }
}

function randomPool(): PoolConfig {
  for (;;) {
    const square = rand() < 0.5;
    const fh = int(1, 5);
    const fw = square ? fh : int(1, 5);
    const sh = int(1, 3);
    const strides: [number, number] = [sh, square ? sh : int(1, 3)];
    const rank3 = rand() < 0.15;
    const x: PoolConfig["x"] = [rank3 ? 1 : int(1, 3), int(1, 12), int(1, 12), pick([1, 2, 3, 4, 5, 8, 16, 17])];
    const { pad, rounding } = randomPad(square, true);
    const c: PoolConfig = { kind: "maxPool", x, filterSize: [fh, fw], strides, pad, rank3, rounding };
    if (outSize(x[1], fh, strides[0], 1, pad, 0, rounding) >= 1 && outSize(x[2], fw, strides[1], 1, pad, 1, rounding) >= 1) {
      return c;
    }
  }
}

const configs: Config[] = [];
for (let i = 0; i < 100; i++) configs.push(randomConv("conv2d"));
for (let i = 0; i < 50; i++) configs.push(randomConv("fused"));
for (let i = 0; i < 60; i++) configs.push(randomPool());
for (let i = 0; i < 30; i++) {
  const rank = int(1, 4);
  configs.push({ kind: i % 2 ? "relu6" : "relu", shape: Array.from({ length: rank }, () => int(1, 7)) });
}

function label(c: Config, i: number): string {
  if (isUnary(c)) return `#${i} ${c.kind} [${c.shape}]`;
  const pad = typeof c.pad === "object" ? JSON.stringify(c.pad) : c.pad;
  const rank3 = c.rank3 ? " rank3" : "";
  const round = c.rounding ? ` ${c.rounding}` : "";
  if (isPool(c)) return `#${i} maxPool x[${c.x}] window ${c.filterSize} strides ${c.strides} pad ${pad}${round}${rank3}`;
  const fusedPart = c.kind === "fused" ? ` bias ${c.bias} ${c.activation}` : "";
  return `#${i} ${c.kind} x[${c.x}] filter[${c.filter}] strides ${c.strides} dilations ${c.dilations} pad ${pad}${round} ${c.dataFormat}${rank3}${fusedPart}`;
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
/** Turns -0 into 0: tfjs-cpu's relu is Math.max(0, x), which gives +0 for -0. */
const noNegZero = (a: ArrayLike<number>) => Array.from(a, (v) => (v === 0 ? 0 : v));

/** Explicit pads in the data format's order, as both libraries take them. */
function padFor(pad: ApiPad, dataFormat: "NHWC" | "NCHW"): ApiPad {
  if (typeof pad !== "object" || dataFormat === "NHWC") return pad;
  return [pad[0], pad[3], pad[1], pad[2]];
}

function runConv(c: ConvConfig, seed: number) {
  const r = rng(seed);
  const x = randomData(size(c.x), r);
  const w = randomData(size(c.filter), r);
  const bias = c.bias ? randomData(c.filter[3], r).map((v) => v * 4) : undefined;
  const nchw = c.dataFormat === "NCHW";
  const [n, h, wd, ci] = c.x;
  const xShape: number[] = nchw ? [n, ci, h, wd] : [n, h, wd, ci];
  const feedShape = c.rank3 ? xShape.slice(1) : xShape;
  const xFeed = nchw ? nhwcToNchw(x, c.x) : x;
  const pad = padFor(c.pad, c.dataFormat);

  const want = tf.tidy(() => {
    const args = {
      x: tf.tensor<tf.Rank>(xFeed, feedShape) as tf.Tensor4D, filter: tf.tensor4d(w, c.filter),
      strides: c.strides, pad, dataFormat: c.dataFormat, dilations: c.dilations, dimRoundingMode: c.rounding,
    };
    const y = c.kind === "fused"
      ? tf.fused.conv2d({ ...args, bias: bias ? tf.tensor1d(bias) : undefined, activation: c.activation })
      : tf.conv2d(args.x, args.filter, args.strides, args.pad as never, args.dataFormat, args.dilations, args.dimRoundingMode);
    return { shape: y.shape as number[], data: y.dataSync() as Float32Array };
  });
  const got = sc.tidy(() => {
    const args = {
      x: sc.tensor(xFeed, feedShape), filter: sc.tensor(w, c.filter),
      strides: c.strides, pad, dataFormat: c.dataFormat, dilations: c.dilations, dimRoundingMode: c.rounding,
    };
    const y = c.kind === "fused"
      ? sc.fused.conv2d({ ...args, bias: bias ? sc.tensor(bias) : undefined, activation: c.activation })
      : sc.conv2d(args.x, args.filter, args.strides, args.pad, args.dataFormat, args.dilations, args.dimRoundingMode);
    return { shape: y.shape, data: y.dataSync() };
  });
  return { x, w, bias, want, got };
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("simdconv vs TensorFlow.js (cpu backend), seeded random configurations", () => {
  it("has at least 200 configurations, covering every kind of padding and option", () => {
    expect(configs.length).toBeGreaterThanOrEqual(200);
    const convs = configs.filter((c): c is ConvConfig => c.kind === "conv2d" || c.kind === "fused");
    const pools = configs.filter((c): c is PoolConfig => c.kind === "maxPool");
    for (const group of [convs, pools]) {
      expect(group.some((c) => typeof c.pad === "number")).toBe(true);
      expect(group.some((c) => typeof c.pad === "object")).toBe(true);
      expect(group.some((c) => c.rounding === "ceil")).toBe(true);
      expect(group.some((c) => c.rank3)).toBe(true);
    }
    expect(convs.some((c) => c.dataFormat === "NCHW" && typeof c.pad === "object")).toBe(true);
    expect(convs.some((c) => c.dilations[0] > 1 || c.dilations[1] > 1)).toBe(true);
    expect(new Set(convs.filter((c) => c.kind === "fused").map((c) => c.activation)).size).toBe(3);
  });

  it.each(configs.map((c, i) => [label(c, i), c, i] as const))("%s", (_label, c, i) => {
    const seed = 5000 + i;
    const before = sc.memory();
    if (isUnary(c)) {
      const data = randomData(size(c.shape), rng(seed)).map((v) => v * 8);
      // Sprinkle the special values in too.
      [NaN, Infinity, -Infinity].forEach((v, k) => { if (k < data.length) data[(k * 7) % data.length] = v; });
      const want = tf.tidy(() => tf[c.kind](tf.tensor(data, c.shape)).dataSync());
      const got = sc.tidy(() => sc[c.kind](sc.tensor(data, c.shape)).dataSync());
      expect(noNegZero(got)).toEqual(noNegZero(want));
    } else if (isPool(c)) {
      const x = randomData(size(c.x), rng(seed));
      const shape: number[] = c.rank3 ? c.x.slice(1) : c.x;
      const want = tf.tidy(() => {
        const y = tf.maxPool(tf.tensor<tf.Rank>(x, shape) as tf.Tensor4D, c.filterSize, c.strides, c.pad as never, c.rounding);
        return { shape: y.shape as number[], data: y.dataSync() as Float32Array };
      });
      const got = sc.tidy(() => {
        const y = sc.maxPool(sc.tensor(x, shape), c.filterSize, c.strides, c.pad, c.rounding);
        return { shape: y.shape as number[], data: y.dataSync() as Float32Array };
      });
      expect(got.shape).toEqual(want.shape);
      expect(Array.from(got.data)).toEqual(Array.from(want.data));
    } else {
      const { x, w, bias, want, got } = runConv(c, seed);
      expect(got.shape).toEqual(want.shape);
      // Scale each output's tolerance by its Σ|x·w|, from the float64 reference on NHWC data.
      const nhwcOut = (d: ArrayLike<number>, s: number[]) => {
        const s4 = c.rank3 ? [1, ...s] : s;
        return c.dataFormat === "NCHW" ? nchwToNhwc(d, [s4[0], s4[2], s4[3], s4[1]]) : Float32Array.from(d);
      };
      const [pt, pb, pl, pr] = typeof c.pad === "number" ? [c.pad, c.pad, c.pad, c.pad]
        : typeof c.pad === "object" ? [c.pad[1][0], c.pad[1][1], c.pad[2][0], c.pad[2][1]] : [0, 0, 0, 0];
      const ref = conv2dRef(x, { ...c, pad: typeof c.pad === "string" ? c.pad : [pt, pb, pl, pr], rounding: c.rounding }, bias, c.activation, w);
      const tfNhwc = nhwcOut(want.data, want.shape);
      const ours = nhwcOut(got.data, got.shape);
      expect(worstError(ours, ref).err).toBeLessThan(16);
      const { err, at } = worstError(ours, { ...ref, y: Float64Array.from(tfNhwc) });
      expect(err, `output ${at}: simdconv ${ours[at]}, tfjs ${tfNhwc[at]}`).toBeLessThan(32);
    }
    expect(sc.memory()).toEqual(before);
  });
});
