/**
 * What a PNG or JPEG file says about itself, read from its first chunks without decoding:
 * the size (so limits apply before any pixel buffer exists) and the EXIF orientation. Also
 * the orientation and alpha steps that follow decoding. Platform-neutral.
 */
import type { Raster } from "./raster.js";

export type ImageFormat = "png" | "jpeg";

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
  /** EXIF orientation 1–8 (1 when absent). */
  orientation: number;
}

/** The default `maxPixels`: 100 megapixels (a 12 000 × 8 000 photo is 96 MP). */
export const DEFAULT_MAX_PIXELS = 100_000_000;

/** The format from the file's first bytes, or undefined. */
export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return "png";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  return undefined;
}

/** A file that is not a well-formed image: damaged, truncated, or not what it claims. */
export class DamagedImageError extends TypeError {
  override name = "DamagedImageError";
}

const u16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];
const u32 = (b: Uint8Array, o: number) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

/** Reads the header. Throws DamagedImageError when the size cannot be found. */
export function readHeader(bytes: Uint8Array): ImageHeader {
  const format = sniffFormat(bytes);
  if (!format) throw new TypeError("bytes are not a PNG or JPEG image");
  if (format === "png") {
    // The signature, then IHDR first: length 13, "IHDR", width, height.
    if (bytes.length < 24 || u32(bytes, 12) !== 0x49484452) throw new DamagedImageError("the PNG file is damaged: its header (IHDR) is missing");
    return { format, width: u32(bytes, 16), height: u32(bytes, 20), orientation: pngOrientation(bytes) };
  }
  let orientation = 1;
  for (let o = 2; o + 4 <= bytes.length; ) {
    if (bytes[o] !== 0xff) throw new DamagedImageError(`the JPEG file is damaged: no marker at byte ${o} before the image size`);
    const marker = bytes[o + 1];
    if (marker === 0xff) {
      o++; // fill byte
      continue;
    }
    const len = u16(bytes, o + 2);
    if (len < 2) throw new DamagedImageError(`the JPEG file is damaged: a segment at byte ${o} has length ${len}`);
    const body = o + 4;
    if (marker === 0xe1 && len >= 16) orientation = exifOrientation(bytes.subarray(body, Math.min(bytes.length, o + 2 + len))) ?? orientation;
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC): precision, height, width.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (body + 5 > bytes.length) break;
      return { format, height: u16(bytes, body + 1), width: u16(bytes, body + 3), orientation };
    }
    if (marker === 0xda || marker === 0xd9) break; // scan data or the end, with no frame header before it
    o += 2 + len;
  }
  throw new DamagedImageError("the JPEG file is damaged: it has no frame header (SOF) giving the image size");
}

/**
 * The orientation in a PNG's eXIf chunk (PNG 1.5 / third edition), 1 when there is none. The
 * chunks are walked by their lengths (no data is read but eXIf's), up to IEND or the end.
 */
function pngOrientation(bytes: Uint8Array): number {
  for (let o = 8; o + 12 <= bytes.length; ) {
    const len = u32(bytes, o), type = u32(bytes, o + 4);
    if (type === 0x65584966 /* eXIf */) {
      const body = bytes.subarray(o + 8, Math.min(bytes.length, o + 8 + len));
      // The chunk holds the TIFF data itself; some writers keep JPEG's "Exif\0\0" before it.
      return (isExifPrefix(body) ? exifOrientation(body) : tiffOrientation(body)) ?? 1;
    }
    if (type === 0x49454e44 /* IEND */) break;
    o += 12 + len;
  }
  return 1;
}

const isExifPrefix = (b: Uint8Array) => b.length >= 6 && u32(b, 0) === 0x45786966 && b[4] === 0 && b[5] === 0;

/** The orientation tag (0x0112) of an APP1 Exif payload, or undefined. */
function exifOrientation(app1: Uint8Array): number | undefined {
  // "Exif\0\0", then a TIFF header.
  if (app1.length < 14 || !isExifPrefix(app1)) return undefined;
  return tiffOrientation(app1.subarray(6));
}

