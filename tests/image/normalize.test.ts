/**
 * The pictures, pinned: exact output levels of every normalisation mode on small inputs,
 * magma's colours along the ramp, per-channel ranges on multi-channel maps, and the frame
 * SAME padding leaves around a photo's feature maps.
 */
import { describe, expect, it } from "vitest";
import { conv2d, tensor, type Tensor } from "../../src/index.js";
import {
  decodeRaster, encodePng, extractFeatures, featureMapGrid, featureMapGridRaster, featurePanels, kernelGrid, kernelGridRaster,
  rasterToTensor, resolveKernel, tensorToRaster, type Normalization,
} from "../../src/image/node.js";
import { colormapColor } from "../../src/image/colormap.js";
import { photo } from "../../bench/image/photo.mjs";
import { percentile, percentileLevels } from "./normalize-ref.js";

/** Red levels of a drawing (gray: R = G = B). */
const reds = (t: Tensor, options: Parameters<typeof tensorToRaster>[1]) => Array.from(tensorToRaster(t, options).data.filter((_, i) => i % 4 === 0));
const rgbAt = (data: ArrayLike<number>, p: number) => [data[p * 4], data[p * 4 + 1], data[p * 4 + 2]];

function withTensor<T>(values: number[], shape: number[], f: (t: Tensor) => T): T {
  const t = tensor(values, shape);
  try {
    return f(t);
  } finally {
    t.dispose();
  }
}

describe("each normalisation mode, exactly", () => {
  it("minmax: the map's own extremes to 0 and 255", () => {
    withTensor([-2, 0, 2, 6], [1, 4, 1], (t) => expect(reds(t, { colormap: "gray", normalize: "minmax" })).toEqual([0, 64, 128, 255]));
  });

  it("fixed: a given range, clipped outside", () => {
    withTensor([-2, 0, 1, 2, 6], [1, 5, 1], (t) => expect(reds(t, { colormap: "gray", normalize: [0, 2] })).toEqual([0, 0, 128, 255, 255]));
  });

  it("percentile (the default): the 0.5th–99.5th percentile, interpolated like numpy", () => {
    // 0…199: the percentiles are 0.995 and 198.005, so 0 and 1 both draw 0, 100 draws 128 and 199 draws 255.
    const values = Array.from({ length: 200 }, (_, i) => i);
    expect(percentile(values, 0.5)).toBeCloseTo(0.995, 10);
    expect(percentile(values, 99.5)).toBeCloseTo(198.005, 10);
    withTensor(values, [1, 200, 1], (t) => {
      const got = reds(t, { colormap: "gray" });
      expect([got[0], got[1], got[2], got[100], got[198], got[199]]).toEqual([0, 0, 1, 128, 255, 255]);
      expect(got).toEqual(percentileLevels(values, 1, 200, 0));
      // Other percentiles on request: 10th–90th of 0…199 is 19.9…179.1.
      const p = reds(t, { colormap: "gray", normalize: { percentile: [10, 90] } });
      expect([p[19], p[20], p[100], p[179], p[180]]).toEqual([0, 0, 128, 255, 255]);
    });
  });

  it("percentile leaves the frame out of its statistics: the interior sets the range, the frame clips", () => {
    // 5×5: a frame of 100 around 1…9. Inside, the percentiles are 1.04 and 8.96.
    const values = Array.from({ length: 25 }, (_, i) => {
      const y = Math.floor(i / 5), x = i % 5;
      return y === 0 || y === 4 || x === 0 || x === 4 ? 100 : (y - 1) * 3 + x;
    });
    withTensor(values, [5, 5, 1], (t) => {
      const got = reds(t, { colormap: "gray" });
      expect(got.filter((_, i) => [0, 4, 20, 24].includes(i))).toEqual([255, 255, 255, 255]);
      // 1, 2, 4, 8 and 9: (v − 1.04) / 7.92 · 255, rounded (5 would sit on a rounding tie).
      expect([got[6], got[7], got[11], got[17], got[18]]).toEqual([0, 31, 95, 224, 255]);
      expect(got.filter((_, i) => i !== 12)).toEqual(percentileLevels(values, 5, 5, 1).filter((_, i) => i !== 12));
      // border: 0 takes the frame in: then 100 sets the top and the interior is dark.
      expect(reds(t, { colormap: "gray", border: 0 })[12]).toBeLessThan(20);
      // minmax ignores the frame only when told to.
      expect(reds(t, { colormap: "gray", normalize: "minmax" })[18]).toBe(Math.round((8 / 99) * 255));
      expect(reds(t, { colormap: "gray", normalize: "minmax", border: 1 })[18]).toBe(255);
    });
  });

  it("percentile falls back to min–max when most of the map is one value, so rare features still show", () => {
    const values = new Array(1000).fill(0);
    values[500] = 3;
    withTensor(values, [1, 1000, 1], (t) => {
      const got = reds(t, { colormap: "gray" });
      expect(got[500]).toBe(255);
      expect(got[499]).toBe(0);
    });
  });

  it("a constant map draws as its floor in every mode", () => {
    for (const normalize of ["percentile", "minmax"] as Normalization[]) {
      withTensor([3, 3, 3, 3, 3, 3, 3, 3, 3], [3, 3], (t) => expect(reds(t, { normalize })).toEqual(new Array(9).fill(0)));
    }
  });

  it("rejects bad modes, naming the option", () => {
    withTensor([0, 1], [1, 2, 1], (t) => {
      expect(() => tensorToRaster(t, { normalize: "median" as never })).toThrow(/normalize must be 'percentile', 'minmax'/);
      expect(() => tensorToRaster(t, { normalize: { percentile: [50, 20] } })).toThrow(/normalize\.percentile/);
      expect(() => tensorToRaster(t, { normalize: { percentile: [-1, 99] } })).toThrow(RangeError);
      expect(() => tensorToRaster(t, { border: -1 })).toThrow(/border/);
    });
  });
});

