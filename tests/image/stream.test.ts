/** streamFeatures: the pipeline a map at a time, for photos too large to hold every map at once. */
import { describe, expect, it } from "vitest";
import { memory, tensor } from "../../src/index.js";
import { extractFeatures, resolveKernel, streamFeatures, type Step } from "../../src/image/node.js";
import { rng } from "../helpers/reference.js";

describe("streamFeatures", () => {
  const [h, w] = [64, 96];
  const rand = rng(4);
  const pixels = Float32Array.from({ length: h * w }, () => rand());
  const kernel = resolveKernel("edge").values;

  it("hands over the maps extractFeatures makes, with their SAME borders, one at a time", () => {
    const want = extractFeatures(tensor(pixels, [1, h, w, 1]), { kernel, relu: true, pool: 2 });
    const got: [Step, Float32Array, number][] = [];
    const times = streamFeatures(tensor(pixels, [1, h, w, 1]), { kernel, relu: true, pool: 2 }, (step, map, border) => got.push([step, map.dataSync(), border]));
    expect(got.map(([s, , b]) => [s, b])).toEqual([["filter", 1], ["detect", 1], ["condense", 1]]);
    expect(got[0][1]).toEqual(want.filtered.dataSync());
    expect(got[1][1]).toEqual(want.detected!.dataSync());
    expect(got[2][1]).toEqual(want.condensed!.dataSync());
    expect(Object.keys(times)).toEqual(["filter", "detect", "condense"]);
    for (const t of [want.filtered, want.detected!, want.condensed!]) t.dispose();
  });

  it("never holds more than two full-size maps, and frees everything, the image included", () => {
    const before = memory();
    const mapBytes = h * w * 4;
    const live: number[] = [];
    streamFeatures(tensor(pixels, [1, h, w, 1]), { kernel, relu: true, pool: 2 }, () => live.push(memory().numBytes - before.numBytes));
    // extractFeatures would hold the image, the filtered and the detected map (3 full sizes) and the condensed one.
    expect(Math.max(...live)).toBeLessThanOrEqual(2 * mapBytes + mapBytes / 4);
    expect(memory().numTensors).toBe(before.numTensors);
    expect(memory().numBytes).toBe(before.numBytes);
  });

  it("frees the image when it refuses it, and when a step throws", () => {
    const before = memory().numTensors;
    expect(() => streamFeatures(tensor(pixels, [1, h / 2, w / 2, 4]), { kernel }, () => {})).toThrow(/one channel/);
    expect(() => streamFeatures(tensor(pixels, [1, h, w, 1]), { kernel, pool: 2 }, (step) => {
      if (step === "filter") throw new Error("stop");
    })).toThrow("stop");
    expect(memory().numTensors).toBe(before);
  });
});
