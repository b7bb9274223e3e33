/** The `simdconv` command end to end: the built dist/cli.js, run in a temporary folder. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeRaster, encodeRasterPng } from "../src/image/node.js";
import { conv2dRef } from "./reference.js";
import { BARS_16, barsRaster, barsValues } from "./image/bars.js";

const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
let dir: string;

function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: "1" } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

const png = (name: string) => decodeRaster(readFileSync(join(dir, name)));
const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at /m);

beforeAll(() => {
  if (!existsSync(cli)) throw new Error("dist/cli.js is missing: run `npm run build` (npm test does) first");
  dir = mkdtempSync(join(tmpdir(), "simdconv-cli-"));
  writeFileSync(join(dir, "bars.png"), encodeRasterPng(barsRaster(16, 10, BARS_16)));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("simdconv demo", () => {
  it("writes the sample photo and every step's picture to ./simdconv-demo", async () => {
    const r = await run("demo");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/SIMD on/);
    const out = "simdconv-demo";
    expect([png(`${out}/sample-input.png`).width, png(`${out}/sample-input.png`).height]).toEqual([480, 320]);
    expect(png(`${out}/sample-filter.png`).width).toBe(480);
    expect(png(`${out}/sample-detect.png`).width).toBe(480);
    expect([png(`${out}/sample-condense.png`).width, png(`${out}/sample-condense.png`).height]).toEqual([240, 160]);
    expect(png(`${out}/kernel-edge.png`).width).toBe(192);
    expect(readFileSync(join(dir, out, "kernel-edge.svg"), "utf8")).toContain(">8<");
    expect(png(`${out}/sample-sheet.png`).width).toBeGreaterThan(480 * 3);
    expect(readFileSync(join(dir, out, "sample.jpg")).subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
  });

  it("honours --out", async () => {
    const r = await run("demo", "--out", "elsewhere");
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, "elsewhere", "sample-sheet.png"))).toBe(true);
  });
});

describe("other runtimes", () => {
  // The point of pure-JS codecs: the same dist/cli.js runs where native addons may not.
  it.each(["bun", "deno"])("the demo runs under %s", async (runtime) => {
    const bin = fileURLToPath(new URL(`../node_modules/.bin/${runtime}`, import.meta.url));
    const args = runtime === "deno" ? ["run", "-A", cli, "demo", "--out", runtime] : [cli, "demo", "--out", runtime];
    const code = await new Promise<number>((resolve) => execFile(bin, args, { cwd: dir }, (err) => resolve(err ? 1 : 0)));
    expect(code).toBe(0);
    const condensed = png(`${runtime}/sample-condense.png`);
    expect([condensed.width, condensed.height]).toEqual([240, 160]);
    // Same kernels, same codecs: the same pixels as under Node, give or take one level
    // (a runtime with relaxed SIMD fuses multiply-adds, which can round differently).
    if (!existsSync(join(dir, "node/sample-condense.png"))) expect((await run("demo", "--out", "node")).code).toBe(0);
    const reference = png("node/sample-condense.png").data;
    let worst = 0;
    condensed.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - reference[i]))));
    expect(worst).toBeLessThanOrEqual(1);
  });
});

describe("simdconv extract", () => {
  it("writes maps whose pixels are the min–max normalised feature values", async () => {
    const r = await run("extract", "bars.png", "--relu", "--colormap", "gray", "--out", "plain");
    expect(r.code).toBe(0);
    const ref = conv2dRef(barsValues(16, 10, BARS_16), { x: [1, 16, 10, 1], filter: [3, 3, 1, 1], strides: [1, 1], dilations: [1, 1], pad: "same" }, undefined, "relu", [-1, -1, -1, -1, 8, -1, -1, -1, -1]);
    const max = Math.max(...ref.y);
    const detect = png("plain/bars-detect.png");
    expect([detect.width, detect.height]).toEqual([10, 16]);
    ref.y.forEach((v, i) => {
      expect(Math.abs(detect.data[i * 4] - (v / max) * 255)).toBeLessThanOrEqual(1);
      expect(detect.data[i * 4 + 1]).toBe(detect.data[i * 4]); // gray: R = G = B
    });
    expect(existsSync(join(dir, "plain/bars-condense.png"))).toBe(false); // no --pool, no condensed map
  });

  it("applies --kernel, --pool, --stride and --colormap magma", async () => {
    const r = await run("extract", "bars.png", "--kernel", "sobel-left", "--relu", "--pool", "3", "--stride", "2", "--colormap", "magma", "--out", "opts");
    expect(r.code).toBe(0);
    const filter = png("opts/bars-filter.png");
    expect([filter.width, filter.height]).toEqual([5, 8]); // stride 2, SAME: ceil(10/2) × ceil(16/2)
    const condense = png("opts/bars-condense.png");
    expect([condense.width, condense.height]).toEqual([2, 3]); // pool 3: ceil(5/3) × ceil(8/3)
    expect(existsSync(join(dir, "opts/kernel-sobel-left.png"))).toBe(true);
    // Magma's darkest colour, not gray's black, at the map's minimum.
    const colours = new Set<string>();
    for (let i = 0; i < filter.data.length; i += 4) colours.add(Array.from(filter.data.subarray(i, i + 3)).join());
    expect(colours.has("0,0,4")).toBe(true);
  });

  it("takes a kernel as JSON", async () => {
    const r = await run("extract", "bars.png", "--kernel", "[[0,0,0],[0,2,0],[0,0,0]]", "--colormap", "gray", "--out", "json");
    expect(r.code).toBe(0);
    const filter = png("json/bars-filter.png");
    // 2× the image, min–max normalised, is the image: 255 on the bars, 0 elsewhere.
    barsValues(16, 10, BARS_16).forEach((v, i) => expect(filter.data[i * 4]).toBe(v * 255));
    expect(existsSync(join(dir, "json/kernel-custom.svg"))).toBe(true);
  });

  it("runs a batch past its bad files, names each problem and exits 1", async () => {
    writeFileSync(join(dir, "notes.png"), "this is text, not a picture");
    const r = await run("extract", "missing.jpg", "notes.png", "bars.png", "--out", "batch");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/missing\.jpg: no such file/);
    expect(r.stderr).toMatch(/notes\.png: bytes are not a PNG or JPEG image/);
    expect(r.stderr).toMatch(/\[#+\] 3\/3/); // the progress bar reached the end
    noStackTrace(r.stderr);
    expect(existsSync(join(dir, "batch/bars-sheet.png"))).toBe(true);
  });

  it("gives two inputs with the same name their own files", async () => {
    const r = await run("extract", "bars.png", "./bars.png", "--out", "same");
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, "same/bars-sheet.png")) && existsSync(join(dir, "same/bars-2-sheet.png"))).toBe(true);
  });

  it.each([
    [["extract", "bars.png", "--kernel", "blurry"], /unknown kernel "blurry"; known: edge/],
    [["extract", "bars.png", "--kernel", "[[1,2],[3]]"], /ragged/],
    [["extract", "bars.png", "--pool", "two"], /--pool must be an integer/],
    [["extract", "bars.png", "--colormap", "jet"], /--colormap must be gray or magma/],
    [["extract", "bars.png", "--frobnicate"], /Unknown option '--frobnicate'/],
    [["extract"], /at least one image/],
    [["resize"], /unknown command 'resize'/],
  ])("%j is a usage error (exit 2) with a clear message", async (args, message) => {
    const r = await run(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/--help' for usage/);
    noStackTrace(r.stderr);
  });
});

describe("help", () => {
  it.each([
    [["--help"], /simdconv extract <image…>/],
    [["help"], /simdconv demo/],
    [["extract", "--help"], /--kernel NAME\|JSON/],
    [["demo", "-h"], /--out DIR/],
    [["kernels"], /sobel-top/],
  ])("%j prints usage and exits 0", async (args, text) => {
    const r = await run(...args);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(text);
  });

  it("no command prints usage and exits 2", async () => {
    const r = await run();
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/Usage/);
  });
});
