// Image codecs on photo-like pictures (bench/image/photo-files.mjs): decode and encode times for
// each library that can be imported, medians of a few runs in one process.
//   node bench/image/codecs.mjs [--photos DIR] [--modules DIR] [--runs N] [--sizes 1mp,12mp,24mp]
// --modules names a folder whose node_modules holds the optional peers (fast-png,
// @jsquash/jpeg, @jsquash/png, sharp); jpeg-js and pngjs come from this package's own.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { deflateSync } from "node:zlib";
import { pathToFileURL } from "node:url";
import { cli, median } from "../harness.mjs";

const opts = cli("node bench/image/codecs.mjs [options]: image codecs' decode and encode times on photo-like pictures", {
  photos: { type: "string", default: "/tmp/simdconv-photos", help: "the folder bench/image/photo-files.mjs wrote" },
  modules: { type: "string", help: "a folder whose node_modules holds the optional peers" },
  runs: { type: "number", default: 3, help: "runs per codec and picture" },
  sizes: { type: "string", default: "1mp,12mp,24mp", help: "which pictures" },
});
const { photos, modules, runs } = opts;
// jSquash's emscripten glue prints libjpeg warnings; none are expected on these files.
const sizes = opts.sizes.split(",");

const own = createRequire(import.meta.url);
const other = modules ? createRequire(`${modules}/package.json`) : undefined;
/** An optional peer as an ES module, or undefined when it is not installed. */
async function load(name) {
  for (const req of [other, own]) {
    if (!req) continue;
    try {
      return await import(pathToFileURL(req.resolve(name)).href);
    } catch {}
  }
  return undefined;
}
const wasmOf = (name, file) => {
  for (const req of [other, own]) {
    try {
      return readFileSync(req.resolve(name).replace(/[^/]+$/, "") + file);
    } catch {}
  }
};

const jpegjs = (await load("jpeg-js")).default;
const pngjs = (await load("pngjs")).default;
const fastPng = await load("fast-png");
const sharp = (await load("sharp"))?.default;
const jsqJpegDec = await load("@jsquash/jpeg/decode.js");
const jsqJpegEnc = await load("@jsquash/jpeg/encode.js");
const jsqPngDec = await load("@jsquash/png/decode.js");
const jsqPngEnc = await load("@jsquash/png/encode.js");
if (jsqJpegDec) await jsqJpegDec.init(await WebAssembly.compile(wasmOf("@jsquash/jpeg/decode.js", "codec/dec/mozjpeg_dec.wasm")));
if (jsqJpegEnc) await jsqJpegEnc.init(await WebAssembly.compile(wasmOf("@jsquash/jpeg/encode.js", "codec/enc/mozjpeg_enc.wasm")));
if (jsqPngDec) await jsqPngDec.init(await WebAssembly.compile(wasmOf("@jsquash/png/decode.js", "codec/pkg/squoosh_png_bg.wasm")));
const image = await import(pathToFileURL(new URL("../../dist/image-node.js", import.meta.url).pathname).href);

async function time(f) {
  const ms = [];
  let out;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    out = await f();
    ms.push(performance.now() - t0);
    if (globalThis.gc) globalThis.gc();
  }
  return { ms: median(ms), out };
}

const rows = [];
const row = (size, op, codec, r, note = "") => {
  rows.push({ size, op, codec, ms: Math.round(r.ms), note });
  console.log(`${size.padEnd(5)} ${op.padEnd(24)} ${codec.padEnd(34)} ${String(Math.round(r.ms)).padStart(6)} ms ${note}`);
};

for (const size of sizes) {
  const jpg = readFileSync(`${photos}/${size}.jpg`), png = readFileSync(`${photos}/${size}.png`);
  const big = { maxResolutionInMP: 200, maxMemoryUsageInMB: 8192 };
  // Decode JPEG
  const ref = await time(() => jpegjs.decode(jpg, { useTArray: true, formatAsRGBA: true, ...big }));
  row(size, "decode jpeg", "jpeg-js 0.4.4 (RGBA)", ref);
  row(size, "decode jpeg", "jpeg-js 0.4.4 (RGB, no RGBA pass)", await time(() => jpegjs.decode(jpg, { useTArray: true, formatAsRGBA: false, ...big })));
  if (jsqJpegDec) row(size, "decode jpeg", "@jsquash/jpeg 1.6.0 (libjpeg-turbo wasm)", await time(() => jsqJpegDec.default(jpg)));
  await image.initCodecs();
  row(size, "decode jpeg", "simdconv decodeRaster (libjpeg wasm, now)", await time(() => image.decodeRaster(jpg, { maxPixels: 2e8 })));
  if (sharp) row(size, "decode jpeg", "sharp 0.35.5 (libvips, native)", await time(() => sharp(jpg, { limitInputPixels: false }).raw().toBuffer()));
  // Decode PNG
  row(size, "decode png", "pngjs 7.0.0", await time(() => pngjs.PNG.sync.read(png)));
  if (fastPng) row(size, "decode png", "fast-png 8.0.0", await time(() => fastPng.decode(png)));
  if (jsqPngDec) row(size, "decode png", "@jsquash/png 3.1.1 (Rust png, wasm)", await time(() => jsqPngDec.default(png)));
  if (sharp) row(size, "decode png", "sharp 0.35.5", await time(() => sharp(png, { limitInputPixels: false }).raw().toBuffer()));
  // Encode: a feature map (one channel, magma) as PNG, the CLI's main output.
  const { width, height, data } = ref.out;
  const gray = image.rasterToTensor({ width, height, data }, { channels: "gray", batch: true });
  const levels = image.featurePanels; // keep the import used
  const drawn = image.tensorToRaster(gray, { colormap: "magma" });
  const rgba = drawn.data;
  const pngjsEnc = () => { const p = new pngjs.PNG({ width, height }); p.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength); return pngjs.PNG.sync.write(p, { colorType: 6 }); };
  const sizeOf = (r) => `${(r.out.length / 1e6).toFixed(1)} MB`;
  let r = await time(pngjsEnc);
  row(size, "encode png (magma map)", "pngjs 7.0.0 RGBA (before)", r, sizeOf(r));
  r = await time(() => image.encodePng(gray, { colormap: "magma" }));
  row(size, "encode png (magma map)", "simdconv palette + zlib 3 (now)", r, sizeOf(r));
  r = await time(() => image.encodeRasterPng(drawn));
  row(size, "encode png (magma map)", "simdconv RGB + zlib 3", r, sizeOf(r));
  if (fastPng) { r = await time(() => fastPng.encode({ width, height, data: rgba, channels: 4 })); row(size, "encode png (magma map)", "fast-png 8.0.0 RGBA", r, sizeOf(r)); }
  if (sharp) { r = await time(() => sharp(Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength), { raw: { width, height, channels: 4 }, limitInputPixels: false }).png({ compressionLevel: 3 }).toBuffer()); row(size, "encode png (magma map)", "sharp 0.35.5 RGBA, level 3", r, sizeOf(r)); }
  for (const level of [1, 6]) {
    const raw = new Uint8Array(width * height + height);
    r = await time(() => deflateSync(raw, { level }));
    row(size, "deflate alone", `zlib level ${level} (zeros, 1 B/px)`, r);
  }
  gray.dispose();
  void levels;
}
console.log(JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }));
