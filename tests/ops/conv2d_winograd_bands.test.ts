/**
 * Winograd convs whose scratch would pass the bound run in bands of tile-rows, one kernel call
 * each: the result must be bit for bit the one-call result (a tile's arithmetic does not depend
 * on its band), within the direct bound of the float64 reference, with any top padding, odd
 * output heights and batches; and the scratch a conv holds must stay near the bound.
 */
import { afterAll, describe, expect, it } from "vitest";
import { setWinograd4Mode, setWinogradBandBytes, setWinogradMode } from "../../src/ops/conv2d_plan.js";
import type { ConvCase } from "../helpers/cases.js";
import { expectBandsMatchOneCall, vggScratchPeak } from "../helpers/winograd-bands.js";

// F(2×2,3×3) here; F(4×4,3×3), which VGG16's layer would take, has its own tests (conv2d_winograd4.test.ts).
const savedMode = setWinogradMode("auto");
const saved4 = setWinograd4Mode("off");
const savedBand = setWinogradBandBytes(4 << 20);
afterAll(() => {
  setWinogradMode(savedMode);
  setWinograd4Mode(saved4);
  setWinogradBandBytes(savedBand);
});

const cases: ConvCase[] = ([
  // [n, h, w, ci, co, pad]
  [1, 23, 17, 8, 8, "same"],
  [2, 21, 9, 12, 16, "same"],
  [1, 19, 11, 16, 9, "valid"],
  // Explicit pads [top, bottom, left, right]: more top padding than one band's first rows.
  [2, 15, 8, 8, 8, [3, 1, 1, 2]],
  [1, 14, 13, 20, 24, [0, 4, 2, 0]],
] as [number, number, number, number, number, ConvCase["pad"]][]).map(([n, h, w, ci, co, pad], i) => ({
  name: `${n}×${h}×${w}×${ci}→${co} ${JSON.stringify(pad)}`, x: [n, h, w, ci], filter: [3, 3, ci, co],
  strides: [1, 1], dilations: [1, 1], pad, bias: i % 2 === 0, activation: i % 2 === 0 ? "relu" : undefined,
} as ConvCase));

describe("Winograd in bands of tile-rows", () => {
  // A bound of 1 byte makes bands of 2·threads tile-rows (the fewest); larger ones, fewer bands.
  it.each(cases.map((c) => [c.name, c] as const))("%s: bands of every size give the one-call result", (_name, c) => {
    expectBandsMatchOneCall(c, 77, [1, 20_000, 60_000]);
  });

  it("a 224×224×64 → 64 conv holds at most the bound in scratch (one call would hold 55 MB)", () => {
    const peak = vggScratchPeak();
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(4 << 20);
  });
});
