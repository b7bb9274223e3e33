/**
 * The conv kernels' test harness (tests/kernels/f32-*.test.ts): each kernel against the float64
 * reference over an edge-case grid: K below, at and above the unroll, pixel remainders of the MR
 * tile, channel remainders of the NR tile, padding taps on every side, strides, dilations, bias
 * and each activation. Kernels are called directly (so tiles that dispatch does not pick are
 * covered too) over a split row range, which also checks that a row's result does not depend
 * on how the rows were divided.
 */
import { expect } from "vitest";
import { debugKernels } from "../helpers/debug-kernels.js";
import { tensor, type Tensor } from "../../src/index.js";
import { packedWeights, winogradWeights } from "../../src/ops/conv2d_packing.js";
import { winogradUnitBytes } from "../../src/ops/conv2d_winograd.js";
import { conv2dRef, padding1d, randomData, rng, worstError, type Conv2DCase } from "../helpers/reference.js";

export type Act = "linear" | "relu" | "relu6";
export const BOUNDS: Record<Act, [number, number]> = { linear: [-Infinity, Infinity], relu: [0, Infinity], relu6: [0, 6] };

export interface KernelCase extends Conv2DCase {
  bias: boolean;
  act: Act;
}

export function geometry(c: Conv2DCase) {
  const pad = (i: 0 | 1): "same" | "valid" | [number, number] =>
    c.pad === "same" || c.pad === "valid" ? c.pad : [c.pad[2 * i], c.pad[2 * i + 1]];
  const [pt, , ho] = padding1d(c.x[1], c.filter[0], c.strides[0], c.dilations[0], pad(0));
  const [pl, , wo] = padding1d(c.x[2], c.filter[1], c.strides[1], c.dilations[1], pad(1));
  return { pt, pl, ho, wo };
}

/** Float32 sums of K products err by at most K·2^-24·Σ|x·w|: K/16 in worstError's units. */
export const bound = (c: Conv2DCase) => c.filter[0] * c.filter[1] * c.filter[2] / 16 + 1;

export function data(c: KernelCase, seed: number) {
  const rand = rng(seed);
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  return {
    x: randomData(size(c.x), rand),
    w: randomData(size(c.filter), rand),
    b: c.bias ? randomData(c.filter[3], rand) : undefined,
  };
}

export type Runner = (c: KernelCase, x: Tensor, w: Tensor, b: Tensor | undefined, y: Tensor, r0: number, r1: number) => void;

export function zeroRow(ci: number): Tensor {
  return tensor(new Float32Array(ci));
}

export const igemm = (name: "f32_igemm_nhwc_minmax_4x8_loadsplat_simd"): Runner =>
  (c, x, w, b, y, r0, r1) => {
    const { pt, pl, ho, wo } = geometry(c);
    const [kh, kw, ci, co] = c.filter;
    const packed = packedWeights(w, b, kh * kw * ci, co);
    const zero = zeroRow(ci);
    const [lo, hi] = BOUNDS[c.act];
    debugKernels()[name](
      x.ptr(), packed, zero.ptr(), y.ptr(), c.x[1], c.x[2], ci, ho, wo, co,
      kh, kw, c.strides[0], c.strides[1], c.dilations[0], c.dilations[1], pt, pl, lo, hi, r0, r1,
    );
    zero.dispose();
  };

export type GemmName = "f32_gemm_minmax_4x8_loadsplat_simd";

export const gemm = (name: GemmName): Runner =>
  (c, x, w, b, y, r0, r1) => {
    const [, , ci, co] = c.filter;
    const packed = packedWeights(w, b, ci, co);
    const [lo, hi] = BOUNDS[c.act];
    debugKernels()[name](x.ptr(), packed, y.ptr(), ci, co, c.x[2], lo, hi, r0, r1);
  };

/**
 * The few-channel path: f32_im2col_nhwc gathers rows r0 + [0, m) (rowBase = r0, itself split
 * in two calls) into a scratch block, then the GEMM runs over it into y's rows [r0, r1).
 */
