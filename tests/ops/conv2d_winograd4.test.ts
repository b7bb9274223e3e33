/**
 * The Winograd F(4×4,3×3) path through conv2d(), fused.conv2d() and createConv2d(): its error
 * against the float64 reference within the direct bound K·2⁻²⁴·Σ|x·w| (no looser tolerance) on
 * every eligible case of the conformance grid (tests/helpers/cases.ts) and random shapes up to
 * ci = 512, with the path forced on; bands of tile-rows giving the one-call bits; the scratch
 * bound on VGG16's largest layer; its packing, cached on the filter or owned by an operator.
 */
import { afterAll, describe, expect, it } from "vitest";
import { backend } from "../../src/loader/backend.js";
import { conv2d, createConv2d, tensor } from "../../src/index.js";
import { packingsOf, winograd4Bytes } from "../../src/ops/conv2d_packing.js";
import { convGeometry, planConv2d, setWinograd4Mode, setWinogradMode, WINOGRAD4_MIN_CI } from "../../src/ops/conv2d_plan.js";
import { conv2dCases, convInputs, runConvCase, type ConvCase } from "../helpers/cases.js";
import { conv2dRef, randomData, rng, worstError } from "../helpers/reference.js";
import { expectBandsMatchOneCall, vggScratchPeak, winogradBound } from "../helpers/winograd-bands.js";

const eligible = (c: ConvCase) =>
  c.filter[0] === 3 && c.filter[1] === 3 && c.strides[0] === 1 && c.strides[1] === 1 &&
  c.dilations[0] === 1 && c.dilations[1] === 1 && c.filter[2] >= WINOGRAD4_MIN_CI && c.filter[3] >= 5 &&
  (typeof c.pad === "string" || Math.max(...c.pad) < 3);

const random: ConvCase[] = [
  [1, 8, 8, 33, 16], [1, 9, 7, 32, 24], [2, 6, 6, 64, 64], [1, 13, 10, 128, 72], [1, 6, 5, 256, 8], [1, 5, 6, 512, 16], [1, 4, 4, 512, 20],
].map(([n, h, w, ci, co], i) => ({
  name: `random ${n}×${h}×${w} ${ci}→${co}`, x: [n, h, w, ci], filter: [3, 3, ci, co], strides: [1, 1], dilations: [1, 1],
  pad: i % 3 === 0 ? "same" : i % 3 === 1 ? "valid" : [2, 0, 1, 2], bias: i % 2 === 0, activation: i % 2 === 0 ? "relu6" : undefined,
} as ConvCase));

const bound = winogradBound;
const saved = setWinogradMode("auto");
const saved4 = setWinograd4Mode("on");
afterAll(() => {
  setWinogradMode(saved);
  setWinograd4Mode(saved4);
});

describe(`Winograd F(4×4,3×3) error vs the direct bound (${backend().build} build)`, () => {
  let worst = 0;
  afterAll(() => {
    if (process.env.SIMDCONV_WINOGRAD_REPORT) console.log(`winograd 4x4 worst err/bound through conv2d: ${worst.toFixed(4)} (${backend().build})`);
  });
  const cases = [...conv2dCases.filter(eligible), ...random];
  it.each(cases.map((c, i) => [c.name, c, i] as const))("%s", (_name, c, i) => {
    const pad = typeof c.pad === "string" ? c.pad : [[0, 0], [c.pad[0], c.pad[1]], [c.pad[2], c.pad[3]], [0, 0]];
    expect(planConv2d(convGeometry(c.filter, c.strides, c.dilations, pad)).name).toBe("winograd4");
    const inputs = convInputs(c, 900 + i);
    const want = conv2dRef(inputs.x, c, inputs.bias, c.activation ?? "linear", inputs.filter);
    const { err, at } = worstError(runConvCase(c, inputs).data, want);
    expect(err, `${c.name} worst at ${at}`).toBeLessThanOrEqual(bound(c));
    worst = Math.max(worst, err / bound(c));
  });
});