describe("per-channel normalisation on multi-channel maps", () => {
  it("a chosen channel's range is its own, not the whole tensor's", () => {
    // Channel 1 of [[-100, 0], [0, 1], [100, 2]] is 0, 1, 2: it must span the ramp, not sit at mid-gray.
    withTensor([-100, 0, 0, 1, 100, 2], [1, 3, 2], (t) => {
      for (const normalize of ["minmax", "percentile"] as Normalization[]) {
        expect(reds(t, { channel: 1, colormap: "gray", normalize })).toEqual([0, 128, 255]);
        expect(reds(t, { channel: 0, colormap: "gray", normalize })).toEqual([0, 128, 255]);
      }
      // And in a written PNG.
      const png = decodeRaster(encodePng(t, { channel: 1, colormap: "gray", normalize: "minmax" }));
      expect(Array.from(png.data.filter((_, i) => i % 4 === 0))).toEqual([0, 128, 255]);
    });
  });

  it("featureMapGrid draws each channel on its own range, or one shared range on request", () => {
    // Two channels on a 4×4 map; channel 1 is channel 0 times ten.
    const values: number[] = [];
    for (let i = 0; i < 16; i++) values.push(i, 10 * i);
    withTensor(values, [1, 4, 4, 2], (t) => {
      const options = { normalize: "minmax" as const, cellSize: 4, gap: 0, labels: false, colormap: "gray" as const, columns: 2 };
      const own = featureMapGridRaster(t, options);
      expect([own.width, own.height]).toEqual([8, 4]);
      const left = (r: typeof own, x: number, y: number) => r.data[(y * r.width + x) * 4];
      for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) {
        expect(left(own, x, y)).toBe(Math.round(((y * 4 + x) / 15) * 255));
        expect(left(own, x + 4, y)).toBe(left(own, x, y));
      }
      const shared = featureMapGridRaster(t, { ...options, shared: true });
      expect(left(shared, 3, 3)).toBe(Math.round((15 / 150) * 255)); // channel 0 tops out at a tenth
      expect(left(shared, 7, 3)).toBe(255);
      // Labels, PNG and SVG forms.
      const labelled = featureMapGridRaster(t, { cellSize: 32 });
      expect(labelled.height).toBeGreaterThan(32 + 7);
      expect(decodeRaster(featureMapGrid(t)).width).toBeGreaterThan(64);
      const svg = featureMapGrid(t, { format: "svg" });
      expect(svg.match(/<image /g)).toHaveLength(2);
      expect(svg).toContain(">1</text>");
      expect(() => featureMapGrid(t, { channels: [2] })).toThrow(/channels/);
      expect(() => featureMapGrid(t, { format: "gif" as never })).toThrow(/format/);
    });
  });
});

describe("magma, along the whole ramp", () => {
  it("pins the ends and the middle colours (matplotlib's magma at 0, ¼, ½, ¾, 1)", () => {
    withTensor([0, 0.05, 0.25, 0.5, 0.75, 1], [1, 6, 1], (t) => {
      const r = tensorToRaster(t, { colormap: "magma", normalize: [0, 1] });
      expect([0, 1, 2, 3, 4, 5].map((p) => rgbAt(r.data, p))).toEqual([
        [0, 0, 4], // magma's darkest
        [10, 7, 29], // halfway between the first two anchors (level 13 of 255): interpolated, not snapped
        [80, 21, 120], // level 64, between #3b0f70 and #641a80
        [184, 55, 121], // level 128, just past #b73779
        [250, 135, 100], // level 191, between #f7705c and #fe9f6d
        [252, 253, 191], // and the lightest
      ]);
    });
  });

  it("has a distinct colour for nearly every level and gets lighter all along", () => {
    const colours = new Set<string>();
    let last = -1;
    for (let i = 0; i < 256; i++) {
      const [r, g, b] = colormapColor("magma", i / 255);
      colours.add(`${r},${g},${b}`);
      const luma = 0.2126 * r + 0.7152 * g + 0.0722 * b;
      expect(luma).toBeGreaterThanOrEqual(last - 0.5);
      last = luma;
    }
    expect(colours.size).toBeGreaterThan(240); // a ramp snapped to its 11 anchors would give 11
  });
});