export const im2colGemm = (gemmName: GemmName): Runner => (c, x, w, b, y, r0, r1) => {
  const { pt, pl, ho, wo } = geometry(c);
  const [kh, kw, ci, co] = c.filter;
  const k = kh * kw * ci;
  const m = r1 - r0;
  if (m <= 0) return;
  const packed = packedWeights(w, b, k, co);
  const col = tensor(new Float32Array(m * wo * k).fill(NaN));
  const [lo, hi] = BOUNDS[c.act];
  const gather = (a: number, z: number) =>
    debugKernels().f32_im2col_nhwc(
      x.ptr(), col.ptr(), c.x[1], c.x[2], ci, ho, wo, kh, kw, c.strides[0], c.strides[1],
      c.dilations[0], c.dilations[1], pt, pl, r0, a, z,
    );
  const s = m >> 1;
  gather(s, m);
  gather(0, s);
  debugKernels()[gemmName](col.ptr(), packed, y.ptr() + r0 * wo * co * 4, k, co, wo, lo, hi, 0, m);
  col.dispose();
};

/** Work units of the Winograd kernel: groups of `groupRows` tile-rows (pairs of output rows) × `parts` channel ranges. */
export const winogradUnits = (c: Conv2DCase, groupRows: number, parts: number) =>
  Math.ceil((c.x[0] * Math.ceil(geometry(c).ho / 2)) / groupRows) * parts;

/** The Winograd kernel with a given cut into units; its rows are units, and scratch has one slot per unit. */
export const winograd = (groupRows: number, parts: number): Runner => (c, x, w, b, y, r0, r1) => {
  const { pt, pl, ho, wo } = geometry(c);
  const [, , ci, co] = c.filter;
  const u = winogradWeights(w, ci, co);
  const zero = zeroRow(ci + 3);
  const scratch = tensor(new Float32Array((winogradUnits(c, groupRows, parts) * winogradUnitBytes(groupRows, wo, ci)) / 4).fill(NaN));
  const [lo, hi] = BOUNDS[c.act];
  debugKernels().f32_winograd_2x2_3x3_nhwc_minmax_4x8_simd(
    x.ptr(), u, b ? b.ptr() : 0, zero.ptr(), scratch.ptr(), y.ptr(), c.x[0], c.x[1], c.x[2], ci, ho, wo, co,
    pt, pl, groupRows, parts, lo, hi, r0, r1,
  );
  zero.dispose();
  scratch.dispose();
};

export const direct1: Runner = (c, x, w, b, y, r0, r1) => {
  const { pt, pl, ho, wo } = geometry(c);
  const [lo, hi] = BOUNDS[c.act];
  const bias = b ? b.dataSync()[0] : 0;
  debugKernels().f32_conv2d_nhwc_c1_minmax_w8_simd(
    x.ptr(), w.ptr(), bias, y.ptr(), c.x[1], c.x[2], ho, wo, c.filter[0], c.filter[1],
    c.strides[0], c.dilations[0], c.dilations[1], pt, pl, lo, hi, r0, r1,
  );
};

export function check(run: Runner, c: KernelCase, seed: number, rowsOf?: (c: KernelCase) => number, tol = bound) {
  const d = data(c, seed);
  const { ho, wo } = geometry(c);
  const x = tensor(d.x, c.x);
  const w = tensor(d.w, c.filter);
  const b = d.b && tensor(d.b, [c.filter[3]]);
  const rows = rowsOf ? rowsOf(c) : c.x[0] * ho;
  const yLen = c.x[0] * ho * wo * c.filter[3];
  const y = tensor(new Float32Array(yLen).fill(NaN));
  // Two calls, [split, rows) then [0, split): every row must be written, by its own call only.
  const split = Math.floor(rows / 3);
  run(c, x, w, b, y, split, rows);
  run(c, x, w, b, y, 0, split);
  const got = y.dataSync();
  // One call over all rows gives the same bits (what lets threads split the rows).
  const whole = tensor(new Float32Array(yLen).fill(NaN));
  run(c, x, w, b, whole, 0, rows);
  expect(Array.from(got), `${JSON.stringify(c)}: split run differs from one call`).toEqual(Array.from(whole.dataSync()));
  const want = conv2dRef(d.x, c, d.b, c.act, d.w);
  const { err, at } = worstError(got, want);
  for (const t of [x, w, b, y, whole]) t?.dispose();
  expect(err, `${JSON.stringify(c)}: worst at ${at}: got ${got[at]}, want ${want.y[at]}`).toBeLessThanOrEqual(tol(c));
  return err / bound(c);
}

