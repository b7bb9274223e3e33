/**
 * The web page in Chromium: served by vite on loopback, driven with playwright-core and
 * the Chromium tests/browser/chromium.ts finds. Keeps a screenshot in test-results/web-page.png.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { createServer, type ViteDevServer } from "vite";
import { browserRequired, chromiumFound, chromiumLaunchOptions } from "../browser/chromium.js";
import { encodeRasterPng } from "../../src/image/node.js";
import { conv2dRef, maxPoolRef } from "../helpers/reference.js";
import { percentileLevels } from "../image/normalize-ref.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

// Without a browser there is nothing to test (vitest.config.ts prints how to enable it); where a
// browser is required the suite runs and fails.
const haveBrowser = Boolean(chromiumFound.path) || browserRequired();

let server: ViteDevServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

/** The page's synthetic bars (rows 4–7 of every 12 bright), as gray values. */
function pageBars(w = 64, h = 48): Float32Array {
  const a = new Float32Array(w * h);
  for (let y = 0; y < h; y++) if (y % 12 >= 4 && y % 12 < 8) a.fill(0.9999, y * w, (y + 1) * w); // gray weights sum to 0.9999
  return a;
}

/**
 * What the page should draw for a map in gray: the default normalisation, the CLI's and the
 * demo's too (0.5th–99.5th percentile of the map inside the one-pixel frame SAME padding makes).
 */
function grayPixels(values: ArrayLike<number>, h = 48, w = 64): number[] {
  return percentileLevels(values, h, w, 1);
}

async function canvas(id: string): Promise<{ width: number; height: number; red: number[]; hash: string }> {
  return page.evaluate((id) => {
    const c = document.getElementById(id) as HTMLCanvasElement;
    const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    const red: number[] = [];
    for (let i = 0; i < d.length; i += 4) red.push(d[i]);
    let hash = 0;
    for (let i = 0; i < d.length; i++) hash = (Math.imul(hash, 31) + d[i]) | 0;
    return { width: c.width, height: c.height, red, hash: `${c.width}x${c.height}:${hash}` };
  }, id);
}

/** Runs `action` and waits until the page has drawn again. */
async function rerender(action: () => Promise<unknown>): Promise<void> {
  const before = Number(await page.evaluate(() => document.body.dataset.renders ?? 0));
  await action();
  await page.waitForFunction((n) => Number(document.body.dataset.renders ?? 0) > n, before);
}

function expectPixels(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  actual.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - expected[i]))));
  expect(worst).toBeLessThanOrEqual(1);
}

const conv = (x: Float32Array, k: number[], w = 64, h = 48) =>
  conv2dRef(x, { x: [1, h, w, 1], filter: [3, 3, 1, 1], strides: [1, 1], dilations: [1, 1], pad: "same" }, undefined, "linear", k).y;

