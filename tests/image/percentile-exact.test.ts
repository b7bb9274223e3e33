import { describe, expect, it } from "vitest";
import { percentiles, valueRange } from "../../src/image/colormap.js";
import { percentile } from "./normalize-ref.js";
import { rng } from "../helpers/reference.js";

/** numpy's linear percentile over a full sort (the reference), sorted once for several p. */
function sortedPercentile(sorted: Float32Array, p: number): number {
  const pos = (p / 100) * (sorted.length - 1);
  const i = Math.floor(pos);
  return i + 1 < sorted.length ? sorted[i] + (sorted[i + 1] - sorted[i]) * (pos - i) : sorted[i];
}

describe("exact percentiles without sorting", () => {
  it("equal a full sort's on large random maps, where sampling would miss (over a million values)", () => {
    const rand = rng(11);
    const n = 1_200_000;
    const sets = {
      gaussianish: Float32Array.from({ length: n }, () => rand() + rand() + rand() - 1.5),
      relu: Float32Array.from({ length: n }, () => Math.max(0, rand() * 2 - 1.3)), // 65% zeros, as after ReLU
      wide: Float32Array.from({ length: n }, () => (rand() - 0.5) * 10 ** (rand() * 20 - 10)), // every exponent
      fewLevels: Float32Array.from({ length: n }, () => Math.floor(rand() * 7) / 255),
    };
    for (const [name, values] of Object.entries(sets)) {
      const ps = [0, 0.5, 1, 37.25, 99.5, 100];
      const got = percentiles(values, ps);
      const sorted = values.slice().sort(); // a typed array sorts numerically
      ps.forEach((p, i) => expect(got[i], `${name} p${p}`).toBe(sortedPercentile(sorted, p)));
    }
  });

  it("leave NaN and ±Infinity out and treat -0 as 0", () => {
    const values = Float32Array.from([NaN, -0, 3, Infinity, -Infinity, -2, 0, NaN, 1]);
    const finite = [-0, 3, -2, 0, 1];
    for (const p of [0, 25, 50, 99.5, 100]) expect(percentiles(values, [p])[0]).toBe(percentile(finite, p) + 0);
    expect(percentiles(Float32Array.from([NaN, Infinity]), [50])).toEqual([NaN]);
  });

  it("valueRange's percentile mode reads the interior of one channel only", () => {
    const rand = rng(3);
    const [h, w, c] = [300, 401, 3];
    const values = Float32Array.from({ length: h * w * c }, () => rand() * 4 - 2);
    const border = 2, channel = 1;
    const inner: number[] = [];
    for (let y = border; y < h - border; y++) for (let x = border; x < w - border; x++) inner.push(values[(y * w + x) * c + channel]);
    const range = valueRange(values, { percentile: [2, 97] }, { height: h, width: w, stride: c, channel, border });
    expect(range).toEqual([percentile(inner, 2), percentile(inner, 97)]);
  });
});
