/**
 * Winograd convs whose scratch would pass the bound run in bands of tile-rows, one kernel call
 * each: the result must be bit for bit the one-call result (a tile's arithmetic does not depend
 * on its band), within the direct bound of the float64 reference, with any top padding, odd
 * output heights and batches; and the scratch a conv holds must stay near the bound.
 */
import { afterAll, describe, expect, it } from "vitest";
import { backend } from "../../src/loader/backend.js";
import { setWinogradBandBytes, setWinogradMode } from "../../src/ops/conv2d_plan.js";
import { convInputs, runConvCase, type ConvCase } from "../helpers/cases.js";
import { conv2dRef, worstError } from "../helpers/reference.js";
import { bitsOf, expectSameBits } from "../helpers/same-bits.js";

const savedMode = setWinogradMode("auto");
const savedBand = setWinogradBandBytes(4 << 20);
afterAll(() => {
  setWinogradMode(savedMode);
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
  it.each(cases.map((c) => [c.name, c] as const))("%s: bands of every size give the one-call result", (_name, c) => {
    const inputs = convInputs(c, 77);
    try {
      setWinogradBandBytes(Infinity);
      const whole = runConvCase(c, inputs).data;
      const want = conv2dRef(inputs.x, c, inputs.bias, c.activation ?? "linear", inputs.filter);
      expect(worstError(whole, want).err).toBeLessThanOrEqual((9 * c.filter[2]) / 16 + 1);
      // A bound of 1 byte makes bands of 2·threads tile-rows (the fewest); larger ones, fewer bands.
      for (const bytes of [1, 20_000, 60_000]) {
        setWinogradBandBytes(bytes);
        expectSameBits([bitsOf(whole)], [bitsOf(runConvCase(c, inputs).data)], `${c.name}, bound ${bytes}`);
      }
    } finally {
      setWinogradBandBytes(4 << 20);
    }
  });

  it("a 224×224×64 → 64 conv holds at most the bound in scratch (one call would hold 55 MB)", () => {
    const c: ConvCase = { name: "vgg", x: [1, 224, 224, 64], filter: [3, 3, 64, 64], strides: [1, 1], dilations: [1, 1], pad: "same" };
    const inputs = convInputs(c, 5);
    const heap = backend().heap;
    let peak = 0;
    const alloc = heap.alloc.bind(heap);
    heap.alloc = (n, what, kind) => {
      if (what === "conv2d winograd scratch") peak = Math.max(peak, n);
      return alloc(n, what, kind);
    };
    try {
      runConvCase(c, inputs);
    } finally {
      heap.alloc = alloc;
    }
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(4 << 20);
  });
});