/** The orientation tag (0x0112) in IFD0 of TIFF data (byte order, 42, offset of IFD0, …), or undefined. */
function tiffOrientation(t: Uint8Array): number | undefined {
  if (t.length < 8) return undefined;
  const little = t[0] === 0x49 && t[1] === 0x49;
  if (!little && !(t[0] === 0x4d && t[1] === 0x4d)) return undefined;
  const r16 = (o: number) => (little ? t[o] | (t[o + 1] << 8) : u16(t, o));
  const r32 = (o: number) => (little ? (t[o] | (t[o + 1] << 8) | (t[o + 2] << 16) | (t[o + 3] << 24)) >>> 0 : u32(t, o));
  if (r16(2) !== 42) return undefined;
  const ifd = r32(4);
  if (ifd + 2 > t.length) return undefined;
  const count = r16(ifd);
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + i * 12;
    if (e + 12 > t.length) return undefined;
    if (r16(e) === 0x0112) {
      const v = r16(e + 8);
      return v >= 1 && v <= 8 ? v : undefined;
    }
  }
  return undefined;
}

/** Throws a RangeError naming the option when the header's size is over the limit or not a size at all. */
export function checkSize(h: ImageHeader, maxPixels: number): void {
  if (h.width === 0 || h.height === 0) throw new DamagedImageError(`the ${h.format.toUpperCase()} file is damaged: its header says ${h.width}×${h.height} pixels`);
  const pixels = h.width * h.height;
  if (pixels > maxPixels) {
    throw new RangeError(
      `the image is ${h.width}×${h.height} (${(pixels / 1e6).toFixed(1)} MP), more than maxPixels allows ` +
      `(${(maxPixels / 1e6).toFixed(1)} MP); to decode it anyway, raise the limit: { maxPixels: ${pixels} } (CLI: --max-pixels ${pixels})`,
    );
  }
}

export function checkMaxPixels(v: unknown): number {
  if (v === undefined) return DEFAULT_MAX_PIXELS;
  if (typeof v !== "number" || !(v >= 1) || !(Number.isInteger(v) || v === Infinity)) {
    throw new RangeError(`maxPixels must be a positive integer or Infinity, got ${JSON.stringify(v)}`);
  }
  return v;
}

/**
 * Turns stored pixels upright as EXIF orientation `o` asks: 2 mirror, 3 rotate 180°, 4 flip,
 * 5 transpose, 6 rotate 90° clockwise, 7 transverse, 8 rotate 90° counter-clockwise.
 */
export function orientRaster(r: Raster, o: number): Raster {
  if (o <= 1 || o > 8) return r;
  const { width: W, height: H } = r;
  const data = r.data.byteOffset % 4 ? r.data.slice() : r.data; // Uint32 access needs alignment
  const swap = o >= 5;
  const w = swap ? H : W, h = swap ? W : H;
  const out = new Uint8Array(W * H * 4);
  const src32 = new Uint32Array(data.buffer, data.byteOffset, W * H), dst32 = new Uint32Array(out.buffer);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sx: number, sy: number;
      switch (o) {
        case 2: sx = W - 1 - x; sy = y; break;
        case 3: sx = W - 1 - x; sy = H - 1 - y; break;
        case 4: sx = x; sy = H - 1 - y; break;
        case 5: sx = y; sy = x; break;
        case 6: sx = y; sy = H - 1 - x; break;
        case 7: sx = W - 1 - y; sy = H - 1 - x; break;
        default: sx = W - 1 - y; sy = x; break; // 8
      }
      dst32[y * w + x] = src32[sy * W + sx];
    }
  }
  return { width: w, height: h, data: out };
}

/** True when some pixel is not fully opaque. */
export function hasAlpha(r: Raster): boolean {
  const d = r.data;
  if (d.byteOffset % 4 === 0 && new Uint8Array(new Uint32Array([0xff000000]).buffer)[3] === 0xff) {
    // A pixel a read on little-endian hosts (all of today's): alpha is the top byte.
    const px = new Uint32Array(d.buffer, d.byteOffset, d.length >>> 2);
    for (let i = 0; i < px.length; i++) if (px[i] < 0xff000000) return true;
    return false;
  }
  for (let i = 3; i < d.length; i += 4) if (d[i] !== 255) return true;
  return false;
}
