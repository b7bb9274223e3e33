/**
 * The avgPool kernels against a float64 reference, padding taps left out of the count:
 * through avgPool over channels 1..17 (around the vector steps) and window/stride/pad
 * combinations, and each kernel called directly (debug build, preconditions on) on its own
 * edge grid: f32_avgpool_nhwc_simd around its 4-vector channel step, and
 * f32_avgpool_w3s1_nhwc_simd (3 wide, stride 1, SAME across) on widths 1–3, window heights
 * 1–5 and vertical strides 1–2, channel tails and row ranges.
 */
import { describe, expect, it } from "vitest";
import * as sc from "../../src/index.js";
import type { Kernels } from "../../src/loader/backend.js";
import { padding1d, randomData, rng } from "../helpers/reference.js";
import { expectClose, size } from "../helpers/close.js";
import { debugKernels } from "../helpers/debug-kernels.js";

type Pad = "same" | "valid" | [number, number, number, number];

/** float64 average pooling with TF's padding; padding taps left out of sum and count (0/0 = NaN). */
function avgPoolRef(x: ArrayLike<number>, [n, h, w, c]: number[], k: [number, number], s: [number, number], pad: Pad) {
  const [pt, , ho] = padding1d(h, k[0], s[0], 1, typeof pad === "string" ? pad : [pad[0], pad[1]]);
  const [pl, , wo] = padding1d(w, k[1], s[1], 1, typeof pad === "string" ? pad : [pad[2], pad[3]]);
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
  return { shape: [n, ho, wo, c], y, pt, pl, ho, wo };
}

describe("avgPool (both kernels through the op)", () => {
  const cases: [number[], number, number, "same" | "valid"][] = [];
  for (const c of [1, 2, 3, 4, 5, 7, 8, 9, 16, 17])
    for (const [k, s, pad] of [[2, 2, "valid"], [3, 1, "same"], [3, 2, "same"], [2, 3, "valid"], [5, 1, "same"], [3, 1, "valid"]] as const) cases.push([[2, 5, 6, c], k, s, pad]);
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
});

type AvgKernel = "f32_avgpool_nhwc_simd" | "f32_avgpool_w3s1_nhwc_simd";

/**
 * Runs `kernel` directly on rows [r0, r1) (default: all) into an output filled with a canary,
 * and checks those rows against float64 and every other float, the slack included, untouched.
 */
function expectKernel(kernel: AvgKernel, shape: number[], k: [number, number], s: [number, number], pad: Pad, range?: [number, number]) {
  const x = randomData(size(shape), rng(shape.reduce((a, b) => a * 7 + b, k[0] * 5 + s[0])));
  const want = avgPoolRef(x, shape, k, s, pad);
  const [n, h, w, c] = shape;
  const rows = n * want.ho;
  const [r0, r1] = range ?? [0, rows];
  const xt = sc.tensor(x, shape);
  const canary = 7.25;
  const yt = sc.tensor(new Float32Array(size(want.shape) + 4).fill(canary));
  const k8 = debugKernels() as Kernels;
  k8[kernel](xt.ptr(), yt.ptr(), h, w, c, want.ho, want.wo, k[0], k[1], s[0], s[1], want.pt, want.pl, r0, r1);
  const got = yt.dataSync();
  const rowFloats = want.wo * c;
  expectClose(got.subarray(r0 * rowFloats, r1 * rowFloats), want.y.subarray(r0 * rowFloats, r1 * rowFloats), 1, kernel);
  for (let i = 0; i < got.length; i++) if (i < r0 * rowFloats || i >= r1 * rowFloats) expect(got[i], `${kernel} wrote [${i}]`).toBe(canary);
  expect(xt.dataSync()).toEqual(Float32Array.from(x));
  sc.dispose([xt, yt]);
}

describe("f32_avgpool_nhwc_simd", () => {
  const cases: [number[], [number, number], [number, number], Pad][] = [];
  for (const c of [1, 3, 4, 12, 15, 16, 17, 20, 33])
    for (const [k, s, pad] of [[[2, 2], [2, 2], "valid"], [[3, 3], [2, 2], "same"], [[3, 2], [1, 3], "same"], [[4, 4], [1, 1], "valid"], [[7, 7], [1, 1], "valid"], [[2, 3], [1, 1], [0, 3, 2, 3]]] as const)
      cases.push([[1, 7, 7, c], k as [number, number], s as [number, number], pad as Pad]);
  it.each(cases)("x %j, window %j, stride %j, pad %j", (shape, k, s, pad) => expectKernel("f32_avgpool_nhwc_simd", shape, k, s, pad));
});

describe("f32_avgpool_w3s1_nhwc_simd", () => {
  const cases: [number[], number, number, Pad][] = [];
  for (const [h, w] of [[1, 1], [3, 1], [2, 2], [5, 3], [4, 9]])
    for (const c of [1, 3, 4, 5, 8, 9, 12, 17])
      for (const [fh, sh] of [[3, 1], [1, 1], [5, 2], [2, 1]]) cases.push([[2, h, w, c], fh, sh, "same"]);
  // Explicit pads: one column each side across; rows padded past the window (an all-padding
  // row gives NaN, 0/0, as tfjs-cpu).
  cases.push([[1, 4, 5, 6], 3, 1, [1, 1, 1, 1]], [[1, 3, 5, 6], 2, 1, [2, 3, 1, 1]]);
  it.each(cases)("x %j, window %ix3, stride %ix1, pad %j", (shape, fh, sh, pad) => expectKernel("f32_avgpool_w3s1_nhwc_simd", shape, [fh, 3], [sh, 1], pad));
  it.each([[0, 1], [1, 3], [2, 2], [3, 5]] as [number, number][])("rows [%i, %i) only", (r0, r1) =>
    expectKernel("f32_avgpool_w3s1_nhwc_simd", [1, 5, 4, 9], [3, 3], [1, 1], "same", [r0, r1]));
});