describe("Winograd F(4×4,3×3) in bands of tile-rows", () => {
  const cases: ConvCase[] = ([
    [1, 23, 17, 32, 8, "same"],
    [2, 21, 9, 36, 16, "same"],
    [1, 19, 11, 33, 9, "valid"],
    [2, 15, 8, 32, 8, [2, 1, 1, 2]],
    [1, 14, 13, 40, 24, [0, 2, 2, 0]],
  ] as [number, number, number, number, number, ConvCase["pad"]][]).map(([n, h, w, ci, co, pad], i) => ({
    name: `${n}×${h}×${w}×${ci}→${co} ${JSON.stringify(pad)}`, x: [n, h, w, ci], filter: [3, 3, ci, co],
    strides: [1, 1], dilations: [1, 1], pad, bias: i % 2 === 0, activation: i % 2 === 0 ? "relu" : undefined,
  } as ConvCase));
  it.each(cases.map((c) => [c.name, c] as const))("%s: bands of every size give the one-call result", (_name, c) => {
    expectBandsMatchOneCall(c, 78, [1, 40_000, 150_000]);
  });

  it("a 224×224×64 → 64 conv holds at most the bound in scratch", () => {
    const peak = vggScratchPeak();
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(4 << 20);
  });
});

describe("Winograd F(4×4,3×3)'s packing", () => {
  const filterOf = (shape: number[], seed: number) => tensor(randomData(shape.reduce((a, b) => a * b), rng(seed)), shape);

  it("conv2d() caches only the 36-matrix packing on the filter, once, and frees it with the filter", () => {
    const heap = backend().heap;
    const w = filterOf([3, 3, 32, 12], 11);
    const x = tensor(randomData(1 * 9 * 7 * 32, rng(5)), [1, 9, 7, 32]);
    conv2d(x, w, 1, "same").dispose(); // the zero row, made once
    w.dispose();
    const before = heap.liveBytes;
    const w2 = filterOf([3, 3, 32, 12], 11);
    conv2d(x, w2, 1, "same").dispose();
    conv2d(x, w2, 1, "same").dispose();
    expect(packingsOf(w2)).toEqual(["winograd4"]);
    // The filter and its packing, each with a block's slack.
    expect(heap.liveBytes - before).toBe(3 * 3 * 32 * 12 * 4 + 16 + winograd4Bytes(32, 12) + 16);
    w2.dispose();
    expect(heap.liveBytes).toBe(before);
    x.dispose();
  });

  it("an operator owns its packing, runs as conv2d() does, and keeps its path when the mode changes", () => {
    const w = filterOf([3, 3, 40, 20], 12);
    const x = tensor(randomData(2 * 10 * 9 * 40, rng(6)), [2, 10, 9, 40]);
    const want = conv2d(x, w, 1, "same");
    const op = createConv2d(w, { strides: 1, pad: "same" });
    const y = op.run(x);
    expect(Array.from(y.dataSync())).toEqual(Array.from(want.dataSync()));
    setWinograd4Mode("off");
    try {
      const y2 = op.run(x);
      expect(Array.from(y2.dataSync())).toEqual(Array.from(want.dataSync()));
      y2.dispose();
    } finally {
      setWinograd4Mode("on");
    }
    for (const t of [y, want, op, x, w]) t.dispose();
  });

  it("never takes fewer than WINOGRAD4_MIN_CI input channels, even when forced", () => {
    expect(planConv2d(convGeometry([3, 3, WINOGRAD4_MIN_CI - 1, 32], [1, 1], [1, 1], "same")).name).not.toBe("winograd4");
    expect(planConv2d(convGeometry([3, 3, WINOGRAD4_MIN_CI, 64], [1, 1], [1, 1], "same")).name).toBe("winograd4");
    // An explicit pad as wide as the window: F(2×2,3×3) takes it.
    expect(planConv2d(convGeometry([3, 3, 64, 64], [1, 1], [1, 1], [[0, 0], [3, 0], [0, 0], [0, 0]])).name).toBe("winograd");
    expect(planConv2d(convGeometry([3, 3, 64, 64], [1, 1], [1, 1], 3)).name).toBe("winograd");
    expect(planConv2d(convGeometry([3, 3, 64, 64], [1, 1], [1, 1], [[0, 0], [2, 2], [2, 2], [0, 0]])).name).toBe("winograd4");
    setWinogradMode("off");
    try {
      expect(planConv2d(convGeometry([3, 3, 64, 64], [1, 1], [1, 1], "same")).name).toBe("igemm");
    } finally {
      setWinogradMode("auto");
    }
  });
});
