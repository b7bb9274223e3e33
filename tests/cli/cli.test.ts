/** The `simdconv` command end to end: the built dist/cli.js, run in a temporary folder. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeRaster, encodeRasterPng } from "../../src/image/node.js";
import { conv2dRef } from "../helpers/reference.js";
import { BARS_16, barsRaster, barsValues } from "../image/bars.js";
import { percentileLevels } from "../image/normalize-ref.js";
import { jpegOf, pngClaiming } from "../image/files.js";
import { photo } from "../../bench/image/photo.mjs";
import { cliPath, requireBuiltCli, runCli } from "../helpers/cli.js";

let dir: string;

const run = (...args: string[]) => runCli(dir, ...args);

const png = (name: string) => decodeRaster(readFileSync(join(dir, name)));
const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at /m);

beforeAll(() => {
  requireBuiltCli();
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
    const bin = fileURLToPath(new URL(`../../node_modules/.bin/${runtime}`, import.meta.url));
    const args = runtime === "deno" ? ["run", "-A", cliPath, "demo", "--out", runtime] : [cliPath, "demo", "--out", runtime];
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

describe("the wasm build the CLI runs", () => {
  const demoBuild = (env: Record<string, string>) =>
    new Promise<string>((resolve) => {
      execFile(process.execPath, [cliPath, "demo", "--out", "build-check"], { cwd: dir, env: { ...process.env, NO_COLOR: "1", ...env } }, (_err, stdout) =>
        resolve(/wasm build (\S+),/.exec(stdout)?.[1] ?? `no build in: ${stdout}`));
    });
  it("is the relaxed-SIMD one on Node 20 without flags, and the plain one with SIMDCONV_RELAXED=0", async () => {
    expect(await demoBuild({})).toBe("relaxed-simd");
    if (Number(process.versions.node.split(".")[0]) < 22) expect(await demoBuild({ SIMDCONV_RELAXED: "0" })).toBe("simd");
  });
});

describe("a reader that closes the pipe early", () => {
  it("ends the demo quietly with status 0 (as `simdconv demo | head -1`)", async () => {
    const { spawn } = await import("node:child_process");
    const child = spawn(process.execPath, [cliPath, "demo", "--out", "pipe-check"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
  });
});

describe("simdconv extract", () => {
  it("writes maps whose pixels are the min–max normalised feature values", async () => {
    const r = await run("extract", "bars.png", "--relu", "--colormap", "gray", "--normalize", "minmax", "--out", "plain");
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
    const r = await run("extract", "bars.png", "--kernel", "[[0,0,0],[0,2,0],[0,0,0]]", "--colormap", "gray", "--normalize", "minmax", "--out", "json");
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

  it("normalises by percentile inside the padded frame by default; --normalize picks another mode", async () => {
    // Bars 16×10: the default's statistics skip the one-pixel frame, then clip it.
    expect((await run("extract", "bars.png", "--colormap", "gray", "--out", "norm-default")).code).toBe(0);
    const ref = conv2dRef(barsValues(16, 10, BARS_16), { x: [1, 16, 10, 1], filter: [3, 3, 1, 1], strides: [1, 1], dilations: [1, 1], pad: "same" }, undefined, "linear", [-1, -1, -1, -1, 8, -1, -1, -1, -1]);
    const expected = percentileLevels(ref.y, 16, 10, 1);
    const got = png("norm-default/bars-filter.png");
    ref.y.forEach((_, i) => expect(Math.abs(got.data[i * 4] - expected[i])).toBeLessThanOrEqual(1));
    expect((await run("extract", "bars.png", "--colormap", "gray", "--normalize", "fixed:0,3", "--out", "norm-fixed")).code).toBe(0);
    const fixed = png("norm-fixed/bars-filter.png");
    ref.y.forEach((v, i) => expect(Math.abs(fixed.data[i * 4] - Math.min(255, Math.max(0, (v / 3) * 255)))).toBeLessThanOrEqual(1));
    expect((await run("extract", "bars.png", "--colormap", "gray", "--normalize", "percentile:10,90", "--out", "norm-p")).code).toBe(0);
    const p = png("norm-p/bars-filter.png");
    const pe = percentileLevels(ref.y, 16, 10, 1, [10, 90]);
    ref.y.forEach((_, i) => expect(Math.abs(p.data[i * 4] - pe[i])).toBeLessThanOrEqual(1));
  });

  it("shows a smooth photo's interior instead of the bright frame zero padding makes", async () => {
    // Broad gradients, as in a large or upscaled photo: inside, the edge kernel gives little;
    // on the frame, zero padding gives up to 3 (8 − 5 neighbours of a bright pixel).
    const [w, h] = [120, 80];
    const data = new Uint8Array(w * h * 4);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const v = 150 + 60 * Math.sin(x / 9) * Math.cos(y / 7);
      data.set([v, v, v, 255], (y * w + x) * 4);
    }
    writeFileSync(join(dir, "smooth.png"), encodeRasterPng({ width: w, height: h, data }));
    const medianInside = (name: string) => {
      const r = png(name), v: number[] = [];
      for (let y = 2; y < h - 2; y++) for (let x = 2; x < w - 2; x++) v.push(r.data[(y * w + x) * 4]);
      return v.sort((a, b) => a - b)[v.length >> 1];
    };
    expect((await run("extract", "smooth.png", "--colormap", "gray", "--out", "smooth")).code).toBe(0);
    expect((await run("extract", "smooth.png", "--colormap", "gray", "--normalize", "minmax", "--out", "smooth-mm")).code).toBe(0);
    expect(medianInside("smooth-mm/smooth-filter.png")).toBeLessThan(40); // the artefact: nearly black
    expect(medianInside("smooth/smooth-filter.png")).toBeGreaterThan(80); // the default shows the interior
  });

  it("writes no kernel pictures when every input failed", async () => {
    const r = await run("extract", "missing.jpg", "--out", "allfailed");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/missing\.jpg: no such file/);
    expect(existsSync(join(dir, "allfailed/kernel-edge.png"))).toBe(false);
    expect(r.stdout).not.toMatch(/kernel edge/);
  });

  it("says so when --out is a file", async () => {
    writeFileSync(join(dir, "taken"), "a file");
    const r = await run("extract", "bars.png", "--out", "taken");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--out taken is a file, not a folder/);
    expect(r.stderr).not.toMatch(/EEXIST/);
    const under = await run("extract", "bars.png", "--out", "taken/sub");
    expect(under.stderr).toMatch(/--out taken\/sub: part of this path is a file/);
    const demo = await run("demo", "--out", "taken");
    expect(demo.stderr).toMatch(/is a file, not a folder/);
    noStackTrace(r.stderr + under.stderr + demo.stderr);
  });

  it("refuses a PNG whose header claims 60000×60000 at once, and --max-pixels sets the limit", async () => {
    writeFileSync(join(dir, "bomb.png"), pngClaiming(60000, 60000));
    const t0 = Date.now();
    const r = await run("extract", "bomb.png", "--out", "bomb");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bomb\.png: the image is 60000×60000 \(3600\.0 MP\), more than maxPixels allows.*--max-pixels 3600000000/);
    expect(Date.now() - t0).toBeLessThan(15_000); // a node start on a loaded host; the decode itself is ~1 ms
    noStackTrace(r.stderr);
    const small = await run("extract", "bars.png", "--max-pixels", "100", "--out", "maxpx");
    expect(small.code).toBe(1);
    expect(small.stderr).toMatch(/10×16 \(0\.0 MP\).*--max-pixels 160/);
    expect((await run("extract", "bars.png", "--max-pixels", "160", "--out", "maxpx")).code).toBe(0);
    expect((await run("extract", "bars.png", "--max-pixels", "lots")).stderr).toMatch(/--max-pixels must be a positive integer/);
  });

  it("says in one line when it paints transparency over white, and warns about a damaged JPEG it could still read", async () => {
    const data = new Uint8Array(16 * 10 * 4).fill(255);
    for (let i = 3; i < data.length; i += 8) data[i] = 0;
    writeFileSync(join(dir, "clear.png"), encodeRasterPng({ width: 16, height: 10, data }));
    const r = await run("extract", "clear.png", "--out", "alpha");
    expect(r.code).toBe(0);
    expect(r.stdout.match(/clear\.png: has transparency; painted over white/g)).toHaveLength(1);
    const jpg = jpegOf(photo(64, 48), 85);
    writeFileSync(join(dir, "cut.jpg"), jpg.subarray(0, Math.floor(jpg.length * 0.7)));
    const cut = await run("extract", "cut.jpg", "--out", "cut");
    expect(cut.code).toBe(0);
    expect(cut.stderr).toMatch(/cut\.jpg: warning: the JPEG file is damaged.*decoded as far as its data goes/);
    expect(existsSync(join(dir, "cut/cut-sheet.png"))).toBe(true);
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
    [["extract", "bars.png", "--normalize", "median"], /--normalize must be percentile, percentile:P,Q, minmax or fixed:LO,HI/],
    [["extract", "bars.png", "--normalize", "fixed:2,1"], /fixed:LO,HI needs numbers LO < HI/],
    [["extract", "bars.png", "--normalize", "percentile:0,101"], /percentile:P,Q needs 0 <= P < Q <= 100/],
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

  it("--version prints the package's version", async () => {
    const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    const r = await run("--version");
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`simdconv ${version}`);
  });

  it("no command prints usage and exits 2", async () => {
    const r = await run();
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/Usage/);
  });
});
