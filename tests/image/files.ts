/** Image files for decoder tests: valid ones, and the same with EXIF, damage or lies in their headers. */
import jpeg from "jpeg-js";
import { deflateSync } from "node:zlib";
import { encodeRasterPng } from "../../src/image/node.js";
import type { Raster } from "../../src/image/raster.js";

/** A JPEG with an EXIF APP1 segment (big- or little-endian TIFF) holding `orientation`, right after SOI. */
export function withExifOrientation(jpegBytes: Uint8Array, orientation: number, little = false): Uint8Array {
  const tiff = little
    ? [0x49, 0x49, 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, orientation, 0, 0, 0, 0, 0, 0, 0]
    : [0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0];
  const payload = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
  const len = payload.length + 2;
  const out = new Uint8Array(jpegBytes.length + 2 + len);
  out.set(jpegBytes.subarray(0, 2));
  out.set([0xff, 0xe1, len >> 8, len & 0xff, ...payload], 2);
  out.set(jpegBytes.subarray(2), 6 + payload.length);
  return out;
}

export function jpegOf(r: Raster, quality = 90): Uint8Array {
  return new Uint8Array(jpeg.encode({ width: r.width, height: r.height, data: r.data }, quality).data);
}

export function pngOf(r: Raster): Uint8Array {
  return encodeRasterPng(r);
}

function crc32(bytes: Uint8Array): number {
  let c = -1;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  v.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** A small, well-formed PNG whose header claims width × height RGBA pixels (a decompression bomb's shape). */
export function pngClaiming(width: number, height: number): Uint8Array {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const parts = [
    Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr), chunk("IDAT", new Uint8Array(deflateSync(new Uint8Array(4096)))), chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

/** A JPEG whose frame header (SOF) is rewritten to claim width × height. */
export function jpegClaiming(jpegBytes: Uint8Array, width: number, height: number): Uint8Array {
  const out = Uint8Array.from(jpegBytes);
  for (let o = 2; o < out.length; ) {
    const marker = out[o + 1], len = (out[o + 2] << 8) | out[o + 3];
    if (marker >= 0xc0 && marker <= 0xc2) {
      out.set([height >> 8, height & 0xff, width >> 8, width & 0xff], o + 5);
      return out;
    }
    o += 2 + len;
  }
  throw new Error("no SOF");
}

/** Four flat quadrants, stored top-left red, top-right green, bottom-left blue, bottom-right white. */
export function quadrants(width = 32, height = 16): Raster {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const c = y < height / 2 ? (x < width / 2 ? [255, 0, 0] : [0, 255, 0]) : x < width / 2 ? [0, 0, 255] : [255, 255, 255];
    data.set([...c, 255], (y * width + x) * 4);
  }
  return { width, height, data };
}
