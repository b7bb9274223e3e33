/**
 * f32_conv2d_nhwc_minmax_2x4_dot_simd (output channels 4 at a time, a dot product per filter row, with
 * weights packed by f32_packw_hwio_dot4) against the float64 reference on an edge-case grid:
 * co from 2 to 16 (whole and partial groups of 4 channels), filter-row runs kw·ci below, at and above the 4-float step and its
 * multiples (the masked last step), widths around the 2-pixel step,
 * padding on each side, height and width strides, height dilation, batch > 1, bias and each
 * activation; called over split row ranges, which must give the same bits as one call. The
 * floats its last step reads past a run must never reach a sum, even when they are infinite.
 */
import { describe, expect, it } from "vitest";
import { backend } from "../../src/loader/backend.js";
import { debugKernels } from "../helpers/debug-kernels.js";
import { tensor } from "../../src/index.js";
import { dot4Weights } from "../../src/ops/conv2d_packing.js";
import { conv2dRef, randomData, rng, worstError } from "../helpers/reference.js";
import { BOUNDS, geometry, named, type Act, type KernelCase } from "./conv.js";

type Case = KernelCase;
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

function grid(): Case[] {
  const out: Case[] = [];
  const acts: Act[] = ["linear", "relu", "relu6"];
  let i = 0;
  const add = (x: Case["x"], filter: Case["filter"], more: Partial<Case> = {}) =>
    out.push({ x, filter, strides: [1, 1], dilations: [1, 1], pad: "same", bias: i % 2 === 0, act: acts[i++ % 3], ...more });
  for (const co of [2, 3, 4, 5, 8, 9])
    for (const ci of [1, 2, 3, 4, 5, 8, 13])
      for (const k of [1, 2, 3, 5])
        for (const w of [1, 2, 3, 5, 8]) add([1, 4, w, ci], [k, k, ci, co]);
  for (const pad of ["valid", [0, 2, 3, 0], [2, 0, 0, 3], [1, 1, 1, 1]] as Case["pad"][])
    for (const [sh, sw] of [[1, 1], [2, 2], [1, 3], [3, 2]])
      add([2, 11, 17, 3], [3, 3, 3, 3], { pad, strides: [sh, sw] });
  add([1, 12, 20, 3], [3, 3, 3, 2], { dilations: [2, 1], pad: "same" });
  add([1, 9, 23, 4], [5, 2, 4, 4], { dilations: [2, 1], pad: [3, 1, 0, 1] });
  add([1, 3, 3, 3], [5, 5, 3, 3], { pad: "same" }); // kernel larger than the input
  add([3, 6, 30, 16], [3, 3, 16, 4], { pad: "valid" });
  add([2, 7, 19, 3], [3, 3, 3, 16], { pad: "same", strides: [2, 1] });
  add([1, 9, 11, 2], [5, 5, 2, 13], { pad: [1, 2, 2, 0] });
  return out;
}

function run(c: Case, xs: Float32Array, ws: Float32Array, bs: Float32Array | undefined, splits: number[]): Float32Array {
  const { pt, pl, ho, wo } = geometry(c);
  const [kh, kw, ci, co] = c.filter;
  const x = tensor(xs, c.x);
  const w = tensor(ws, c.filter);
  const b = bs && tensor(bs, [co]);
  const packed = dot4Weights(w, b, kh, kw, ci, co);
  const y = tensor(new Float32Array(c.x[0] * ho * wo * co).fill(NaN));
  const [lo, hi] = BOUNDS[c.act];
  for (let s = 0; s < splits.length - 1; s++) {
    debugKernels().f32_conv2d_nhwc_minmax_2x4_dot_simd(
      x.ptr(), packed, y.ptr(), c.x[1], c.x[2], ci, ho, wo, co, kh, kw, c.strides[0], c.strides[1], c.dilations[0],
      pt, pl, lo, hi, splits[s], splits[s + 1],
    );
  }
  const got = y.dataSync().slice();
  for (const t of [x, w, b, y]) t?.dispose();
  return got;
}

describe(`f32_conv2d_nhwc_minmax_2x4_dot_simd (${backend().build} build)`, () => {
  it.each(named(grid()))("%s: the float64 reference, the same bits for any split of the rows", (_name, c, i) => {
    const rand = rng(700 + i);
    const xs = randomData(size(c.x), rand);
    const ws = randomData(size(c.filter), rand);
    const b = c.bias ? randomData(c.filter[3], rand) : undefined;
    const rows = c.x[0] * geometry(c).ho;
    const whole = run(c, xs, ws, b, [0, rows]);
    const split = run(c, xs, ws, b, [0, Math.floor(rows / 3), rows - 1, rows].filter((v, k, a) => k === 0 || v >= a[k - 1]));
    expect(Array.from(split), `${JSON.stringify(c)}: split run differs`).toEqual(Array.from(whole));
    const want = conv2dRef(xs, c, b, c.act, ws);
    const { err, at } = worstError(whole, want);
    expect(err, `${JSON.stringify(c)}: worst at ${at}: got ${whole[at]}, want ${want.y[at]}`)
      .toBeLessThanOrEqual(c.filter[0] * c.filter[1] * c.filter[2] / 16 + 1);
  });

  it("never lets the floats past a filter row's run into a sum (infinite inputs next to the window)", () => {
    // A 1×3 filter over 3 channels (a run of 9: the last step reads 3 floats past it), 3 maps.
    // Column 3 is infinite: outputs at column 0 (columns 0–2) must stay finite.
    const c: Case = { x: [1, 1, 9, 3], filter: [1, 3, 3, 3], strides: [1, 1], dilations: [1, 1], pad: "valid", bias: false, act: "linear" };
    const xs = new Float32Array(27).fill(1);
    xs.fill(Infinity, 9, 12);
    const ws = new Float32Array(27).fill(0.5);
    const got = run(c, xs, ws, undefined, [0, 1]);
    expect(Array.from(got.slice(0, 3))).toEqual([4.5, 4.5, 4.5]);
    expect(got[3]).toBe(Infinity);
    expect(Array.from(got.slice(18, 21))).toEqual([4.5, 4.5, 4.5]);
  });
});