export const conv = (
  x: KernelCase["x"], filter: KernelCase["filter"], more: Partial<KernelCase> = {},
): KernelCase => ({ x, filter, strides: [1, 1], dilations: [1, 1], pad: "same", bias: false, act: "linear", ...more });

/** The general grid: ci around the 4-channel step, wo around MR (4, 6), co around NR (8). */
export function igemmGrid(): KernelCase[] {
  const out: KernelCase[] = [];
  for (const ci of [1, 2, 3, 4, 5, 16])
    for (const co of [1, 7, 8, 9, 17])
      for (const w of [1, 4, 5, 7, 13]) out.push(conv([1, 5, w, ci], [3, 3, ci, co]));
  out.push(
    conv([2, 9, 11, 3], [3, 3, 3, 8], { strides: [2, 2], pad: "same", bias: true, act: "relu" }),
    conv([1, 10, 10, 4], [3, 3, 4, 12], { dilations: [2, 2], pad: "same", act: "relu6", bias: true }),
    conv([1, 10, 9, 2], [3, 2, 2, 9], { dilations: [1, 3], pad: "valid" }),
    conv([1, 12, 12, 5], [5, 5, 5, 6], { pad: [2, 1, 0, 3], bias: true }),
    conv([1, 15, 15, 3], [7, 7, 3, 16], { strides: [2, 2], pad: "same", bias: true }),
    conv([3, 8, 8, 16], [5, 5, 16, 32], { pad: "valid" }),
    conv([1, 6, 6, 8], [1, 1, 8, 9], { strides: [2, 2], pad: "same" }),
    conv([1, 7, 7, 4], [1, 1, 4, 8], { pad: [1, 0, 2, 1], act: "relu", bias: true }),
  );
  return out;
}

/**
 * Winograd's grid (3×3, stride 1): odd and even heights/widths (edge tiles), a single pixel,
 * SAME (TF puts the odd pad at the bottom/right), VALID and explicit pads, ci around the 4-channel
 * transform and the GEMM unroll, co around the 8-channel block and its 4-channel halves, batch > 1,
 * bias and each activation.
 */
export function winogradGrid(): KernelCase[] {
  const out: KernelCase[] = [];
  for (const ci of [1, 2, 3, 4, 5, 9, 16])
    for (const co of [1, 3, 4, 5, 8, 9, 17])
      out.push(conv([1, 5, 7, ci], [3, 3, ci, co], { bias: co % 2 === 1, act: (["linear", "relu", "relu6"] as Act[])[ci % 3] }));
  for (const [h, w] of [[1, 1], [1, 2], [2, 1], [2, 2], [3, 3], [4, 4], [4, 5], [6, 9], [9, 6], [13, 2]])
    for (const pad of ["same", "valid", [0, 1, 1, 0], [2, 0, 0, 2]] as KernelCase["pad"][])
      if (pad !== "valid" || (h >= 3 && w >= 3)) out.push(conv([1, h, w, 6], [3, 3, 6, 10], { pad, bias: h % 2 === 0 }));
  out.push(
    conv([3, 7, 5, 8], [3, 3, 8, 12], { bias: true, act: "relu" }),
    conv([2, 6, 6, 33], [3, 3, 33, 40], { bias: true, act: "relu6" }),
    conv([2, 11, 10, 64], [3, 3, 64, 64], { pad: "valid" }),
    conv([1, 9, 17, 128], [3, 3, 128, 24], { bias: true }),
  );
  return out;
}

