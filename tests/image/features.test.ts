import { describe, expect, it } from "vitest";
import { memory, tensor } from "../../src/index.js";
import {
  contactSheet, decodeRaster, extractFeatures, KERNEL_NAMES, kernelZoo, parseKernel, rasterToTensor, resolveKernel,
  sampleScene, showKernel,
} from "../../src/image/node.js";
import { drawText, textWidth } from "../../src/image/font.js";
import { newRaster } from "../../src/image/raster.js";
import { conv2dRef } from "../helpers/reference.js";
import { BARS_16, barsRaster, barsValues } from "./bars.js";

const EDGE = [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]];

/** Column `x` of an NHWC [1, h, w, 1] map. */
const column = (data: Float32Array, h: number, w: number, x: number) => Array.from({ length: h }, (_, y) => data[y * w + x]);

describe("the lesson's edge kernel on horizontal bars", () => {
  const [h, w] = [16, 10];
  const image = () => rasterToTensor(barsRaster(h, w, BARS_16), { channels: "gray", batch: true });

  it("lights up on the bars' edge rows, and is zero inside and around them after relu", () => {
    const x = image();
    const maps = extractFeatures(x, { kernel: EDGE, relu: true });
    const filtered = maps.filtered.dataSync(), detected = maps.detected!.dataSync();
    // Away from the left and right borders a pixel sees 3 pixels of its own row and 3 of
    // each neighbouring row: 8·x(r) − 2·x(r) − 3·x(r−1) − 3·x(r+1) (values ≈ 1 after gray weights).
    const bar = (r: number) => (r >= 0 && r < h && BARS_16(r) ? 1 : 0);
    const expected = Array.from({ length: h }, (_, r) => 6 * bar(r) - 3 * bar(r - 1) - 3 * bar(r + 1));
    for (const col of [1, 4, 8]) {
      column(filtered, h, w, col).forEach((v, r) => expect(v).toBeCloseTo(expected[r] * 0.9999, 4));
      column(detected, h, w, col).forEach((v, r) => expect(v).toBeCloseTo(Math.max(0, expected[r]) * 0.9999, 4));
    }
    // So: 3 on the first and last row of each bar, 0 inside it, 0 on the dark rows next to it.
    expect(column(detected, h, w, 4).map((v) => Math.round(v))).toEqual(
      [0, 0, 3, 0, 0, 3, 0, 0, 0, 0, 3, 0, 0, 3, 0, 0]);
    // Everywhere, including the zero-padded borders, it matches the float64 oracle.
    const ref = conv2dRef(barsValues(h, w, BARS_16), { x: [1, h, w, 1], filter: [3, 3, 1, 1], strides: [1, 1], dilations: [1, 1], pad: "same" }, undefined, "relu", EDGE.flat());
    detected.forEach((v, i) => expect(v).toBeCloseTo(ref.y[i] * 0.9999, 4));
    x.dispose();
    for (const t of [maps.filtered, maps.detected]) t?.dispose();
  });

  it("condenses with SAME max pooling and a stride", () => {
    const x = image();
    const maps = extractFeatures(x, { kernel: EDGE, relu: true, pool: 3, stride: 2 });
    expect(maps.filtered.shape).toEqual([1, 8, 5, 1]);
    expect(maps.condensed!.shape).toEqual([1, 3, 2, 1]);
    const d = maps.detected!.dataSync(), c = maps.condensed!.dataSync();
    // SAME for 8 rows, window 3, stride 3: pad 1 below, windows rows [0..2], [3..5], [6..7].
    for (let oy = 0; oy < 3; oy++)
      for (let ox = 0; ox < 2; ox++) {
        let m = -Infinity;
        for (let y = oy * 3; y < Math.min(8, oy * 3 + 3); y++) for (let x2 = ox * 3; x2 < Math.min(5, ox * 3 + 3); x2++) m = Math.max(m, d[y * 5 + x2]);
        expect(c[oy * 2 + ox]).toBe(m);
      }
    expect(maps.times.filter).toBeGreaterThanOrEqual(0);
    x.dispose();
    for (const t of [maps.filtered, maps.detected, maps.condensed]) t?.dispose();
  });

  it("sobel-top and sobel-bottom light up on opposite sides of a bar", () => {
    const x = image();
    const top = extractFeatures(x, { kernel: resolveKernel("sobel-top").values });
    const bottom = extractFeatures(x, { kernel: resolveKernel("sobel-bottom").values });
    const rounded = (d: Float32Array) => column(d, h, w, 4).map((v) => Math.round(v) || 0); // || 0 folds −0 into 0
    const t = rounded(top.filtered.dataSync());
    // Sobel-top: (pixels above) − (pixels below), weights 1-2-1: +4 just under a bar's bottom, −4 over its top.
    expect(t).toEqual([0, -4, -4, 0, 0, 4, 4, 0, 0, -4, -4, 0, 0, 4, 4, 0]);
    expect(rounded(bottom.filtered.dataSync())).toEqual(t.map((v) => -v || 0));
    for (const t2 of [x, top.filtered, bottom.filtered]) t2.dispose();
  });

  it("rejects a colour image and bad pool/stride, naming the parameter", () => {
    const rgb = tensor(new Float32Array(2 * 2 * 3), [2, 2, 3]);
    const before = memory().numTensors;
    expect(() => extractFeatures(rgb, { kernel: EDGE })).toThrow(/one channel/);
    const gray = tensor(new Float32Array(4), [2, 2, 1]);
    expect(() => extractFeatures(gray, { kernel: EDGE, pool: 1.5 })).toThrow(/pool/);
    expect(() => extractFeatures(gray, { kernel: EDGE, stride: 0 })).toThrow(/stride/);
    expect(memory().numTensors).toBe(before + 1);
    rgb.dispose();
    gray.dispose();
  });
});

