/**
 * winogradPlan's cut of the work into units, and Winograd F(2×2,3×3)'s error, measured through conv2d() against the float64 reference on
 * every 3×3 stride-1 undilated case of the conformance grid (tests/helpers/cases.ts) and on random
 * shapes with K = 9·ci up to 4608, with the path forced on and off (setWinogradMode)
 * on the same data. Both must stay within the direct path's bound K·2⁻²⁴·Σ|x·w|
 * (K/16 + 1 in worstError's units): Winograd gets no looser tolerance. README, performance,
 * quotes the worst ratios this prints with SIMDCONV_WINOGRAD_REPORT=1.
 */
import { afterAll, describe, expect, it } from "vitest";
import { backend } from "../../src/loader/backend.js";
import { setWinogradMode } from "../../src/ops/conv2d_plan.js";
import { winogradPlan } from "../../src/ops/conv2d_winograd.js";
import { conv2dCases, convInputs, runConvCase, type ConvCase } from "../helpers/cases.js";
import { conv2dRef, worstError } from "../helpers/reference.js";

const eligible = (c: ConvCase) =>
  c.filter[0] === 3 && c.filter[1] === 3 && c.strides[0] === 1 && c.strides[1] === 1 &&
  c.dilations[0] === 1 && c.dilations[1] === 1 && !(c.filter[2] === 1 && c.filter[3] === 1);

const random: ConvCase[] = [
  [1, 8, 8, 32, 16], [1, 7, 9, 64, 8], [2, 6, 6, 128, 12], [1, 6, 5, 256, 8], [1, 5, 6, 512, 8], [1, 4, 4, 512, 20],
].map(([n, h, w, ci, co], i) => ({
  name: `random ${ci}→${co}`, x: [n, h, w, ci], filter: [3, 3, ci, co], strides: [1, 1], dilations: [1, 1],
  pad: i % 2 ? "valid" : "same", bias: i % 3 === 0, activation: i % 3 === 0 ? "relu" : undefined,
} as ConvCase));

const cases = [...conv2dCases.filter(eligible), ...random];
const bound = (c: ConvCase) => (9 * c.filter[2]) / 16 + 1;
const saved = setWinogradMode("auto");
afterAll(() => void setWinogradMode(saved));

describe(`Winograd error vs the direct bound (${backend().build} build)`, () => {
  // Stays within K·2⁻²⁴·Σ|x·w| on the eligible grid and random cases, the path forced on and off.
  const worst = { wino: 0, igemm: 0, winoErr: 0, igemmErr: 0 };
  afterAll(() => {
    if (process.env.SIMDCONV_WINOGRAD_REPORT) console.log(`worst err/bound: winograd ${worst.wino.toFixed(4)}, igemm ${worst.igemm.toFixed(4)}; worst err (2^-20 units): winograd ${worst.winoErr.toFixed(4)}, igemm ${worst.igemmErr.toFixed(4)}`);
  });
  const rows = cases.flatMap((c, i) => ([["on", "wino"], ["off", "igemm"]] as const).map(([mode, key]) => [c.name, mode, c, i, key] as const));
  // Both modes run on the same data, made once per case.
  const prepared = new Map<number, { inputs: ReturnType<typeof convInputs>; want: ReturnType<typeof conv2dRef> }>();
  it.each(rows)("%s, Winograd %s", (_name, mode, c, i, key) => {
    if (!prepared.has(i)) {
      const inputs = convInputs(c, 500 + i);
      prepared.set(i, { inputs, want: conv2dRef(inputs.x, c, inputs.bias, c.activation ?? "linear", inputs.filter) });
    }
    const { inputs, want } = prepared.get(i)!;
    if (mode === "off") prepared.delete(i);
    setWinogradMode(mode);
    const { err, at } = worstError(runConvCase(c, inputs).data, want);
    expect(err, `${c.name} (${key}) worst at ${at}`).toBeLessThanOrEqual(bound(c));
    worst[key] = Math.max(worst[key], err / bound(c));
    worst[`${key}Err`] = Math.max(worst[`${key}Err`], err);
  });
});

describe("winogradPlan", () => {
  it("cuts output channels into parts only when the tile-row groups do not share out evenly and the weights are large", () => {
    // 512→512 on 28×28: 14 tile-rows in 7 groups of 2; 2 threads would split them 4 : 3.
    expect(winogradPlan(1, 28, 28, 512, 512, 1)).toMatchObject({ groupRows: 2, parts: 1, units: 7 });
    expect(winogradPlan(1, 28, 28, 512, 512, 2)).toMatchObject({ groupRows: 2, parts: 2, units: 14 });
    // 256→256 on 56×56: 14 groups share evenly.
    expect(winogradPlan(1, 56, 56, 256, 256, 2)).toMatchObject({ parts: 1, units: 14 });
    // The threads test's case: weights past 1 MB, one group of 3 tile-rows, 17 channel blocks.
    expect(winogradPlan(1, 6, 6, 128, 136, 1)).toMatchObject({ groupRows: 3, parts: 1, units: 1 });
    expect(winogradPlan(1, 6, 6, 128, 136, 2)).toMatchObject({ groupRows: 3, parts: 2, units: 2 });
    expect(winogradPlan(1, 6, 6, 128, 136, 3)).toMatchObject({ parts: 3, units: 3 });
    // Weights that stay cached: on threads, groups shrink to give 4 units per thread instead.
    expect(winogradPlan(1, 12, 10, 64, 40, 1)).toMatchObject({ groupRows: 6, parts: 1, units: 1 });
    expect(winogradPlan(1, 12, 10, 64, 40, 2)).toMatchObject({ groupRows: 1, parts: 1, units: 6 });
    expect(winogradPlan(1, 20, 20, 24, 24, 2)).toMatchObject({ groupRows: 1, parts: 1, units: 10 });
    // One 8-channel block cannot be cut: one unit, whatever the threads.
    expect(winogradPlan(1, 2, 6, 4096, 8, 2)).toMatchObject({ groupRows: 1, parts: 1, units: 1 });
  });
});
