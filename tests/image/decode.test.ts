/** Decoding untrusted files: size limits before allocation, EXIF orientation, alpha, damage. */
import { describe, expect, it } from "vitest";
import {
  DamagedImageError, decodeImage, decodeRaster, readHeader, encodeRasterPng, DEFAULT_MAX_PIXELS,
} from "../../src/image/node.js";
import { photo } from "../../bench/photo.mjs";
import { jpegClaiming, jpegOf, pngClaiming, quadrants, withExifOrientation } from "./files.js";

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

describe("EXIF orientation", () => {
  // Each orientation's picture as a viewer shows it: its size and the colours at its corners
  // (top-left, top-right, bottom-left, bottom-right), from the EXIF 2.3 definitions. Stored:
  // 32×16, red, green / blue, white.
  const R = [255, 0, 0], G = [0, 255, 0], B = [0, 0, 255], W = [255, 255, 255];
  const upright: Record<number, [number, number, number[][]]> = {
    1: [32, 16, [R, G, B, W]],
    2: [32, 16, [G, R, W, B]], // mirrored left to right
    3: [32, 16, [W, B, G, R]], // turned 180°
    4: [32, 16, [B, W, R, G]], // mirrored top to bottom
    5: [16, 32, [R, B, G, W]], // transposed
    6: [16, 32, [B, R, W, G]], // stored turned 90° counter-clockwise: shown turned clockwise
    7: [16, 32, [W, G, B, R]], // transversed
    8: [16, 32, [G, W, R, B]], // turned counter-clockwise
  };
  const corners = (r: { width: number; height: number; data: ArrayLike<number> }) =>
    [[1, 1], [r.width - 2, 1], [1, r.height - 2], [r.width - 2, r.height - 2]].map(([x, y]) => {
      const i = (y * r.width + x) * 4;
      return [r.data[i], r.data[i + 1], r.data[i + 2]];
    });
  const near = (a: number[][], b: number[][]) => a.every((c, i) => c.every((v, k) => Math.abs(v - b[i][k]) < 48));

  it.each([1, 2, 3, 4, 5, 6, 7, 8])("orientation %i is turned upright (big- and little-endian EXIF)", (o) => {
    const stored = jpegOf(quadrants(), 95);
    for (const little of [false, true]) {
      const bytes = withExifOrientation(stored, o, little);
      expect(readHeader(bytes).orientation).toBe(o);
      const r = decodeRaster(bytes);
      const [w, h, expected] = upright[o];
      expect([r.width, r.height]).toEqual([w, h]);
      expect(near(corners(r), expected)).toBe(true);
      // 'ignore' keeps the stored pixels.
      const raw = decodeRaster(bytes, { orientation: "ignore" });
      expect([raw.width, raw.height]).toEqual([32, 16]);
      expect(near(corners(raw), upright[1][2])).toBe(true);
    }
  });

  it("tensors come out upright too", () => {
    const t = decodeImage(withExifOrientation(jpegOf(quadrants(), 95), 6), { channels: "rgb" });
    expect(t.shape).toEqual([32, 16, 3]);
    t.dispose();
    expect(() => decodeRaster(jpegOf(quadrants()), { orientation: "auto" as never })).toThrow(/orientation/);
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

describe("damaged files", () => {
  const good = jpegOf(photo(96, 64), 85);

  it("a JPEG cut short decodes as far as its data goes, with a warning", () => {
    const whole = decodeRaster(good);
    for (const cut of [0.5, 0.8, 0.97]) {
      const warnings: string[] = [];
      const r = decodeRaster(good.subarray(0, Math.floor(good.length * cut)), { onWarning: (m) => warnings.push(m) });
      expect([r.width, r.height]).toEqual([96, 64]);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/JPEG file is damaged.*decoded as far as its data goes/);
      // The top rows, which were all there, match the whole file's.
      let diff = 0;
      for (let i = 0; i < 96 * 8 * 4; i++) diff = Math.max(diff, Math.abs(r.data[i] - whole.data[i]));
      expect(diff).toBe(0);
    }
  });

  it("a JPEG without its frame header, or cut inside its headers, is an error that says the file is damaged", () => {
    const noSof = Uint8Array.from(good);
    for (let o = 2; o < noSof.length; ) {
      const len = (noSof[o + 2] << 8) | noSof[o + 3];
      if (noSof[o + 1] === 0xc0) noSof[o + 1] = 0xe5; // the frame header becomes an unknown APP segment
      if (noSof[o + 1] === 0xda) break;
      o += 2 + len;
    }
    expect(() => decodeRaster(noSof)).toThrow(DamagedImageError);
    expect(() => decodeRaster(noSof)).toThrow(/JPEG file is damaged.*no frame header/);
    expect(() => decodeRaster(good.subarray(0, 100))).toThrow(/JPEG file is damaged/);
    expect(() => decodeRaster(encodeRasterPng(quadrants()).subarray(0, 60))).toThrow(/PNG file is damaged/);
  });
});
