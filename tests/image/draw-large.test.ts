import { describe, expect, it } from "vitest";
import { tensor } from "../../src/index.js";
import { colormapTable, levelsToRaster, mapLevels, tensorToLevels, type ColormapName } from "../../src/image/colormap.js";
import { percentileLevels } from "./normalize-ref.js";
import { rng } from "../helpers/reference.js";

/** The box average of colours, written plainly: each output pixel sums its box's table colours. */
function shrinkReference(levels: Uint8Array, width: number, height: number, colormap: ColormapName, h: number): Uint8Array {
  const table = colormapTable(colormap);
  const w = Math.max(1, Math.round((width * h) / height));
  const out = new Uint8Array(w * h * 4);
  const sx = width / w, sy = height / h;
  for (let y = 0; y < h; y++) {
    const y0 = Math.floor(y * sy), y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy));
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor(x * sx), x1 = Math.max(x0 + 1, Math.floor((x + 1) * sx));
      const sum = [0, 0, 0];
      for (let v = y0; v < y1; v++) for (let u = x0; u < x1; u++) for (let k = 0; k < 3; k++) sum[k] += table[levels[v * width + u] * 3 + k];
      const n = (y1 - y0) * (x1 - x0);
      for (let k = 0; k < 3; k++) out[(y * w + x) * 4 + k] = Math.round(sum[k] / n);
      out[(y * w + x) * 4 + 3] = 255;
    }
  }
  return out;
}

describe("drawing large maps", () => {
  it("shrinks levels to a panel exactly as the plain box average does, packed or a channel at a time", () => {
    const rand = rng(21);
    for (const [width, height, h] of [[997, 601, 240], [640, 480, 37], [2000, 2000, 50], [30000, 3, 1], [5, 20000, 2]] as const) {
      const levels = Uint8Array.from({ length: width * height }, () => Math.floor(rand() * 256));
      for (const colormap of ["magma", "gray"] as const) {
        const got = levelsToRaster({ width, height, levels, colormap }, h);
        expect(Buffer.from(got.data).equals(Buffer.from(shrinkReference(levels, width, height, colormap, h))), `${width}×${height} → ${h} rows, ${colormap}`).toBe(true);
      }
    }
  });

  it("turns values into levels as Math.round would, at and around every half level", () => {
    const values = new Float32Array(256 * 5);
    for (let l = 0; l < 256; l++) for (let j = 0; j < 5; j++) values[l * 5 + j] = Math.fround((l + 0.5 + (j - 2) * 1e-5) / 255);
    const got = mapLevels(values, { height: 1, width: values.length, stride: 1, channel: 0, border: 0 }, [0, 1]);
    const want = Array.from(values, (v) => (v > 0 ? (v < 1 ? Math.round(v * 255) : 255) : 0));
    expect(Array.from(got)).toEqual(want);
  });

  it("draws a map of over a million values with the percentiles of a full sort", () => {
    const rand = rng(8);
    const [h, w] = [1100, 1003];
    const values = Float32Array.from({ length: h * w }, () => Math.max(0, rand() + rand() - 1.1) * 3);
    const t = tensor(values, [h, w, 1]);
    try {
      const drawn = tensorToLevels(t)!;
      const want = percentileLevels(values, h, w, 1);
      let differ = 0;
      for (let i = 0; i < want.length; i++) if (drawn.levels[i] !== want[i]) differ++;
      expect(differ).toBe(0);
    } finally {
      t.dispose();
    }
  });
});