describe("the kernel zoo and custom kernels", () => {
  it("has the lesson's edge kernel and the promised names, each described", () => {
    expect(resolveKernel("edge").values).toEqual(EDGE);
    for (const name of ["sobel-top", "sobel-bottom", "sobel-left", "sobel-right", "emboss", "sharpen", "blur-box", "blur-gaussian", "outline", "identity"]) {
      expect(KERNEL_NAMES).toContain(name);
    }
    for (const k of kernelZoo()) expect(k.description.length).toBeGreaterThan(10);
    // Blurs keep the brightness: their weights sum to 1.
    for (const name of ["blur-box", "blur-gaussian", "identity", "sharpen"]) {
      expect(resolveKernel(name).values.flat().reduce((a, b) => a + b)).toBeCloseTo(1, 10);
    }
  });

  it("parses JSON rows, and says what is wrong with bad ones", () => {
    expect(parseKernel("[[0,-1,0],[-1,5,-1],[0,-1,0]]")).toEqual(resolveKernel("sharpen").values);
    expect(resolveKernel(" [[1, 2], [3, 4]] ")).toEqual({ name: "custom", values: [[1, 2], [3, 4]] });
    expect(() => parseKernel("[[1,2,3],[4,5]]")).toThrow(RangeError);
    expect(() => parseKernel("[[1,2,3],[4,5]]")).toThrow(/ragged: row 1 has 2 values/);
    expect(() => parseKernel('[[1,"a"]]')).toThrow(TypeError);
    expect(() => parseKernel('[[1,"a"]]')).toThrow(/kernel\[0\]\[1\]/);
    expect(() => parseKernel("[[1,2],")).toThrow(/not valid JSON/);
    expect(() => parseKernel("[1,2,3]")).toThrow(/array of rows/);
    expect(() => parseKernel("[[]]")).toThrow(RangeError);
    expect(() => resolveKernel("edgy")).toThrow(/unknown kernel "edgy"; known: edge, outline/);
  });

  it("hands out copies, so a caller cannot change the zoo", () => {
    kernelZoo()[0].values[0][0] = 99;
    resolveKernel("edge").values[1][1] = 99;
    expect(resolveKernel("edge").values).toEqual(EDGE);
  });
});

