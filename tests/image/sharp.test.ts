/**
 * The optional sharp decoder (decodeRasterWithSharp; the CLI uses it where `sharp` can be
 * imported): the same pixels as the portable decoders within JPEG rounding, the same
 * orientation, alpha and limits, and damaged files left to the portable path. sharp is not a
 * dependency: these tests run where it can be imported, from the project or from the folder
 * SHARP_DIR names (e.g. `npm install sharp` in /tmp/sharpmod, then
 * SHARP_DIR=/tmp/sharpmod/node_modules/sharp), and are skipped, saying so, elsewhere.
 */
import { describe, expect, it } from "vitest";
import { existsSync, mkdirSync, cpSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { decodeRaster, decodeRasterWithSharp, initCodecs, loadSharp, type SharpLike } from "../../src/image/node.js";
import type { Raster } from "../../src/image/raster.js";
import { photo } from "../../bench/image/photo.mjs";
import { jpegOf, pngOf, quadrants, withExifOrientation } from "./files.js";
import { tempDir } from "../helpers/temp.js";
import { requireBuiltCli } from "../helpers/cli.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

async function importSharp(): Promise<{ sharp?: SharpLike; dir?: string }> {
  const own = await loadSharp();
  if (own) return { sharp: own };
  const dir = process.env.SHARP_DIR;
  if (!dir) return {};
  try {
    const m = await import(pathToFileURL(join(dir, "lib/index.js")).href);
    return { sharp: (m.default ?? m) as SharpLike, dir };
  } catch {
    return {};
  }
}
const { sharp, dir: sharpDir } = await importSharp();
await initCodecs(); // the portable JPEG decoder is libjpeg (wasm), as in the CLI
if (!sharp) console.warn("tests/image/sharp.test.ts: skipped: sharp cannot be imported (not a dependency; set SHARP_DIR to a sharp package folder to run these)");

/** Largest difference of one channel between two rasters of the same size. */
function maxDiff(a: Raster, b: Raster): number {
  expect([b.width, b.height]).toEqual([a.width, a.height]);
  let max = 0;
  for (let i = 0; i < a.data.length; i++) max = Math.max(max, Math.abs(a.data[i] - b.data[i]));
  return max;
}

describe.skipIf(!sharp)("decoding with sharp", () => {
  it("gives the portable decoder's JPEG pixels within JPEG rounding, every EXIF orientation turned the same way", async () => {
    const stored = jpegOf(photo(97, 64), 88);
    for (const o of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const bytes = withExifOrientation(stored, o, o % 2 === 0);
      const portable = decodeRaster(bytes);
      const fast = (await decodeRasterWithSharp(sharp!, bytes))!;
      expect(fast, `orientation ${o}`).toBeDefined();
      expect(maxDiff(portable, fast), `orientation ${o}`).toBeLessThanOrEqual(2);
      const raw = (await decodeRasterWithSharp(sharp!, bytes, { orientation: "ignore" }))!;
      expect([raw.width, raw.height]).toEqual([97, 64]);
    }
    // Corners tell the turns apart where a smooth photo might not.
    const six = withExifOrientation(jpegOf(quadrants()), 6);
    expect(maxDiff(decodeRaster(six), (await decodeRasterWithSharp(sharp!, six))!)).toBeLessThanOrEqual(2);
  });

  it("keeps PNG alpha as stored, exactly, and reads gray and opaque PNGs as RGBA", async () => {
    const r = photo(40, 30);
    for (let i = 3; i < r.data.length; i += 4) r.data[i] = (i * 7) & 255; // every alpha value
    const rgba = pngOf(r);
    expect(Buffer.from((await decodeRasterWithSharp(sharp!, rgba))!.data)).toEqual(Buffer.from(decodeRaster(rgba).data));
    const gray = { width: 40, height: 30, data: r.data.map((v, i) => (i % 4 === 3 ? 255 : r.data[i - (i % 4)])) };
    const grayPng = pngOf(gray); // written as an RGB PNG of equal channels
    expect(Buffer.from((await decodeRasterWithSharp(sharp!, grayPng))!.data)).toEqual(Buffer.from(decodeRaster(grayPng).data));
  });

  it("checks maxPixels against the header first, and leaves a damaged file to the portable decoder", async () => {
    const bytes = jpegOf(photo(64, 48));
    await expect(decodeRasterWithSharp(sharp!, bytes, { maxPixels: 100 })).rejects.toThrow(/more than maxPixels allows/);
    expect(await decodeRasterWithSharp(sharp!, bytes.subarray(0, bytes.length >> 1))).toBeUndefined();
  });
});

describe.skipIf(!sharp)("the CLI with sharp installed beside it", () => {
  it("decodes with sharp by default, with the portable decoder under --no-sharp or SIMDCONV_SHARP=0: the same maps", async () => {
    requireBuiltCli();
    // A project as a user has it: simdconv's dist with its dependencies, and sharp.
    const project = tempDir("cli-sharp");
    cpSync(join(root, "dist"), join(project, "dist"), { recursive: true });
    writeFileSync(join(project, "package.json"), '{ "type": "module" }');
    const modules = join(project, "node_modules");
    const link = (from: string, name: string) => {
      mkdirSync(dirname(join(modules, name)), { recursive: true });
      if (existsSync(from)) symlinkSync(from, join(modules, name));
    };
    for (const dep of ["jpeg-js", "pngjs", "@jsquash/jpeg"]) link(join(root, "node_modules", dep), dep);
    const sharpModules = sharpDir ? dirname(sharpDir) : join(root, "node_modules");
    for (const dep of ["sharp", "@img", "detect-libc", "semver"]) link(join(sharpModules, dep), dep);
    writeFileSync(join(project, "p.jpg"), withExifOrientation(jpegOf(photo(120, 80), 90), 6));
    const { execFile } = await import("node:child_process");
    const node = (env: Record<string, string>, ...args: string[]) =>
      new Promise<string>((resolve, reject) =>
        execFile(process.execPath, args, { cwd: project, env: { ...process.env, ...env } }, (e, out, err) => (e ? reject(new Error(err)) : resolve(out))));
    // The bundle finds sharp from where it is installed, as the CLI's dynamic import does.
    expect((await node({}, "--input-type=module", "-e", 'console.log(typeof (await (await import("./dist/image-node.js")).loadSharp()))')).trim()).toBe("function");
    await node({}, "dist/cli.js", "extract", "p.jpg", "--relu", "--out", "with");
    await node({}, "dist/cli.js", "extract", "p.jpg", "--relu", "--no-sharp", "--out", "without");
    await node({ SIMDCONV_SHARP: "0" }, "dist/cli.js", "extract", "p.jpg", "--relu", "--out", "env");
    const read = (f: string) => decodeRaster(readFileSync(join(project, f)));
    expect(read("with/p-input.png").width).toBe(80); // turned upright by either decoder
    expect(maxDiff(read("without/p-input.png"), read("with/p-input.png"))).toBeLessThanOrEqual(2);
    expect(readFileSync(join(project, "env/p-detect.png"))).toEqual(readFileSync(join(project, "without/p-detect.png")));
  });
});

// Skipped where this checkout has sharp in its own node_modules (then there is no absence to check).
it.skipIf(sharp && !sharpDir)("where sharp cannot be imported, loadSharp resolves to undefined without a word (the portable decoders stay)", async () => {
  expect(await loadSharp()).toBeUndefined();
});
