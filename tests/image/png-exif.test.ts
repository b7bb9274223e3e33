/** A PNG's eXIf chunk (PNG 1.5, third edition) turns the picture upright as JPEG's EXIF does. */
import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { decodeRaster, readHeader } from "../../src/image/node.js";
import { pngOf, quadrants } from "./files.js";

/** TIFF data whose IFD0 holds only the orientation tag. */
function tiff(orientation: number, little: boolean): number[] {
  return little
    ? [0x49, 0x49, 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, orientation, 0, 0, 0, 0, 0, 0, 0]
    : [0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0];
}

/** The PNG with an eXIf chunk inserted after IHDR, or before IEND. */
function withExif(png: Uint8Array, body: number[], beforeEnd = false): Uint8Array {
  const chunk = new Uint8Array(12 + body.length);
  const v = new DataView(chunk.buffer);
  v.setUint32(0, body.length);
  chunk.set([0x65, 0x58, 0x49, 0x66, ...body], 4); // "eXIf"
  v.setUint32(8 + body.length, crc32(chunk.subarray(4, 8 + body.length)));
  const at = beforeEnd ? png.length - 12 : 33; // 8 signature + 25 IHDR; IEND is the last 12 bytes
  const out = new Uint8Array(png.length + chunk.length);
  out.set(png.subarray(0, at));
  out.set(chunk, at);
  out.set(png.subarray(at), at + chunk.length);
  return out;
}

/** Pixel (x, y) of a raster as RGB. */
const at = (r: { width: number; data: ArrayLike<number> }, x: number, y: number) => {
  const i = (y * r.width + x) * 4;
  return [r.data[i], r.data[i + 1], r.data[i + 2]];
};

describe("PNG eXIf orientation", () => {
  const stored = quadrants(); // 32×16: red, green / blue, white
  const R = [255, 0, 0], G = [0, 255, 0], B = [0, 0, 255], W = [255, 255, 255];

  it.each([
    ["big-endian TIFF after IHDR", (o: number) => withExif(pngOf(stored), tiff(o, false))],
    ["little-endian TIFF before IEND", (o: number) => withExif(pngOf(stored), tiff(o, true), true)],
    ["with JPEG's Exif\\0\\0 before the TIFF data", (o: number) => withExif(pngOf(stored), [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff(o, false)])],
  ])("%s: orientation 6 is turned clockwise, 3 by 180°, and 'ignore' keeps the stored pixels", (_name, make) => {
    const six = make(6);
    expect(readHeader(six).orientation).toBe(6);
    const r = decodeRaster(six);
    expect([r.width, r.height]).toEqual([16, 32]);
    expect([at(r, 0, 0), at(r, 15, 0), at(r, 0, 31), at(r, 15, 31)]).toEqual([B, R, W, G]);
    const three = decodeRaster(make(3));
    expect([three.width, three.height, at(three, 0, 0), at(three, 31, 15)]).toEqual([32, 16, W, R]);
    const raw = decodeRaster(six, { orientation: "ignore" });
    expect(Buffer.from(raw.data).equals(Buffer.from(stored.data))).toBe(true);
  });

  it("a PNG without eXIf, or with a damaged or out-of-range one, keeps its stored orientation", () => {
    expect(readHeader(pngOf(stored)).orientation).toBe(1);
    for (const body of [tiff(9, false), tiff(0, true), [0x4d, 0x4d, 0, 41, 0, 0, 0, 8], [1, 2, 3], tiff(6, false).slice(0, 20)]) {
      const bytes = withExif(pngOf(stored), body);
      expect(readHeader(bytes).orientation).toBe(1);
      expect(decodeRaster(bytes).width).toBe(32);
    }
  });
});
