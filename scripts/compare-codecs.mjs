// Decode time of a 1920×1280 JPEG and PNG to RGBA pixels: jpeg-js + pngjs against sharp.
// sharp is not a dependency, so this runs from a scratch folder (see docs/design.md, "Images"):
//   mkdir /tmp/sharp-cmp && cd /tmp/sharp-cmp && npm init -y && npm i sharp jpeg-js@0.4.4 pngjs@7.0.0
//   cp REPO/scripts/compare-codecs.mjs . && SIMDCONV=REPO flock /tmp/simdconv-bench.lock node compare-codecs.mjs
import { readFileSync, writeFileSync } from "node:fs";
import jpeg from "jpeg-js";
import pngjs from "pngjs";
import sharp from "sharp";

const repo = process.env.SIMDCONV;
if (!repo) throw new Error("set SIMDCONV to the simdconv checkout (built with npm run build)");
const { sampleScene, encodeJpeg, encodeRasterPng } = await import(`${repo}/dist/image-node.js`);
const scene = sampleScene(1920, 1280);
writeFileSync("scene.jpg", encodeJpeg(scene, { quality: 90 }));
writeFileSync("scene.png", encodeRasterPng(scene));
const jpg = readFileSync("scene.jpg"), png = readFileSync("scene.png");

const RUNS = 9;
async function median(fn) {
  await fn(); // warm-up
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[RUNS >> 1].toFixed(1);
}

const ms = {};
ms[`jpeg-js, JPEG ${jpg.length} B`] = await median(() => jpeg.decode(jpg, { useTArray: true, formatAsRGBA: true }));
ms[`pngjs, PNG ${png.length} B`] = await median(() => pngjs.PNG.sync.read(png));
ms["sharp, JPEG"] = await median(() => sharp(jpg).ensureAlpha().raw().toBuffer());
ms["sharp, PNG"] = await median(() => sharp(png).ensureAlpha().raw().toBuffer());
sharp.concurrency(1);
ms["sharp, JPEG, 1 libvips thread"] = await median(() => sharp(jpg).ensureAlpha().raw().toBuffer());
ms["sharp, PNG, 1 libvips thread"] = await median(() => sharp(png).ensureAlpha().raw().toBuffer());
console.log("median ms of", RUNS, "runs:", ms);
