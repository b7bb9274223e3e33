/**
 * f32_conv2d_nhwc_co1_minmax_w4_dot_simd (one output channel, a dot product per filter row)
 * against the float64 reference on an edge-case grid: filter-row runs kw·ci below, at and above
 * the 4-float step and its multiples (the masked last step), widths around the 4-output step,
 * padding on each side, height and width strides, height dilation, batch > 1, bias and each
 * activation; called over split row ranges, which must give the same bits as one call. The
 * floats its last step reads past a run must never reach a sum, even when they are infinite.
 */
import { describe, expect, it } from "vitest";
import { backend } from "../../src/loader/backend.js";
import { debugKernels } from "../helpers/debug-kernels.js";
import { tensor } from "../../src/index.js";
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
  for (const ci of [1, 2, 3, 4, 5, 8, 13])
    for (const k of [1, 2, 3, 5])
      for (const w of [1, 3, 4, 5, 9, 14]) add([1, 4, w, ci], [k, k, ci, 1]);
  for (const pad of ["valid", [0, 2, 3, 0], [2, 0, 0, 3], [1, 1, 1, 1]] as Case["pad"][])
    for (const [sh, sw] of [[1, 1], [2, 2], [1, 3], [3, 2]])
      add([2, 11, 17, 3], [3, 3, 3, 1], { pad, strides: [sh, sw] });
  add([1, 12, 20, 3], [3, 3, 3, 1], { dilations: [2, 1], pad: "same" });
  add([1, 9, 23, 4], [5, 2, 4, 1], { dilations: [2, 1], pad: [3, 1, 0, 1] });
  add([1, 3, 3, 3], [5, 5, 3, 1], { pad: "same" }); // kernel larger than the input
  add([3, 6, 30, 16], [3, 3, 16, 1], { pad: "valid" });
  return out;
}

function run(c: Case, xs: Float32Array, ws: Float32Array, b: number, splits: number[]): Float32Array {
  const { pt, pl, ho, wo } = geometry(c);
  const [kh, kw, ci] = c.filter;
  const x = tensor(xs, c.x);
  const w = tensor(ws, c.filter);
  const y = tensor(new Float32Array(c.x[0] * ho * wo).fill(NaN));
  const [lo, hi] = BOUNDS[c.act];
  for (let s = 0; s < splits.length - 1; s++) {
    debugKernels().f32_conv2d_nhwc_co1_minmax_w4_dot_simd(
      x.ptr(), w.ptr(), b, y.ptr(), c.x[1], c.x[2], ci, ho, wo, kh, kw, c.strides[0], c.strides[1], c.dilations[0],
      pt, pl, lo, hi, splits[s], splits[s + 1],
    );
  }
  const got = y.dataSync().slice();
  for (const t of [x, w, y]) t.dispose();
  return got;
}

describe(`f32_conv2d_nhwc_co1_minmax_w4_dot_simd (${backend().build} build)`, () => {
  it.each(named(grid()))("%s: the float64 reference, the same bits for any split of the rows", (_name, c, i) => {
    const rand = rng(700 + i);
    const xs = randomData(size(c.x), rand);
    const ws = randomData(size(c.filter), rand);
    const b = c.bias ? randomData(1, rand) : undefined;
    const rows = c.x[0] * geometry(c).ho;
    const whole = run(c, xs, ws, b ? b[0] : 0, [0, rows]);
    const split = run(c, xs, ws, b ? b[0] : 0, [0, Math.floor(rows / 3), rows - 1, rows].filter((v, k, a) => k === 0 || v >= a[k - 1]));
    expect(Array.from(split), `${JSON.stringify(c)}: split run differs`).toEqual(Array.from(whole));
    const want = conv2dRef(xs, c, b, c.act, ws);
    const { err, at } = worstError(whole, want);
    expect(err, `${JSON.stringify(c)}: worst at ${at}: got ${whole[at]}, want ${want.y[at]}`)
      .toBeLessThanOrEqual(c.filter[0] * c.filter[1] * c.filter[2] / 16 + 1);
  });

  it("never lets the floats past a filter row's run into a sum (infinite inputs next to the window)", () => {
    // 1×8×3 input, 3×3... one row: a 1×3 filter over 3 channels (run of 9: the last step reads
    // 3 floats past it). Column 3 is infinite: outputs 0 (columns 0–2) must stay finite.
    const c: Case = { x: [1, 1, 9, 3], filter: [1, 3, 3, 1], strides: [1, 1], dilations: [1, 1], pad: "valid", bias: false, act: "linear" };
    const xs = new Float32Array(27).fill(1);
    xs.fill(Infinity, 9, 12);
    const ws = new Float32Array(9).fill(0.5);
    const got = run(c, xs, ws, 0, [0, 1]);
    expect(got[0]).toBe(4.5);
    expect(got[1]).toBe(Infinity);
    expect(got[6]).toBe(4.5);
  });
});
