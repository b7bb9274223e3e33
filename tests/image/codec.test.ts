import { describe, expect, it } from "vitest";
import jpeg from "jpeg-js";
import { tensor, memory } from "../../src/index.js";
import {
  decodeImage, decodeRaster, encodeJpeg, encodePng, encodeRasterPng, rasterToTensor, sniffFormat, tensorToRaster,
} from "../../src/image/node.js";
import { rng } from "../helpers/reference.js";

/** Values that are exact bytes (k / 255), as a decoded image's are. */
function byteValues(n: number, seed: number): Float32Array {
  const rand = rng(seed);
  return Float32Array.from({ length: n }, () => Math.floor(rand() * 256) / 255);
}

describe("PNG round trips", () => {
  it("a gray tensor comes back exactly, as convert_image_dtype's byte / 255", () => {
    const [h, w] = [7, 9];
    const values = byteValues(h * w, 1);
    const t = tensor(values, [h, w, 1]);
    const png = encodePng(t, { normalize: [0, 1], colormap: "gray" });
    expect(sniffFormat(png)).toBe("png");
    const back = decodeImage(png, { channels: "r" });
    expect(back.shape).toEqual([h, w, 1]);
    expect(Array.from(back.dataSync())).toEqual(Array.from(values));
    const gray = decodeImage(png, { channels: "gray", batch: true });
    expect(gray.shape).toEqual([1, h, w, 1]);
    // Gray weights sum to 0.9999, so a gray pixel comes back within 1e-4 of itself.
    gray.dataSync().forEach((v, i) => expect(Math.abs(v - values[i])).toBeLessThan(1e-4));
    for (const x of [t, back, gray]) x.dispose();
  });

  it("an RGB tensor comes back exactly, channel by channel", () => {
    const [h, w] = [5, 6];
    const values = byteValues(h * w * 3, 2);
    const t = tensor(values, [1, h, w, 3]);
    const back = decodeImage(encodePng(t, { normalize: [0, 1] }), { channels: "rgb" });
    expect(back.shape).toEqual([h, w, 3]);
    expect(Array.from(back.dataSync())).toEqual(Array.from(values));
    const green = decodeImage(encodePng(t, { normalize: [0, 1] }), { channels: "g" }).dataSync();
    expect(Array.from(green)).toEqual(Array.from(values).filter((_, i) => i % 3 === 1));
    t.dispose();
    back.dispose();
  });

  it("raw RGBA pixels, alpha included, survive encode and decode", () => {
    const data = Uint8Array.from(byteValues(4 * 3 * 4, 3), (v) => Math.round(v * 255));
    const back = decodeRaster(encodeRasterPng({ width: 4, height: 3, data }));
    expect([back.width, back.height]).toEqual([4, 3]);
    expect(Array.from(back.data)).toEqual(Array.from(data));
  });
});

describe("JPEG", () => {
  it("a smooth RGB image comes back within JPEG's tolerance", () => {
    const [h, w] = [32, 48];
    const data = new Uint8Array(w * h * 4);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) data.set([(x * 255) / (w - 1), (y * 255) / (h - 1), 128, 255], (y * w + x) * 4);
    const expected = rasterToTensor({ width: w, height: h, data }).dataSync();
    const back = decodeImage(encodeJpeg({ width: w, height: h, data }, { quality: 95 })).dataSync();
    let sum = 0, max = 0;
    back.forEach((v, i) => {
      const d = Math.abs(v - expected[i]);
      sum += d;
      max = Math.max(max, d);
    });
    expect(sum / back.length).toBeLessThan(0.01);
    expect(max).toBeLessThan(0.06);
  });

  it("decodes jpeg-js's own output to the same pixels jpeg-js reads, scaled to [0, 1]", () => {
    const data = Uint8Array.from(byteValues(16 * 16 * 4, 4), (v) => Math.round(v * 255));
    const bytes = jpeg.encode({ width: 16, height: 16, data }, 80).data;
    const direct = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
    const t = decodeImage(new Uint8Array(bytes), { channels: "rgba" });
    expect(t.shape).toEqual([16, 16, 4]);
    expect(Array.from(t.dataSync())).toEqual(Array.from(direct.data, (b) => Math.fround(b / 255)));
    t.dispose();
  });
});

describe("grayscale and channel selection", () => {
  it("weighs R, G and B as TensorFlow's rgb_to_grayscale", () => {
    const data = Uint8Array.from([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 51, 102, 204, 255]);
    const t = rasterToTensor({ width: 4, height: 1, data }, { channels: "gray" });
    const expected = [0.2989, 0.587, 0.114, (0.2989 * 51 + 0.587 * 102 + 0.114 * 204) / 255];
    t.dataSync().forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    t.dispose();
  });

  it("rejects unknown channels and malformed rasters, naming the parameter", () => {
    const r = { width: 1, height: 1, data: new Uint8Array(4) };
    expect(() => rasterToTensor(r, { channels: "cmyk" as never })).toThrow(/channels/);
    expect(() => rasterToTensor({ width: 2, height: 2, data: new Uint8Array(4) })).toThrow(RangeError);
    expect(() => decodeRaster(new TextEncoder().encode("hello, not an image"))).toThrow(/not a PNG or JPEG/);
    const truncated = encodeRasterPng({ width: 8, height: 8, data: new Uint8Array(256) }).subarray(0, 40);
    expect(() => decodeRaster(truncated)).toThrow(TypeError);
  });
});

describe("feature maps to pictures", () => {
  it("min–max stretches to the colormap's ends; a fixed range clips", () => {
    const t = tensor([-2, 0, 2, 6], [1, 4, 1]);
    const gray = tensorToRaster(t, { colormap: "gray" });
    expect([0, 1, 2, 3].map((i) => gray.data[i * 4])).toEqual([0, 64, 128, 255]);
    const fixed = tensorToRaster(t, { colormap: "gray", normalize: [0, 2] });
    expect([0, 1, 2, 3].map((i) => fixed.data[i * 4])).toEqual([0, 0, 255, 255]);
    const magma = tensorToRaster(t, { colormap: "magma" });
    expect(Array.from(magma.data.subarray(0, 3))).toEqual([0, 0, 4]); // magma's darkest
    expect(Array.from(magma.data.subarray(12, 15))).toEqual([252, 253, 191]); // and lightest
    // Magma gets lighter all along, so the order of values is the order of brightness.
    const luma = (i: number) => magma.data[i * 4] + magma.data[i * 4 + 1] + magma.data[i * 4 + 2];
    expect(luma(0) < luma(1) && luma(1) < luma(2) && luma(2) < luma(3)).toBe(true);
    t.dispose();
  });

  it("a constant map draws as its floor instead of dividing by zero", () => {
    const t = tensor([3, 3, 3, 3], [2, 2]);
    expect(Array.from(tensorToRaster(t).data.filter((_, i) => i % 4 === 0))).toEqual([0, 0, 0, 0]);
    t.dispose();
  });

  it("rejects bad options, naming them", () => {
    const t = tensor([0, 1], [1, 2, 1]);
    expect(() => tensorToRaster(t, { colormap: "jet" as never })).toThrow(/colormap/);
    expect(() => tensorToRaster(t, { normalize: [1, 1] })).toThrow(/normalize/);
    expect(() => tensorToRaster(t, { channel: 1 })).toThrow(/channel/);
    t.dispose();
  });

  it("leaks no tensors", () => {
    const before = memory().numTensors;
    decodeImage(encodeRasterPng({ width: 2, height: 2, data: new Uint8Array(16) })).dispose();
    expect(memory().numTensors).toBe(before);
  });
});
