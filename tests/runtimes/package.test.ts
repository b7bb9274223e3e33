/**
 * The package as shipped: footprint budgets, and the declarations compiled by a strict
 * consumer through the exports map.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { crossOriginIsolation } from "../browser/chromium.js";
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

  const bundle = async (contents: string, condition: string) => {
    const result = await build({
      stdin: { contents, resolveDir: consumer, loader: "js" },
      bundle: true, minify: true, format: "esm", platform: "neutral", conditions: [condition],
      mainFields: ["module", "main"], write: false, logLevel: "warning",
    });
    const js = result.outputFiles[0].contents;
    return { text: new TextDecoder().decode(js), gzip: gzipSize(js) };
  };

  it.each(["browser", "workerd"])("the ops alone (import { conv2d }) bundle to at most 32 KB gzipped, minified (%s): models tree-shake away", async (condition) => {
    const { text, gzip } = await bundle('export { conv2d } from "simdconv";', condition);
    expect(text).toContain("conv2d"); // the bundle really holds the library
    expect(text).not.toMatch(/loadLayersModel|modelTopology|BatchNormalization/);
    expect(gzip).toBeLessThanOrEqual(32 * KiB);
  });

  // Everything adds the models, the thread pool with its worker script and every op to the two
  // embedded builds; 48 KB held until the one-, two-to-four-channel and strided 1×1 conv kernels,
  // model passes on kernels and tfjs's tensor printing of 2026-11-29 (49.4 KB then).
  it.each(["browser", "workerd"])("everything (export * from simdconv, models included) is at most 52 KB gzipped, minified (%s)", async (condition) => {
    const { text, gzip } = await bundle('export * from "simdconv";', condition);
    expect(text).toContain("modelTopology");
    expect(gzip).toBeLessThanOrEqual(52 * KiB);
  });
});

describe("package shape", () => {
  it("ships every file the exports map points to, and is ESM without side effects", async () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    expect(pkg.type).toBe("module");
    expect(pkg.sideEffects).toBe(false);
    const packed = JSON.parse(await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root }));
    const files = new Set<string>(packed[0].files.map((f: { path: string }) => `./${f.path}`));
    const targets: string[] = [];
    const collect = (v: unknown): void => {
      if (typeof v === "string") targets.push(v);
      else if (v && typeof v === "object") Object.values(v).forEach(collect);
    };
    collect(pkg.exports);
    expect(targets).toContain("./dist/workerd.js");
    for (const target of targets) {
      const pattern = new RegExp(`^${target.replace(/[.]/g, "\\.").replace("*", "[^/]+")}$`);
      expect([...files].some((f) => pattern.test(f)), `${target} is not in the package`).toBe(true);
    }
  });

  it("holds only what users need: the licence, the README, the builds and their declarations", async () => {
    const packed = JSON.parse(await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root }));
    const files: string[] = packed[0].files.map((f: { path: string }) => f.path);
    expect(files).toEqual(expect.arrayContaining(["LICENSE", "README.md", "package.json"]));
    expect(files.filter((f) => !/^(dist|build)\//.test(f)).sort()).toEqual(["LICENSE", "README.md", "package.json"]);
    // Every declaration file shipped is reached from a "types" entry of the exports map.
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    const reached = new Set<string>();
    const visit = (file: string): void => {
      if (reached.has(file)) return;
      reached.add(file);
      const text = readFileSync(join(root, file), "utf8");
      for (const [, spec] of text.matchAll(/(?:from|import\()\s*["'](\.{1,2}\/[^"']+)["']/g)) {
        visit(join(dirname(file), spec.replace(/\.js$/, ".d.ts")));
      }
    };
    const types: string[] = [];
    const collect = (v: unknown, key = ""): void => {
      if (typeof v === "string" && key === "types") types.push(v.replace(/^\.\//, ""));
      else if (v && typeof v === "object") for (const [k, e] of Object.entries(v)) collect(e, k);
    };
    collect(pkg.exports);
    types.forEach(visit);
    const shipped = files.filter((f) => f.endsWith(".d.ts"));
    expect([...reached].filter((f) => !shipped.includes(f))).toEqual([]);
    // The embedded builds' declarations (64 KB of hex types), the worker script's and the CLI's
    // reach nothing (the generated kernel binding is reached, through the loader's).
    expect(shipped.filter((f) => f.startsWith("dist/cli/") || (f.endsWith(".gen.d.ts") && !reached.has(f)))).toEqual([]);
  });

  it("can be required from CommonJS on this Node (require of ES modules: Node 20.19+, 22.12+)", async () => {
    const out = await run(process.execPath, ["-e", `const { relu, tensor } = require("simdconv");
const { kernelZoo } = require("simdconv/image");
console.log(JSON.stringify([...relu(tensor([-1, 2])).dataSync(), kernelZoo().length > 0]));`]);
    expect(JSON.parse(out)).toEqual([0, 2, true]);
  });

  it.each(["index.js", "workerd.js"])("dist/%s locates nothing: no import.meta, no static import of a Node builtin", (file) => {
    // import.meta.url is undefined in some edge runtimes, and a builtin import breaks browser bundles.
    const js = readFileSync(join(root, "dist", file), "utf8");
    expect(js).not.toMatch(/import\.meta/);
    expect(js).not.toMatch(/^import .* from ["'](node:|fs|path|url|worker_threads)/m);
    expect(js).not.toMatch(/\brequire\(/);
  });
});

describe("declarations", () => {
  it.each(["nodenext", "node16", "bundler"])("compile a strict consumer (moduleResolution %s)", async (mode) => {
    await run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", `types/tsconfig.${mode}.json`]);
  });
});

describe("README's Runtimes section and docs/runtimes.md", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("<!-- section: runtimes -->"), readme.indexOf("<!-- section: threads -->"));
  const runtimes = readFileSync(join(root, "docs/runtimes.md"), "utf8");

  it("the README shows edges.mjs exactly as the tests run it", () => {
    expect(section).toContain(readFileSync(join(consumer, "edges.mjs"), "utf8").trimEnd());
  });

  it.each(["browser.html", "worker.js"])("docs/runtimes.md shows %s exactly as the tests run it", (file) => {
    expect(runtimes).toContain(readFileSync(join(consumer, file), "utf8").trimEnd());
  });

  it("both show the cross-origin isolation headers the browser tests serve", () => {
    for (const [name, value] of Object.entries(crossOriginIsolation)) {
      expect(runtimes).toContain(`"${name}": "${value}"`);
      expect(section).toContain(`${name}: ${value}`);
    }
  });
});
