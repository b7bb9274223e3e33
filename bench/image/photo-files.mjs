// Writes the photo-like test pictures the image-codec measurements use, as JPEG (quality 90)
// and PNG, into a folder (default /tmp/simdconv-photos): 1 MP, 12 MP and 24 MP.
//   node bench/image/photo-files.mjs [folder]
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
import { deflateSync } from "node:zlib";
import jpeg from "jpeg-js";
import { photo } from "./photo.mjs";
import { cli } from "../harness.mjs";

export const SIZES = { "1mp": [1224, 816], "12mp": [4240, 2832], "24mp": [6000, 4000] };

const dir = cli("node bench/image/photo-files.mjs [folder]: writes the photo-like test pictures", {}, { positionals: "folder (default /tmp/simdconv-photos)" })._[0] ?? "/tmp/simdconv-photos";
mkdirSync(dir, { recursive: true });
for (const [name, [w, h]] of Object.entries(SIZES)) {
  if (existsSync(`${dir}/${name}.jpg`) && existsSync(`${dir}/${name}.png`)) continue;
  const t0 = Date.now();
  const p = upscaled(w, h);
  writeFileSync(`${dir}/${name}.jpg`, jpeg.encode(p, 90).data);
  writeFileSync(`${dir}/${name}.png`, png(p));
  console.log(`${name}: ${w}x${h} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/**
 * The picture drawn at a third of the size and enlarged bilinearly, with fresh sensor grain:
 * drawing every pixel of 24 MP takes minutes on this host; this takes seconds, and the result
 * looks like what it is, an enlarged photo (as in the measurements that motivated this).
 */
function upscaled(w, h) {
  const f = 3, sw = Math.ceil(w / f), sh = Math.ceil(h / f);
  const small = photo(sw, sh).data;
  const data = new Uint8ClampedArray(w * h * 4);
  let seed = 12345;
  for (let y = 0; y < h; y++) {
    const sy = Math.min(sh - 1.001, Math.max(0, (y + 0.5) / f - 0.5)), y0 = Math.floor(sy), fy = sy - y0;
    for (let x = 0; x < w; x++) {
      const sx = Math.min(sw - 1.001, Math.max(0, (x + 0.5) / f - 0.5)), x0 = Math.floor(sx), fx = sx - x0;
      const i00 = (y0 * sw + x0) * 4, i01 = i00 + 4, i10 = i00 + sw * 4, i11 = i10 + 4;
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const grain = ((seed >>> 16) & 7) - 3.5;
      const o = (y * w + x) * 4;
      for (let k = 0; k < 3; k++) {
        const top = small[i00 + k] + (small[i01 + k] - small[i00 + k]) * fx;
        const bottom = small[i10 + k] + (small[i11 + k] - small[i10 + k]) * fx;
        data[o + k] = top + (bottom - top) * fy + grain;
      }
      data[o + 3] = 255;
    }
  }
  return { width: w, height: h, data: new Uint8Array(data.buffer) };
}

/** A plain RGB PNG (filter None, zlib level 6), as a camera app or an editor might save one. */
function png({ width, height, data }) {
  const raw = new Uint8Array((width * 3 + 1) * height);
  for (let y = 0, o = 0; y < height; y++) {
    raw[o++] = 0;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      raw[o++] = data[i]; raw[o++] = data[i + 1]; raw[o++] = data[i + 2];
    }
  }
  const chunk = (type, body) => {
    const b = Buffer.alloc(12 + body.length);
    b.writeUInt32BE(body.length, 0);
    b.write(type, 4, "latin1");
    Buffer.from(body).copy(b, 8);
    b.writeUInt32BE(crc(b.subarray(4, 8 + body.length)), 8 + body.length);
    return b;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}
function crc(bytes) {
  let c = -1;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return ~c >>> 0;
}