describe("showKernel", () => {
  const pixel = (r: { width: number; data: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> } }, x: number, y: number) => Array.from(r.data.subarray((y * r.width + x) * 4, (y * r.width + x) * 4 + 3));

  it("draws cells on the reversed blue ramp with each value written in the contrasting colour", () => {
    const png = decodeRaster(showKernel(EDGE, { cellSize: 40 }));
    expect([png.width, png.height]).toEqual([120, 120]);
    const dark = [8, 48, 107], light = [247, 251, 255];
    expect(pixel(png, 1, 1)).toEqual(dark); // −1: the low end
    expect(pixel(png, 41, 41)).toEqual(light); // 8: the high end
    // The digits are drawn: a dark cell holds light ink, the light cell dark ink.
    const count = (x0: number, y0: number, rgb: number[]) => {
      let n = 0;
      for (let y = y0; y < y0 + 40; y++) for (let x = x0; x < x0 + 40; x++) if (pixel(png, x, y).join() === rgb.join()) n++;
      return n;
    };
    expect(count(0, 0, light)).toBeGreaterThan(20);
    expect(count(40, 40, dark)).toBeGreaterThan(20);
    const unlabeled = decodeRaster(showKernel(EDGE, { cellSize: 40, label: false }));
    let inkInDarkCell = 0;
    for (let y = 0; y < 40; y++) for (let x = 0; x < 40; x++) if (pixel(unlabeled, x, y).join() !== dark.join()) inkInDarkCell++;
    expect(inkInDarkCell).toBe(0);
  });

  it("rounds to the asked digits, in the PNG and in the SVG", () => {
    const blur = resolveKernel("blur-box").values;
    const svg = showKernel(blur, { format: "svg", digits: 2 });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.match(/<rect/g)).toHaveLength(9);
    expect(svg.match(/>0\.11</g)).toHaveLength(9);
    expect(showKernel(blur, { format: "svg" })).toContain(">0.1111<");
    // Different digits draw different pixels.
    const two = showKernel(blur, { digits: 2 }), three = showKernel(blur, { digits: 3 });
    expect(Buffer.from(two).equals(Buffer.from(three))).toBe(false);
    expect(() => showKernel(blur, { digits: -1 })).toThrow(/digits/);
    expect(() => showKernel(blur, { format: "gif" as never })).toThrow(/format/);
  });

  it("its font draws every character of a kernel value differently", () => {
    const patterns = new Set<string>();
    for (const ch of "0123456789-.") {
      const r = newRaster(textWidth(ch, 1), 7, [0, 0, 0, 255]);
      drawText(r, ch, 0, 0, 1, [255, 255, 255]);
      patterns.add(Array.from(r.data).join());
    }
    expect(patterns.size).toBe(12);
  });
});

describe("contact sheet and sample", () => {
  it("puts panels side by side at a common height under their labels", () => {
    const a = newRaster(20, 10, [255, 0, 0, 255]), b = newRaster(5, 5, [0, 0, 255, 255]);
    const sheet = contactSheet([{ label: "a", raster: a }, { label: "b", raster: b }], { height: 40 });
    // Widths 80 and 40 at height 40, with 16 px margins.
    expect(sheet.width).toBe(16 + 80 + 16 + 40 + 16);
    const at = (x: number, y: number) => Array.from(sheet.data.subarray((y * sheet.width + x) * 4, (y * sheet.width + x) * 4 + 3));
    const top = sheet.height - 16 - 40;
    expect(at(16, top)).toEqual([255, 0, 0]);
    expect(at(16 + 80 + 16 + 39, sheet.height - 17)).toEqual([0, 0, 255]);
    expect(at(16 + 80 + 2, top)).toEqual([255, 255, 255]);
  });

  it("the bundled sample is the same picture every time, with detail for the kernels to find", () => {
    const a = sampleScene(), b = sampleScene();
    expect([a.width, a.height]).toEqual([480, 320]);
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
    const gray = rasterToTensor(a, { channels: "gray", batch: true });
    const edges = extractFeatures(gray, { kernel: EDGE, relu: true });
    const d = edges.detected!.dataSync();
    const strong = d.filter((v) => v > 0.5).length / d.length;
    expect(strong).toBeGreaterThan(0.005); // real edges…
    expect(strong).toBeLessThan(0.3); // …not noise everywhere
    for (const t of [gray, edges.filtered, edges.detected]) t?.dispose();
  });
});
