/**
 * The Winograd F(2×2, 3×3) kernel (assembly/f32-winograd/) called directly on its edge-case grid
 * (tests/kernels/conv.ts: odd and even sizes for the edge tiles, a single pixel, SAME, VALID and
 * explicit pads, ci around the 4-channel transform, co around the 8-channel block, batch > 1, bias,
 * activations) against the float64 reference within the direct bound; and the same bits for any
 * cut into work units and any split of them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backend } from "../../src/loader/backend.js";
import { tensor, type Tensor } from "../../src/index.js";
import { winogradWeights } from "../../src/ops/conv2d_packing.js";
import { winogradUnitBytes } from "../../src/ops/conv2d_winograd.js";
import { debugKernels } from "../helpers/debug-kernels.js";
import { check, conv, data, geometry, interleavedUnits, named, winograd, winogradGrid, winogradUnits, zeroRow } from "./conv.js";

describe(`f32_winograd_2x2_3x3_nhwc_minmax_4x8_simd (${backend().build} build)`, () => {
  let worst = 0;
  afterAll(() => {
    if (process.env.SIMDCONV_WINOGRAD_REPORT) console.log(`winograd worst error / direct bound: ${worst.toFixed(3)} (${backend().build})`);
  });

  // Groups of 1–3 tile-rows and 1–3 channel parts (more parts than 8-channel blocks included).
  const cases = named(winogradGrid()).map(([name, c, i]) => {
    const groupRows = 1 + (i % 3), parts = 1 + (Math.floor(i / 3) % 3);
    return [`${name} groupRows=${groupRows} parts=${parts}`, c, i, groupRows, parts] as const;
  });
  it.each(cases)("%s: within the direct bound", (_name, c, i, groupRows, parts) => {
    worst = Math.max(worst, check(winograd(groupRows, parts), c, 300 + i, (k) => winogradUnits(k, groupRows, parts)));
  });
});

describe("Winograd gives the same bits for every cut into units and every split of them, several calls at once on one scratch", () => {
  const c = conv([2, 9, 11, 12], [3, 3, 12, 20], { bias: true, act: "relu" });
  const [, , ci, co] = c.filter;
  let x: Tensor, w: Tensor, b: Tensor, zero: Tensor, u: number, one: number[];
  const runSplit = (groupRows: number, parts: number, cuts: number[]) => {
    const { ho, wo } = geometry(c);
    const units = winogradUnits(c, groupRows, parts);
    const scratch = tensor(new Float32Array((units * winogradUnitBytes(groupRows, wo, ci)) / 4));
    const y = tensor(new Float32Array(2 * ho * wo * co).fill(NaN));
    interleavedUnits(units, cuts, (r0, r1) =>
      debugKernels().f32_winograd_2x2_3x3_nhwc_minmax_4x8_simd(
        x.ptr(), u, b.ptr(), zero.ptr(), scratch.ptr(), y.ptr(), 2, c.x[1], c.x[2], ci, ho, wo, co,
        1, 1, groupRows, parts, 0, Infinity, r0, r1,
      ));
    const out = Array.from(y.dataSync());
    y.dispose();
    scratch.dispose();
    return out;
  };
  beforeAll(() => {
    const d = data(c, 5);
    x = tensor(d.x, c.x);
    w = tensor(d.w, c.filter);
    b = tensor(d.b!, [20]);
    u = winogradWeights(w, ci, co);
    zero = zeroRow(ci + 3);
    one = runSplit(1, 1, [0]);
  });
  afterAll(() => {
    for (const t of [x, w, b, zero]) t.dispose();
  });

  it("one call over every unit writes every output", () => {
    expect(one.some(Number.isNaN)).toBe(false);
  });

  const splits: [number, number, number[]][] = [];
  for (const [groupRows, parts] of [[1, 1], [2, 1], [3, 2], [1, 3], [4, 2], [10, 3]])
    for (const cuts of [[0], [0, 1], [0, 3, 4], [0, 1, 2, 3, 4, 5]]) splits.push([groupRows, parts, cuts]);
  it.each(splits)("groupRows=%i parts=%i cuts=%j", (groupRows, parts, cuts) => {
    expect(runSplit(groupRows, parts, cuts)).toEqual(one);
  });
});
