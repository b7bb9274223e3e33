/**
 * Every op, read path and tensor method on blocks placed past 2 GiB and next to 4 GiB, where
 * a signed `ptr >> 2` turns an address negative (a typed-array write then throws, a read
 * silently gives zeros). `Heap.placeAbove` skips untouched pages, so this costs address
 * space, not RAM. Results are checked against the float64 reference.
 */
import { expect } from "vitest";
import { conv2d, fused, maxPool, memory, relu, relu6, tensor, tidy, type Tensor } from "../../src/index.js";
import { backend } from "../../src/loader/backend.js";
import { isDeferred } from "../../src/tensor.js";
import { conv2dRef, maxPoolRef, randomData, rng, worstError, type Conv2DCase } from "../helpers/reference.js";

export const GiB = 2 ** 30;

/** One case per conv path (see the path table in src/ops/conv2d_plan.ts). */
export const convCases: (Conv2DCase & { path: string })[] = [
  { path: "direct1", x: [1, 33, 29, 1], filter: [3, 3, 1, 1], strides: [1, 1], dilations: [1, 1], pad: "same" },
  { path: "dot1", x: [1, 13, 17, 3], filter: [3, 3, 3, 1], strides: [1, 1], dilations: [1, 1], pad: "same" },
  { path: "dot4", x: [2, 9, 14, 3], filter: [5, 5, 3, 3], strides: [1, 2], dilations: [2, 1], pad: "same" },
  { path: "subsample", x: [2, 9, 11, 13], filter: [1, 1, 13, 10], strides: [2, 2], dilations: [1, 1], pad: "valid" },
  { path: "winograd4", x: [1, 13, 10, 64], filter: [3, 3, 64, 72], strides: [1, 1], dilations: [1, 1], pad: "same" },
  { path: "winograd", x: [1, 12, 11, 9], filter: [3, 3, 9, 10], strides: [1, 1], dilations: [1, 1], pad: "same" },
  { path: "gemm", x: [2, 7, 9, 13], filter: [1, 1, 13, 11], strides: [1, 1], dilations: [1, 1], pad: "valid" },
  { path: "im2col", x: [1, 20, 21, 3], filter: [3, 3, 3, 17], strides: [1, 1], dilations: [1, 1], pad: "same" },
  { path: "igemm", x: [2, 11, 13, 6], filter: [3, 2, 6, 7], strides: [2, 1], dilations: [1, 2], pad: [1, 2, 0, 3] },
];

const explicit = (p: Conv2DCase["pad"]) =>
  (typeof p === "string" ? p : [[0, 0], [p[0], p[1]], [p[2], p[3]], [0, 0]]) as "same";

function expectClose(got: Float32Array, want: ReturnType<typeof conv2dRef>, what: string): void {
  expect(got.length, what).toBe(want.y.length);
  const { err, at } = worstError(got, want);
  expect(err, `${what}: worst error at ${at}: ${got[at]} vs ${want.y[at]}`).toBeLessThan(64);
}

/** A tensor of `shape` whose block lies at or above `floor` (checked), with its values. */
function high(values: Float32Array, shape: number[], floor: number): Tensor {
  const t = tensor(values, shape);
  expect(t.ptr()).toBeGreaterThanOrEqual(floor);
  return t;
}

/** Runs every op and read path with every new block placed at or above `address`. */
export function everythingAbove(address: number): void {
  const heap = backend().heap;
  heap.placeAbove(address);
  const rand = rng(Math.floor(address / 4096));
  const baseline = memory().numTensors;

  for (const c of convCases) {
    const [, , , co] = c.filter;
    const wShape = [c.filter[0], c.filter[1], c.x[3], co];
    const xv = randomData(c.x.reduce((a, b) => a * b), rand);
    const wv = randomData(wShape.reduce((a, b) => a * b), rand);
    const bv = randomData(co, rand);
    tidy(() => {
      const x = high(xv, c.x, address);
      const w = high(wv, wShape, address);
      const b = high(bv, [co], address);
      const y = conv2d(x, w, c.strides, explicit(c.pad), "NHWC", c.dilations);
      expect(y.ptr()).toBeGreaterThanOrEqual(address);
      expectClose(y.dataSync(), conv2dRef(xv, c, undefined, "linear", wv), `conv2d ${c.path}`);
      const f = fused.conv2d({ x, filter: w, strides: c.strides, pad: explicit(c.pad), dilations: c.dilations, bias: b, activation: "relu6" });
      expectClose(f.dataSync(), conv2dRef(xv, c, bv, "relu6", wv), `fused.conv2d ${c.path}`);
      // NCHW goes through the layout copies in src/ops/transpose.ts.
      const [n, h, wd, ci] = c.x;
      const nchw = tensor(nhwcToNchw(xv, c.x), [n, ci, h, wd]);
      const yn = conv2d(nchw, w, c.strides, typeof c.pad === "string" ? c.pad : [[0, 0], [0, 0], [c.pad[0], c.pad[1]], [c.pad[2], c.pad[3]]], "NCHW", c.dilations);
      const want = conv2dRef(xv, c, undefined, "linear", wv);
      expectClose(nchwToNhwc(yn.dataSync(), y.shape), want, `conv2d NCHW ${c.path}`);
    });
  }

  // relu, relu6 and maxPool, read back while deferred (chunked) and after computing in place.
  const shape = [2, 37, 41, 5];
  const xv = randomData(shape.reduce((a, b) => a * b), rand).map((v) => v * 4);
  tidy(() => {
    const x = high(xv, shape, address);
    for (const [op, f] of [["relu", relu], ["relu6", relu6]] as const) {
      const lazy = f(x);
      expect(isDeferred(lazy)).toBe(true);
      const want = Float32Array.from(xv, (v) => (op === "relu" ? Math.max(v, 0) : Math.min(Math.max(v, 0), 6)));
      expect(lazy.dataSync(), `${op} deferred read`).toEqual(want);
      const eager = f(x);
      expect(Array.from(eager.view()), `${op} view`).toEqual(Array.from(want));
      expect(eager.reshape([-1]).dataSync(), `${op} reshape`).toEqual(want);
      expect(eager.clone().dataSync(), `${op} clone`).toEqual(want);
    }
    for (const [k, s, pad] of [[2, 2, "valid"], [3, 2, "same"], [2, 1, "same"]] as const) {
      const want = maxPoolRef(xv, shape as [number, number, number, number], [k, k], [s, s], pad);
      const lazy = maxPool(x, k, s, pad);
      expect(Array.from(lazy.dataSync()), `maxPool ${k}/${s} deferred`).toEqual(Array.from(want.y));
      const eager = maxPool(x, k, s, pad);
      expect(Array.from(eager.view()), `maxPool ${k}/${s} view`).toEqual(Array.from(want.y));
    }
    // Writes through a view land where reads find them.
    const v = x.view();
    v[v.length - 1] = 1234.5;
    expect(x.dataSync()[x.size - 1]).toBe(1234.5);
  });
  expect(memory().numTensors).toBe(baseline);
}

function nhwcToNchw(d: Float32Array, [n, h, w, c]: number[]): Float32Array {
  const out = new Float32Array(d.length);
  for (let b = 0; b < n; b++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++)
    out[((b * c + k) * h + y) * w + x] = d[((b * h + y) * w + x) * c + k];
  return out;
}

function nchwToNhwc(d: Float32Array, [n, h, w, c]: number[]): Float32Array {
  const out = new Float32Array(d.length);
  for (let b = 0; b < n; b++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++)
    out[((b * h + y) * w + x) * c + k] = d[((b * c + k) * h + y) * w + x];
  return out;
}