export function gemmGrid(): KernelCase[] {
  const out: KernelCase[] = [];
  // Pixel counts 1, 3, 4, 5, 7, 8, 9 and 70 (remainders 0–3 of the 4-pixel tile), K = 1–67.
  for (const ci of [1, 2, 3, 4, 5, 8, 33, 67])
    for (const co of [1, 4, 8, 13, 24])
      for (const [n, h, w] of [[1, 1, 1], [1, 1, 3], [1, 1, 4], [1, 1, 5], [1, 1, 7], [1, 2, 4], [1, 3, 3], [2, 5, 7]])
        out.push(conv([n, h, w, ci], [1, 1, ci, co], { pad: "valid", bias: co % 2 === 0, act: co === 13 ? "relu6" : "linear" }));
  return out;
}

export function direct1Grid(): KernelCase[] {
  const out: KernelCase[] = [];
  for (const w of [1, 2, 3, 4, 7, 8, 9, 12, 17, 33])
    for (const [k, pad] of [[3, "same"], [3, "valid"], [5, "same"], [1, "valid"]] as const)
      if (pad !== "valid" || w >= k) out.push(conv([1, 6, w, 1], [k, k, 1, 1], { pad, bias: w % 2 === 1, act: w % 3 === 0 ? "relu" : "linear" }));
  out.push(
    conv([2, 9, 20, 1], [3, 3, 1, 1], { strides: [2, 1], bias: true, act: "relu6" }),
    conv([1, 11, 30, 1], [3, 3, 1, 1], { dilations: [2, 3], pad: "same" }),
    conv([1, 11, 30, 1], [3, 3, 1, 1], { dilations: [2, 1], pad: [1, 2, 0, 1], bias: true }),
    conv([1, 8, 25, 1], [2, 4, 1, 1], { pad: [0, 3, 4, 1] }),
  );
  return out;
}

/** A case's test name: `n=1 h=5 w=7 ci=3 k=3x3 co=8 pad=same`, then strides, dilations, bias, activation where set. */
export function caseName(c: KernelCase): string {
  const [n, h, w, ci] = c.x;
  const [kh, kw, , co] = c.filter;
  const parts = [`n=${n} h=${h} w=${w} ci=${ci} k=${kh}x${kw} co=${co}`, `pad=${typeof c.pad === "string" ? c.pad : c.pad.join(",")}`];
  if (c.strides[0] !== 1 || c.strides[1] !== 1) parts.push(`s=${c.strides.join("x")}`);
  if (c.dilations[0] !== 1 || c.dilations[1] !== 1) parts.push(`d=${c.dilations.join("x")}`);
  if (c.bias) parts.push("bias");
  if (c.act !== "linear") parts.push(c.act);
  return parts.join(" ");
}

/** A grid as it.each rows: [name, case, index]; the index seeds the case's data as before. */
export const named = (grid: KernelCase[]) => grid.map((c, i) => [caseName(c), c, i] as const);

/**
 * Calls `run(r0, r1)` over units [0, units) cut at `cuts`, the ranges' calls interleaved so every
 * range's scratch slot is live while the others run; each call covers up to two units, so a
 * group's second part finds its inputs already transformed.
 */
export function interleavedUnits(units: number, cuts: number[], run: (r0: number, r1: number) => void): void {
  const bounds = [...cuts.filter((r) => r < units), units];
  const ranges = bounds.slice(0, -1).map((r0, i) => [r0, bounds[i + 1]] as const);
  const pos = ranges.map(([r0]) => r0);
  for (let busy = true; busy; ) {
    busy = false;
    ranges.forEach(([, r1], i) => {
      if (pos[i] >= r1) return;
      busy = true;
      const end = Math.min(r1, pos[i] + 2);
      run(pos[i], end);
      pos[i] = end;
    });
  }
}
