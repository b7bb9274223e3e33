/**
 * A small PNG writer for every platform: gray, RGB, RGBA and palette images, 8 bits per
 * sample, every row filtered with "Up" or every row with "None", whichever suits the image. The
 * compressor is passed in: Node gives zlib's, elsewhere stored (uncompressed) deflate blocks
 * keep the file valid without bundling a compressor.
 */

/** PNG colour types: 0 gray, 2 RGB, 3 palette, 6 RGBA. */
export type PngColorType = 0 | 2 | 3 | 6;

export interface PngImage {
  width: number;
  height: number;
  colorType: PngColorType;
  /** Samples row by row: 1, 3, 1 (palette index) or 4 bytes per pixel. */
  data: Uint8Array | Uint8ClampedArray;
  /** RGB triples, for colour type 3. */
  palette?: Uint8Array;
}

/** zlib-wrapped deflate of `raw`. */
export type Deflate = (raw: Uint8Array) => Uint8Array;

const CHANNELS: Record<PngColorType, number> = { 0: 1, 2: 3, 3: 1, 6: 4 };

let crcTable: Int32Array | undefined;
function crc32(bytes: Uint8Array, crc = -1): number {
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  for (let i = 0; i < bytes.length; i++) crc = crcTable[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return crc;
}

function adler32(bytes: Uint8Array): number {
  let a = 1, b = 0;
  for (let i = 0; i < bytes.length; ) {
    const end = Math.min(bytes.length, i + 5552); // the most bytes before the sums can overflow
    for (; i < end; i++) (a += bytes[i]), (b += a);
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** zlib stream of stored blocks: no compression, no dependency. */
export const storedDeflate: Deflate = (raw) => {
  const blocks = Math.max(1, Math.ceil(raw.length / 65535));
  const out = new Uint8Array(2 + raw.length + blocks * 5 + 4);
  out[0] = 0x78;
  out[1] = 0x01;
  let o = 2;
  for (let b = 0; b < blocks; b++) {
    const start = b * 65535, len = Math.min(65535, raw.length - start);
    out[o++] = b === blocks - 1 ? 1 : 0;
    out[o++] = len & 0xff;
    out[o++] = len >>> 8;
    out[o++] = ~len & 0xff;
    out[o++] = (~len >>> 8) & 0xff;
    out.set(raw.subarray(start, start + len), o);
    o += len;
  }
  new DataView(out.buffer).setUint32(o, adler32(raw));
  return out;
};

/**
 * Whether filter "Up" (each byte minus the one above) leaves smaller residuals than "None",
 * judged on every 16th row by the usual sum of absolute (signed) differences. Up wins on
 * photos and smooth maps; None on noisy feature maps, where Up doubles the noise.
 */
function upHelps(bytes: Uint8Array, rowBytes: number, height: number): boolean {
  let none = 0, up = 0;
  for (let y = 1; y < height; y += 16) {
    for (let i = y * rowBytes, end = i + rowBytes; i < end; i++) {
      const v = bytes[i], d = (v - bytes[i - rowBytes]) & 0xff;
      none += v < 128 ? v : 256 - v;
      up += d < 128 ? d : 256 - d;
    }
  }
  return up < none;
}

/** The PNG file of an image. `crc` may be a native CRC-32 (node:zlib's), else the table one here is used. */
export function writePngFile(image: PngImage, deflate: Deflate = storedDeflate, crc: (bytes: Uint8Array) => number = tableCrc): Uint8Array {
  const { chunks, raw } = pngParts(image);
  return assemblePng(chunks, deflate(raw), crc);
}

/**
 * The same file with the compressor off the calling thread (Node's async zlib runs in the
 * libuv pool): the caller keeps computing while the bytes are deflated.
 */
export async function writePngFileAsync(image: PngImage, deflate: (raw: Uint8Array) => Promise<Uint8Array>, crc: (bytes: Uint8Array) => number = tableCrc): Promise<Uint8Array> {
  const { chunks, raw } = pngParts(image); // synchronous: `image.data` may be reused once this returns
  return assemblePng(chunks, await deflate(raw), crc);
}

const tableCrc = (b: Uint8Array) => ~crc32(b) >>> 0;

/** The chunks before IDAT and the filtered rows IDAT compresses. */
function pngParts(image: PngImage): { chunks: [string, Uint8Array][]; raw: Uint8Array } {
  const { width, height, colorType, data } = image;
  const channels = CHANNELS[colorType];
  if (!channels) throw new TypeError(`colorType must be 0, 2, 3 or 6, got ${colorType}`);
  const rowBytes = width * channels;
  if (data.length !== rowBytes * height) throw new RangeError(`data has ${data.length} bytes, ${width}×${height} needs ${rowBytes * height}`);
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.length); // one array type: one compiled loop
  const up = height > 1 && upHelps(bytes, rowBytes, height);
  const raw = new Uint8Array((rowBytes + 1) * height);
  for (let y = 0; y < height; y++) {
    const o = y * (rowBytes + 1) + 1, row = y * rowBytes;
    if (!up || y === 0) {
      raw.set(bytes.subarray(row, row + rowBytes), o); // filter byte 0 (None); the first row has nothing above for Up
      if (up) raw[o - 1] = 2;
      continue;
    }
    raw[o - 1] = 2; // Up: each byte minus the one above it
    for (let i = 0, a = row - rowBytes; i < rowBytes; i++) raw[o + i] = bytes[row + i] - bytes[a + i];
  }
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  header.set([8, colorType, 0, 0, 0], 8);
  const chunks: [string, Uint8Array][] = [["IHDR", header]];
  if (colorType === 3) {
    if (!image.palette || image.palette.length % 3 || image.palette.length > 768) throw new RangeError("a palette image needs up to 256 RGB triples");
    chunks.push(["PLTE", image.palette]);
  }
  return { chunks, raw };
}

function assemblePng(head: [string, Uint8Array][], idat: Uint8Array, crc: (bytes: Uint8Array) => number): Uint8Array {
  const chunks: [string, Uint8Array][] = [...head, ["IDAT", idat], ["IEND", new Uint8Array(0)]];
  const size = 8 + chunks.reduce((s, [, d]) => s + 12 + d.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let o = 8;
  for (const [type, d] of chunks) {
    view.setUint32(o, d.length);
    const typed = out.subarray(o + 4, o + 8);
    for (let i = 0; i < 4; i++) typed[i] = type.charCodeAt(i);
    out.set(d, o + 8);
    view.setUint32(o + 8 + d.length, crc(out.subarray(o + 4, o + 8 + d.length)));
    o += 12 + d.length;
  }
  return out;
}

/** Standard base64 of bytes, without Buffer or btoa's string limits. */
export function base64(bytes: Uint8Array): string {
  const abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  let s = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    s += abc[n >>> 18] + abc[(n >>> 12) & 63] + (i + 1 < bytes.length ? abc[(n >>> 6) & 63] : "=") + (i + 2 < bytes.length ? abc[n & 63] : "=");
  }
  return s;
}
