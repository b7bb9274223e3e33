/**
 * A real photograph (docs/photos/chelsea.png, 451×300, CC0) through the lesson's pipeline: the
 * frame SAME padding leaves is brighter than the fur and whiskers inside, and the default
 * normalisation still draws the inside visibly above black where min–max leaves it dark.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodeImage, decodeRaster, encodePng, extractFeatures, resolveKernel } from "../../src/image/node.js";

const photoPath = new URL("../../docs/photos/chelsea.png", import.meta.url);

/** Median of R+G+B over the pixels at least 2 from the edge, in levels. */
function medianInterior(r: { width: number; height: number; data: ArrayLike<number> }): number {
  const v: number[] = [];
  for (let y = 2; y < r.height - 2; y++) for (let x = 2; x < r.width - 2; x++) {
    const i = (y * r.width + x) * 4;
    v.push(r.data[i] + r.data[i + 1] + r.data[i + 2]);
  }
  return v.sort((a, b) => a - b)[v.length >> 1] / 3;
}

describe("a real photograph", () => {
  it("decodes to its size, and its edge map's interior is drawn above black", () => {
    const input = decodeImage(readFileSync(photoPath), { channels: "gray", batch: true });
    expect(input.shape).toEqual([1, 300, 451, 1]);
    const maps = extractFeatures(input, { kernel: resolveKernel("edge").values, relu: true });
    try {
      const [h, w] = [300, 451];
      const f = maps.filtered.dataSync();
      let frame = 0;
      const inner: number[] = [];
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
        const v = f[y * w + x];
        if (y === 0 || x === 0 || y === h - 1 || x === w - 1) frame = Math.max(frame, v);
        else inner.push(Math.abs(v));
      }
      inner.sort((a, b) => a - b);
      // The artefact: the frame outshines the 99th percentile of the photo's own edges.
      expect(frame).toBeGreaterThan(2 * inner[Math.floor(inner.length * 0.99)]);
      const drawn = (normalize?: "minmax") =>
        decodeRaster(encodePng(maps.filtered, { colormap: "gray", normalize, border: normalize ? undefined : maps.borders.filtered }));
      const dark = medianInterior(drawn("minmax"));
      const shown = medianInterior(drawn());
      expect(shown).toBeGreaterThan(100);
      expect(shown).toBeGreaterThan(dark + 15);
    } finally {
      input.dispose();
      for (const t of Object.values(maps).filter((m) => m && typeof m === "object" && "dispose" in m)) (t as { dispose(): void }).dispose();
    }
  });
});
