/**
 * The web page's model picker in Chromium: a small model made with tfjs-layers is written as
 * model.json + .bin to a folder, chosen through the page's `<input type=file multiple>`, and the
 * page must list its layers and draw the chosen layer's kernels (kernelGrid) and its feature
 * maps for the page's image (featureMapGrid): the same pixels simdconv draws in Node from the
 * same files and the same input.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { createServer, type ViteDevServer } from "vite";
import * as sc from "../../src/index.js";
import { featureMapGridRaster, kernelGridRaster } from "../../src/image/grid.js";
import { rasterToTensor, type Raster } from "../../src/image/raster.js";
import { browserRequired, chromiumFound, chromiumLaunchOptions } from "../browser/chromium.js";
import { save, seedWeights, tfl, writeFolder } from "../models/helpers.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const haveBrowser = Boolean(chromiumFound.path) || browserRequired();

let server: ViteDevServer;
let browser: Browser;
let page: Page;
let folder: string;
let model: sc.LayersModel;
const pageErrors: string[] = [];

/** The page's synthetic bars (web/main.ts's barsImage): bright rows 4–7 of every 12, 64×48. */
function bars(width = 64, height = 48): Raster {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const v = y % 12 >= 4 && y % 12 < 8 ? 255 : 0;
    for (let x = 0; x < width; x++) data.set([v, v, v, 255], (y * width + x) * 4);
  }
  return { width, height, data };
}

/** A canvas's RGBA pixels, carried out of the page as base64 (an array of numbers is slow to pass). */
async function canvasPixels(id: string): Promise<{ width: number; height: number; data: Uint8Array }> {
  const r = await page.evaluate((id) => {
    const c = document.getElementById(id) as HTMLCanvasElement;
    const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    let s = "";
    for (let i = 0; i < d.length; i += 0x8000) s += String.fromCharCode(...d.subarray(i, i + 0x8000));
    return { width: c.width, height: c.height, base64: btoa(s) };
  }, id);
  return { width: r.width, height: r.height, data: new Uint8Array(Buffer.from(r.base64, "base64")) };
}

/** Runs `action` and waits until the page has drawn the model view again. */
async function redraw(action: () => Promise<unknown>): Promise<void> {
  const before = Number(await page.evaluate(() => document.body.dataset.modelRenders ?? 0));
  await action();
  await page.waitForFunction((n) => Number(document.body.dataset.modelRenders ?? 0) > n, before, { timeout: 30_000 });
}

/** The canvas holds `want`'s pixels, each channel within 1 (a float's last bit may move a level). */
async function expectCanvas(id: string, want: Raster): Promise<void> {
  const got = await canvasPixels(id);
  expect([got.width, got.height]).toEqual([want.width, want.height]);
  let worst = 0;
  got.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - want.data[i]))));
  expect(worst).toBeLessThanOrEqual(1);
}

/** What the page should draw for `layer`: its kernels and its first (at most 16) maps for the bars, in gray. */
function expected(layer: string): { kernels?: Raster; maps?: Raster; shape: number[] } {
  const ws = model.getLayer(layer).getWeights();
  const x = rasterToTensor(bars(), { channels: "gray", batch: true });
  const [y] = model.predict(x, { outputs: [layer] });
  try {
    const kernels = ws[0]?.rank === 4 ? kernelGridRaster(ws[0], { columns: 8 }) : undefined;
    const maps = y.rank === 4
      ? featureMapGridRaster(y, { channels: Array.from({ length: Math.min(16, y.shape[3]) }, (_, i) => i), colormap: "gray" })
      : undefined;
    return { kernels, maps, shape: y.shape };
  } finally {
    sc.dispose([x, y, ...ws]);
  }
}

