/**
 * The package as shipped: footprint budgets, and the declarations compiled by a strict
 * consumer through the exports map.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { consumer, linkConsumer, root, run } from "./harness.js";

const KiB = 1024;
const gzipSize = (bytes: Uint8Array): number => gzipSync(bytes, { level: 9 }).length;

beforeAll(linkConsumer);

describe("footprint budgets", () => {
  it("all shipped .wasm builds together are at most 64 KB gzipped", () => {
    const dir = join(root, "build");
    const wasm = readdirSync(dir).filter((f) => f.endsWith(".wasm"));
    expect(wasm.length).toBeGreaterThanOrEqual(4);
    const total = wasm.reduce((sum, f) => sum + gzipSize(readFileSync(join(dir, f))), 0);
    expect(total).toBeLessThanOrEqual(64 * KiB);
  });

  it.each(["browser", "workerd"])("the JS an import of simdconv loads (%s) is at most 32 KB gzipped, minified", async (condition) => {
    const result = await build({
      stdin: { contents: 'export * from "simdconv";', resolveDir: consumer, loader: "js" },
      bundle: true, minify: true, format: "esm", platform: "neutral", conditions: [condition],
      mainFields: ["module", "main"], write: false, logLevel: "warning",
    });
    const js = result.outputFiles[0].contents;
    expect(new TextDecoder().decode(js)).toContain("conv2d"); // the bundle really holds the library
    expect(gzipSize(js)).toBeLessThanOrEqual(32 * KiB);
  });
});

describe("declarations", () => {
  it.each(["nodenext", "bundler"])("compile a strict consumer (moduleResolution %s)", async (mode) => {
    await run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", `types/tsconfig.${mode}.json`]);
  });
});
