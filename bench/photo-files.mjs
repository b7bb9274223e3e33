// Writes the photo-like test pictures the image-codec measurements use, as JPEG (quality 90)
// and PNG, into a folder (default /tmp/simdconv-photos): 1 MP, 12 MP and 24 MP.
//   node bench/photo-files.mjs [folder]
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
import { deflateSync } from "node:zlib";
import jpeg from "jpeg-js";
import { photo } from "./photo.mjs";

export const SIZES = { "1mp": [1224, 816], "12mp": [4240, 2832], "24mp": [6000, 4000] };

const dir = process.argv[2] ?? "/tmp/simdconv-photos";
mkdirSync(dir, { recursive: true });
for (const [name, [w, h]] of Object.entries(SIZES)) {
  if (existsSync(`${dir}/${name}.jpg`) && existsSync(`${dir}/${name}.png`)) continue;
  const t0 = Date.now();
  const p = photo(w, h);
  writeFileSync(`${dir}/${name}.jpg`, jpeg.encode(p, 90).data);
  writeFileSync(`${dir}/${name}.png`, png(p));
  console.log(`${name}: ${w}x${h} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
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
