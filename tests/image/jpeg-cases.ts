/** JPEG decoding cases every JPEG decoder must pass. */
import { describe, expect, it } from "vitest";
import { DamagedImageError, decodeImage, decodeRaster, readHeader, encodeRasterPng } from "../../src/image/node.js";
import { photo } from "../../bench/image/photo.mjs";
import { jpegOf, quadrants, withExifOrientation } from "./files.js";

export function jpegCases(decoder: string): void {
describe(`EXIF orientation (${decoder})`, () => {
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

describe(`damaged files (${decoder})`, () => {
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
}