describe.skipIf(!haveBrowser)("the web page in Chromium", () => {
  beforeAll(async () => {
    server = await createServer({
      root: join(root, "web"), configFile: join(root, "web", "vite.config.ts"), logLevel: "silent",
      server: { host: "127.0.0.1", port: 0, strictPort: false },
    });
    await server.listen();
    browser = await chromium.launch(chromiumLaunchOptions);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(server.resolvedUrls!.local[0]);
    await page.waitForFunction(() => Number(document.body.dataset.renders ?? 0) >= 1, undefined, { timeout: 30_000 });
    // The dev server, Chromium and the first render take more than vitest's default 10 s on a busy host.
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("shows what capabilities() says and a time for each step", async () => {
    const caps = await page.textContent("#caps");
    expect(caps).toMatch(/SIMD on/);
    // The page is cross-origin isolated, so it turns threads on, one per core, and says how many
    // and which build runs them.
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    if (cores > 1) expect(caps).toMatch(new RegExp(`threads on \\(${cores}\\)`));
    else expect(caps).toMatch(/threads off/);
    expect(caps).toMatch(/build (relaxed-)?simd(-threads)?\b/);
    for (const step of ["filter", "detect", "condense"]) expect(await page.textContent(`#time-${step}`)).toMatch(/^\d+\.\d\d ms$/);
    expect((await canvas("image")).width).toBe(480);
  });

  it("draws the known synthetic input's maps with the expected pixel values", async () => {
    await rerender(() => page.selectOption("#colormap", "gray"));
    await rerender(() => page.selectOption("#source", "bars"));
    const bars = pageBars();
    const filtered = conv(bars, [-1, -1, -1, -1, 8, -1, -1, -1, -1]);
    const detected = filtered.map((v) => Math.max(0, v));
    expectPixels((await canvas("image")).red, Array.from(bars, (v) => Math.round(v * 255)));
    expectPixels((await canvas("filter")).red, grayPixels(filtered));
    expectPixels((await canvas("detect")).red, grayPixels(detected));
    const pooled = maxPoolRef(detected, [1, 48, 64, 1], [2, 2], [2, 2], "same");
    const condense = await canvas("condense");
    expect([condense.width, condense.height]).toEqual([32, 24]);
    expectPixels(condense.red, grayPixels(pooled.y, 24, 32));
  });

  it("switching kernels redraws the maps with the new kernel", async () => {
    const before = await canvas("filter");
    await rerender(() => page.selectOption("#kernel", "sobel-top"));
    const after = await canvas("filter");
    expect(after.hash).not.toBe(before.hash);
    expectPixels(after.red, grayPixels(conv(pageBars(), [1, 2, 1, 0, 0, 0, -1, -2, -1])));
    expect(await page.inputValue('#grid input[data-row="0"][data-col="1"]')).toBe("2");
  });

  it("typing into the grid updates the maps as you type, and flags what is not a number", async () => {
    const before = await canvas("filter");
    await rerender(() => page.fill('#grid input[data-row="1"][data-col="1"]', "3"));
    expect(await page.inputValue("#kernel")).toBe("custom");
    const after = await canvas("filter");
    expect(after.hash).not.toBe(before.hash);
    expectPixels(after.red, grayPixels(conv(pageBars(), [1, 2, 1, 0, 3, 0, -1, -2, -1])));
    const renders = await page.evaluate(() => document.body.dataset.renders);
    await page.fill('#grid input[data-row="0"][data-col="0"]', "abc");
    expect(await page.textContent("#kernel-error")).toMatch(/row 1, column 1: "abc" is not a number/);
    expect(await page.evaluate(() => document.body.dataset.renders)).toBe(renders);
    await rerender(() => page.fill('#grid input[data-row="0"][data-col="0"]', "1"));
    expect(await page.textContent("#kernel-error")).toBe("");
  });

  it("a 5×5 grid keeps the kernel at its centre", async () => {
    const before = await canvas("filter");
    await rerender(() => page.selectOption("#size", "5"));
    expect(await page.locator("#grid input").count()).toBe(25);
    expect((await canvas("filter")).hash).toBe(before.hash); // zeros around change nothing
    await rerender(() => page.fill('#grid input[data-row="0"][data-col="2"]', "1"));
    expect((await canvas("filter")).hash).not.toBe(before.hash);
  });

  it("takes an uploaded image", async () => {
    const dir = mkdtempSync(join(tmpdir(), "simdconv-web-"));
    const [w, h] = [20, 12];
    const data = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) data.set([(i * 37) % 256, (i * 37) % 256, (i * 37) % 256, 255], i * 4);
    writeFileSync(join(dir, "upload.png"), encodeRasterPng({ width: w, height: h, data }));
    await rerender(() => page.setInputFiles("#upload", join(dir, "upload.png")));
    const image = await canvas("image");
    expect([image.width, image.height]).toEqual([w, h]);
    expectPixels(image.red, Array.from({ length: w * h }, (_, i) => ((i * 37) % 256) * 0.9999));
    rmSync(dir, { recursive: true, force: true });
  });

  it("fromPixels reads ImageData, a canvas, an <img> and an ImageBitmap alike; toImageData goes back", async () => {
    // Loaded by a module script of the page's own (vitest rewrites import() inside evaluate).
    await page.addScriptTag({ type: "module", content: `import * as m from "/@fs${root}src/image/browser.ts"; window.simdconvImage = m;` });
    await page.waitForFunction(() => "simdconvImage" in window);
    const result = await page.evaluate(async () => {
      const image = (window as unknown as { simdconvImage: typeof import("../../src/image/browser.js") }).simdconvImage;
      const canvas = document.createElement("canvas");
      [canvas.width, canvas.height] = [4, 3];
      const ctx = canvas.getContext("2d")!;
      const colours = ["#ff0000", "#00ff00", "#0000ff", "#336699"];
      colours.forEach((c, i) => ((ctx.fillStyle = c), ctx.fillRect(i, 0, 1, 3)));
      const img = new Image();
      img.src = canvas.toDataURL("image/png");
      await img.decode();
      const sources = {
        imageData: ctx.getImageData(0, 0, 4, 3), canvas, img, bitmap: await createImageBitmap(canvas),
      };
      const read: Record<string, number[]> = {};
      for (const [name, source] of Object.entries(sources)) {
        const t = image.fromPixels(source, { channels: "rgb", batch: true });
        read[name] = [...t.shape, ...Array.from(t.dataSync()).slice(0, 12).map((v) => Math.round(v * 255))];
        t.dispose();
      }
      const gray = image.fromPixels(canvas, { channels: "gray" });
      const back = image.toImageData(gray, { colormap: "gray", normalize: [0, 1] });
      const drawn = image.toCanvas(gray, undefined, { colormap: "gray", normalize: [0, 1] });
      gray.dispose();
      let error = "";
      try {
        image.fromPixels(null as never);
      } catch (e) {
        error = `${(e as Error).name}: ${(e as Error).message}`;
      }
      return { error, read, back: [back.width, back.height, ...Array.from(back.data.slice(0, 16))], drawn: [drawn.width, drawn.height] };
    });
    // One row of the four columns: red, green, blue, #336699.
    const expected = [1, 3, 4, 3, 255, 0, 0, 0, 255, 0, 0, 0, 255, 0x33, 0x66, 0x99];
    for (const name of ["imageData", "canvas", "img", "bitmap"]) expect(result.read[name]).toEqual(expected);
    const luma = (r: number, g: number, b: number) => Math.round(0.2989 * r + 0.587 * g + 0.114 * b);
    const grays = [luma(255, 0, 0), luma(0, 255, 0), luma(0, 0, 255), luma(0x33, 0x66, 0x99)];
    expect(result.back).toEqual([4, 3, ...grays.flatMap((v) => [v, v, v, 255])]);
    expect(result.drawn).toEqual([4, 3]);
    expect(result.error).toMatch(/^TypeError: source must be/);
  });

  it("renders the sample with the edge kernel without page errors, and keeps a screenshot", async () => {
    await rerender(() => page.selectOption("#source", "sample"));
    await rerender(() => page.selectOption("#colormap", "magma"));
    await rerender(() => page.selectOption("#kernel", "edge"));
    mkdirSync(join(root, "test-results"), { recursive: true });
    await page.screenshot({ path: join(root, "test-results", "web-page.png"), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