describe("a photo's feature maps", () => {
  // A smooth, bright photo-like picture (blurred, as an upscaled photo is): zero padding makes
  // the edge kernel's frame far brighter than anything inside, the artefact that made real
  // photos' maps nearly black.
  const smoothPhoto = (): Tensor => {
    let x = rasterToTensor(photo(240, 160, 3), { channels: "gray", batch: true });
    const box = tensor(new Array(25).fill(1 / 25), [5, 5, 1, 1]);
    for (let i = 0; i < 2; i++) {
      const y = conv2d(x, box, 1, "valid");
      x.dispose();
      x = y;
    }
    box.dispose();
    return x;
  };
  const medianInterior = (r: { width: number; height: number; data: ArrayLike<number> }) => {
    const v: number[] = [];
    for (let y = 2; y < r.height - 2; y++) for (let x = 2; x < r.width - 2; x++) {
      const i = (y * r.width + x) * 4;
      v.push(r.data[i] + r.data[i + 1] + r.data[i + 2]);
    }
    return v.sort((a, b) => a - b)[v.length >> 1] / 3;
  };

  it("the default draws the interior visibly above black, where min–max leaves it dark", () => {
    const input = smoothPhoto();
    const [h, w] = input.shape.slice(1, 3);
    const maps = extractFeatures(input, { kernel: resolveKernel("edge").values });
    try {
      const f = maps.filtered.dataSync();
      let frame = 0, inner = 0;
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
        const edge = y === 0 || x === 0 || y === h - 1 || x === w - 1;
        if (edge) frame = Math.max(frame, f[y * w + x]);
        else inner = Math.max(inner, Math.abs(f[y * w + x]));
      }
      expect(frame).toBeGreaterThan(2 * inner); // the artefact is there
      const drawn = (normalize?: Normalization) => decodeRaster(encodePng(maps.filtered, { colormap: "gray", normalize, border: normalize ? undefined : maps.borders.filtered }));
      expect(medianInterior(drawn("minmax"))).toBeLessThan(100);
      expect(medianInterior(drawn())).toBeGreaterThan(100);
      // The pipeline's panels (CLI, demo, web page) use the same default, in magma.
      const panel = featurePanels(input, maps, { kernelName: "edge", kernel: resolveKernel("edge").values })[1];
      expect(panel.label).toBe("filter");
      expect(medianInterior(panel.raster)).toBeGreaterThan(60);
      expect(Array.from(panel.raster.data.subarray(0, 3))).toEqual([252, 253, 191]); // the frame clips to magma's top
    } finally {
      for (const t of [input, maps.filtered]) t.dispose();
    }
  });
});

describe("kernelGrid", () => {
  it("draws 3-input-channel kernels as RGB pictures, one per output channel", () => {
    // Two 1×1 kernels over RGB, HWIO [1, 1, 3, 2]: output 0 weighs (R, G, B) as (1, 0, 0), output 1 as (0, 0.5, 1).
    withTensor([1, 0, 0, 0.5, 0, 1], [1, 1, 3, 2], (w) => {
      const r = kernelGridRaster(w, { cellSize: 4, gap: 0, labels: false });
      expect([r.width, r.height]).toEqual([8, 4]);
      expect(rgbAt(r.data, 0)).toEqual([255, 0, 0]);
      expect(rgbAt(r.data, 4)).toEqual([0, 128, 255]);
      expect(kernelGrid(w, { format: "svg" })).toContain(">1</text>");
    });
  });

  it("draws other kernels one gray picture per input channel, min–max per kernel unless shared", () => {
    // [2, 1, 2, 1] HWIO: in 0 is (0, 1), in 1 is (0, 4) down the column.
    withTensor([0, 0, 1, 4], [2, 1, 2, 1], (w) => {
      // Cells 2 pixels wide, each kernel 1×2 at the left of its cell.
      const r = kernelGridRaster(w, { cellSize: 2, gap: 0, labels: false, columns: 2 });
      expect([r.width, r.height]).toEqual([4, 2]);
      const at = (x: number, y: number) => r.data[(y * r.width + x) * 4];
      expect([at(0, 0), at(0, 1), at(2, 0), at(2, 1)]).toEqual([0, 255, 0, 255]);
      const s = kernelGridRaster(w, { cellSize: 2, gap: 0, labels: false, columns: 2, shared: true });
      expect([s.data[(1 * s.width + 0) * 4], s.data[(1 * s.width + 2) * 4]]).toEqual([Math.round(255 / 4), 255]);
      expect(kernelGrid(w, { format: "svg" })).toContain(">0:1</text>");
      expect(() => kernelGrid(tensor([1, 2], [2]))).toThrow(/HWIO/);
    });
  });
});
