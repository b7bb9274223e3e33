/** simdconv/image as a user gets it: the built bundles, through the package's exports map. */
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dist = (f: string) => `${root}dist/${f}`;

describe("the simdconv/image export", () => {
  it("in Node resolves to the pngjs/jpeg-js build, sharing the main import's Tensor and memory", () => {
    expect(existsSync(dist("image-node.js"))).toBe(true);
    const script = `
      const main = await import("simdconv");
      const image = await import("simdconv/image");
      const t = image.rasterToTensor(image.sampleScene(32, 16), { channels: "gray", batch: true });
      const y = main.relu(main.conv2d(t, image.kernelTensor(image.resolveKernel("edge").values), 1, "same"));
      console.log(JSON.stringify({ same: t instanceof main.Tensor, shape: y.shape, png: typeof image.encodePng, fromPixels: typeof image.fromPixels }));`;
    const out = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" }));
    expect(out).toEqual({ same: true, shape: [1, 16, 32, 1], png: "function", fromPixels: "undefined" });
  });

  it("in a browser bundle resolves to the canvas build, without Node codecs", async () => {
    const result = await build({
      stdin: { contents: `export { fromPixels, toCanvas, showKernel } from "simdconv/image";`, resolveDir: root },
      bundle: true, write: false, platform: "browser", format: "esm", logLevel: "silent",
    });
    const code = result.outputFiles[0].text;
    expect(code).toContain("OffscreenCanvas");
    expect(code).not.toMatch(/pngjs|jpeg-js|node:fs/);
  });

  it("stays out of the main bundle, which keeps no image or CLI code", () => {
    const main = readFileSync(dist("index.js"), "utf8");
    expect(main).not.toMatch(/pngjs|jpeg-js|sampleScene|kernelZoo|parseArgs/);
  });
});