describe.skipIf(!haveBrowser)("the web page's model picker in Chromium", () => {
  beforeAll(async () => {
    const m = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [48, 64, 1], filters: 6, kernelSize: 3, padding: "same", activation: "relu", name: "conv_a" }),
        tfl.layers.maxPooling2d({ name: "pool" }),
        tfl.layers.conv2d({ filters: 20, kernelSize: 3, activation: "elu", name: "conv_b" }),
        tfl.layers.flatten({ name: "flat" }),
        tfl.layers.dense({ units: 3, activation: "softmax", name: "head" }),
      ],
    });
    seedWeights(m, 31);
    const json = writeFolder(await save(m));
    m.dispose();
    folder = dirname(json);
    model = await sc.loadLayersModel(json);
    server = await createServer({
      root: join(root, "web"), configFile: join(root, "web", "vite.config.ts"), logLevel: "silent",
      server: { host: "127.0.0.1", port: 0, strictPort: false },
    });
    await server.listen();
    browser = await chromium.launch(chromiumLaunchOptions);
    page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(server.resolvedUrls!.local[0]);
    await page.waitForFunction(() => Number(document.body.dataset.renders ?? 0) >= 1, undefined, { timeout: 60_000 });
    for (const [id, value] of [["#source", "bars"], ["#colormap", "gray"]]) {
      const n = Number(await page.evaluate(() => document.body.dataset.renders));
      await page.selectOption(id, value);
      await page.waitForFunction((n) => Number(document.body.dataset.renders) > n, n);
    }
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    model?.dispose();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it("loads the chosen model.json and .bin, lists its layers and starts on the first conv", async () => {
    await redraw(() => page.setInputFiles("#model-files", [join(folder, "model.json"), join(folder, "group1-shard1of1.bin")]));
    expect(await page.textContent("#model-error")).toBe("");
    const options = await page.$$eval("#layer option", (os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options).toEqual(["conv_a", "pool", "conv_b", "flat", "head"]);
    expect(await page.inputValue("#layer")).toBe("conv_a");
    expect(await page.textContent("#model-info")).toMatch(/5 layers, \d+ parameters, input \[null,48,64,1\]/);
    expect(await page.isVisible("#model-view")).toBe(true);
  });

  it("draws conv_a's 6 kernels and its 6 feature maps for the bars, as simdconv draws them in Node", async () => {
    const want = expected("conv_a");
    await expectCanvas("model-kernels", want.kernels!);
    await expectCanvas("model-features", want.maps!);
    expect(await page.textContent("#time-model")).toMatch(/ms · \[1,48,64,6\], 6 of 6 maps$/);
  });

  it("another layer: conv_b draws its first 16 of 20 maps; a pool has no kernels; the softmax head has no maps", async () => {
    await redraw(() => page.selectOption("#layer", "conv_b"));
    const b = expected("conv_b");
    await expectCanvas("model-kernels", b.kernels!);
    await expectCanvas("model-features", b.maps!);
    expect(await page.textContent("#time-model")).toMatch(/\[1,22,30,20\], 16 of 20 maps$/);
    await redraw(() => page.selectOption("#layer", "pool"));
    expect(await page.textContent(".model-kernels figcaption")).toBe("pool has no kernels");
    await expectCanvas("model-features", expected("pool").maps!);
    await redraw(() => page.selectOption("#layer", "head"));
    expect(await page.textContent("#time-model")).toMatch(/\[1,3\]: not an image, no maps$/);
  });

  it("a new image redraws the chosen layer's maps", async () => {
    await redraw(() => page.selectOption("#layer", "conv_a"));
    await redraw(() => page.selectOption("#source", "sample"));
    const maps = await canvasPixels("model-features");
    // The sample is resized to the model's 64×48 input, so the grid keeps its size but not its pixels.
    const bar = expected("conv_a").maps!;
    expect([maps.width, maps.height]).toEqual([bar.width, bar.height]);
    expect(maps.data.some((v, i) => Math.abs(v - bar.data[i]) > 1)).toBe(true);
  });

  it("a .bin without its model.json is refused with the loader's message; the loaded model stays", async () => {
    await redraw(() => page.setInputFiles("#model-files", [join(folder, "group1-shard1of1.bin")]));
    expect(await page.textContent("#model-error")).toMatch(/no \.json file; choose the model\.json together with its \.bin shards/);
    expect(await page.inputValue("#layer")).toBe("conv_a");
    expect(pageErrors).toEqual([]);
  });
});
