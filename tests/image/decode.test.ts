/**
 * Decoding untrusted files: size limits before allocation, EXIF orientation, alpha, damage.
 * The JPEG cases run here with jpeg-js (decodeRaster's decoder until initCodecs) and in
 * decode-wasm.test.ts with the wasm libjpeg.
 */
import { describe, expect, it } from "vitest";
import {
  DamagedImageError, decodeImage, decodeRaster, readHeader, encodeRasterPng, DEFAULT_MAX_PIXELS,
} from "../../src/image/node.js";
import { jpegClaiming, jpegOf, pngClaiming, quadrants } from "./files.js";
import { jpegCases } from "./jpeg-cases.js";

describe("maxPixels: limits before allocation", () => {
  it("refuses a small PNG whose header claims 60000×60000, quickly and without allocating it, saying how to raise the limit", () => {
    const bomb = pngClaiming(60000, 60000);
    expect(bomb.length).toBeLessThan(200);
    const rss = process.memoryUsage().rss, t0 = performance.now();
    expect(() => decodeRaster(bomb)).toThrow(RangeError);
    expect(() => decodeRaster(bomb)).toThrow(/60000×60000 \(3600\.0 MP\), more than maxPixels allows \(100\.0 MP\).*\{ maxPixels: 3600000000 \}.*--max-pixels 3600000000/);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(process.memoryUsage().rss - rss).toBeLessThan(50e6);
  });

  it("refuses a JPEG whose frame header claims more than the limit", () => {
    const big = jpegClaiming(jpegOf(quadrants()), 65000, 65000);
    expect(readHeader(big)).toMatchObject({ format: "jpeg", width: 65000, height: 65000 });
    expect(() => decodeRaster(big)).toThrow(/65000×65000.*maxPixels/);
  });

  it("applies a chosen limit to both formats, and decodes at exactly the limit", () => {
    const r = quadrants(32, 16);
    for (const bytes of [encodeRasterPng(r), jpegOf(r)]) {
      expect(() => decodeRaster(bytes, { maxPixels: 511 })).toThrow(/\{ maxPixels: 512 \}/);
      expect(decodeRaster(bytes, { maxPixels: 512 }).width).toBe(32);
    }
    expect(DEFAULT_MAX_PIXELS).toBe(100_000_000);
    expect(() => decodeRaster(encodeRasterPng(r), { maxPixels: 0 })).toThrow(/maxPixels must be/);
  });

  it("calls a PNG damaged when its bytes cannot hold the pixels its header claims", () => {
    const t0 = performance.now();
    expect(() => decodeRaster(pngClaiming(9000, 9000))).toThrow(DamagedImageError);
    expect(() => decodeRaster(pngClaiming(9000, 9000))).toThrow(/PNG file is damaged.*cannot hold 9000×9000/);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe("alpha", () => {
  // Two pixels: opaque black, and fully transparent black.
  const rgba = { width: 2, height: 1, data: Uint8Array.from([0, 0, 0, 255, 0, 0, 0, 0]) };
  const png = encodeRasterPng(rgba);

  it("is composited over white by default, over a chosen background on request", () => {
    const gray = decodeImage(png, { channels: "gray" });
    expect(Array.from(gray.dataSync()).map((v) => Number(v.toFixed(4)))).toEqual([0, 0.9999]);
    const rgb = decodeImage(png, { background: [255, 0, 0] });
    expect(Array.from(rgb.dataSync())).toEqual([0, 0, 0, 1, 0, 0]);
    // Half transparent: half way.
    const half = decodeImage(encodeRasterPng({ width: 1, height: 1, data: Uint8Array.from([0, 0, 0, 102]) }), { channels: "r" });
    expect(half.dataSync()[0]).toBeCloseTo(153 / 255, 6);
    for (const t of [gray, rgb, half]) t.dispose();
  });

  it("is kept as its own channel on request, or when the channels ask for it", () => {
    const kept = decodeImage(png, { channels: "gray", alpha: "keep" });
    expect(kept.shape).toEqual([1, 2, 2]);
    expect(Array.from(kept.dataSync())).toEqual([0, 1, 0, 0]);
    const rgba4 = decodeImage(png, { channels: "rgba" });
    expect(Array.from(rgba4.dataSync())).toEqual([0, 0, 0, 1, 0, 0, 0, 0]);
    expect(() => decodeImage(png, { alpha: "drop" as never })).toThrow(/alpha/);
    expect(() => decodeImage(png, { background: [0, 0, 300] })).toThrow(/background/);
    kept.dispose();
    rgba4.dispose();
  });
});

jpegCases("jpeg-js");
