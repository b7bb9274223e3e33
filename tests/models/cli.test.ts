/** `simdconv model summary|features|kernels` end to end: the built dist/cli.js on a model saved by tfjs-layers. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeRaster, encodeRasterPng, featureMapGrid, kernelGrid, newRaster, rasterToTensor, resizeRaster, tensorToRaster } from "../../src/image/node.js";
import * as sc from "../../src/index.js";
import { save, seedWeights, tfl } from "./helpers.js";
import { requireBuiltCli, runCli } from "../helpers/cli.js";

let dir: string;

const run = (...args: string[]) => runCli(dir, ...args);
const png = (name: string) => decodeRaster(readFileSync(join(dir, name)));

beforeAll(async () => {
  requireBuiltCli();
  dir = mkdtempSync(join(tmpdir(), "simdconv-cli-model-"));
  const m = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [12, 12, 3], filters: 4, kernelSize: 3, activation: "relu", name: "c1" }),
      tfl.layers.conv2d({ filters: 5, kernelSize: 3, name: "c2" }),
      tfl.layers.flatten({ name: "flat" }),
    ],
  });
  seedWeights(m, 51);
  const a = await save(m);
  writeFileSync(join(dir, "model.json"), JSON.stringify({ modelTopology: a.modelTopology, weightsManifest: [{ paths: ["w.bin"], weights: a.weightSpecs }] }));
  writeFileSync(join(dir, "w.bin"), new Uint8Array(a.weightData));
  const r = newRaster(20, 16);
  for (let i = 0; i < 20 * 16; i++) r.data.set([(i * 7) % 256, (i * 3) % 256, i % 256, 255], i * 4);
  writeFileSync(join(dir, "photo.png"), encodeRasterPng(r));
  m.dispose();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("simdconv model", () => {
  it("summary prints the layers, shapes and parameter counts", async () => {
    const r = await run("model", "summary", "model.json");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/c1 \(Conv2D\) +\[null,10,10,4\] +112/);
    expect(r.stdout).toMatch(/c2 \(Conv2D\) +\[null,8,8,5\] +185/);
    expect(r.stdout).toMatch(/Total params: 297/);
  });

  it("features writes each map and a sheet per image, and a missing image fails alone", async () => {
    const r = await run("model", "features", "model.json", "photo.png", "missing.png", "--layer", "c1", "--max-maps", "3", "--out", "maps");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/missing\.png: no such file/);
    expect(r.stderr).toMatch(/2\/2/); // the progress reached the end
    for (let c = 0; c < 3; c++) expect([png(`maps/photo-c1-${c}.png`).width, png(`maps/photo-c1-${c}.png`).height]).toEqual([10, 10]);
    expect(existsSync(join(dir, "maps/photo-c1-3.png"))).toBe(false);
    // Map 2 is layer c1's channel 2 for the photo resized to the model's 12×12 input.
    const model = await sc.loadLayersModel(join(dir, "model.json"));
    const x = rasterToTensor(resizeRaster(decodeRaster(readFileSync(join(dir, "photo.png"))), 12, 12));
    const [maps] = model.predict(x, { outputs: ["c1"] });
    expect(Array.from(png("maps/photo-c1-2.png").data)).toEqual(Array.from(tensorToRaster(maps, { channel: 2, colormap: "magma" }).data));
    // The sheet is featureMapGrid's picture of the same maps (one implementation for the CLI and the page).
    const sheet = decodeRaster(featureMapGrid(maps, { channels: [0, 1, 2], colormap: "magma" }));
    expect([png("maps/photo-c1.png").width, png("maps/photo-c1.png").height]).toEqual([sheet.width, sheet.height]);
    expect(Array.from(png("maps/photo-c1.png").data)).toEqual(Array.from(sheet.data));
    sc.dispose([x, maps]);
    model.dispose();
    const flat = await run("model", "features", "model.json", "photo.png", "--layer", "flat", "--out", "maps");
    expect(flat.code).toBe(1);
    expect(flat.stderr).toMatch(/layer 'flat' gives shape \[320\], not feature maps/);
  });

  it("kernels writes the first layer's kernels as RGB pictures, later layers' as values", async () => {
    const r = await run("model", "kernels", "model.json", "--layer", "c1", "--out", "k");
    expect(r.code).toBe(0);
    expect([png("k/kernel-c1-0.png").width, png("k/kernel-c1-0.png").height]).toEqual([48, 48]);
    expect(existsSync(join(dir, "k/kernel-c1-3.png"))).toBe(true);
    expect((await run("model", "kernels", "model.json", "--layer", "c2", "--out", "k", "--max-maps", "3")).code).toBe(0);
    expect(existsSync(join(dir, "k/kernels-c2.png"))).toBe(true);
    expect(existsSync(join(dir, "k/kernel-c2-3.png"))).toBe(false);
    // The pictures are kernelGrid's (one implementation for the CLI and the library): c1's
    // kernel 1 alone, and c2's first 3 kernels, input channel 0, in one grid.
    const model = await sc.loadLayersModel(join(dir, "model.json"));
    const [k1] = model.getLayer("c1").getWeights();
    const [k2] = model.getLayer("c2").getWeights();
    // Output channels [o0, o1) of input channels [0, cin) of a 3×3 HWIO kernel.
    const pick = (k: sc.Tensor, cin: number, o0: number, o1: number) => {
      const [, , ci, co] = k.shape;
      const v = k.dataSync();
      const out: number[] = [];
      for (let p = 0; p < 9; p++) for (let i = 0; i < cin; i++) for (let o = o0; o < o1; o++) out.push(v[(p * ci + i) * co + o]);
      return sc.tensor(out, [3, 3, cin, o1 - o0]);
    };
    const one = pick(k1, 3, 1, 2);
    const first3 = pick(k2, 1, 0, 3);
    expect(Array.from(png("k/kernel-c1-1.png").data)).toEqual(Array.from(decodeRaster(kernelGrid(one, { labels: false, gap: 0, cellSize: 48 })).data));
    const grid = decodeRaster(kernelGrid(first3, { labels: ["0", "1", "2"], columns: 3 }));
    expect([png("k/kernels-c2.png").width, png("k/kernels-c2.png").height]).toEqual([grid.width, grid.height]);
    expect(Array.from(png("k/kernels-c2.png").data)).toEqual(Array.from(grid.data));
    sc.dispose([k1, k2, one, first3]);
    model.dispose();
  });

  it("usage errors exit 2 with a pointer to help; a bad model exits 1", async () => {
    const noImage = await run("model", "features", "model.json", "--layer", "c1");
    expect(noImage.code).toBe(2);
    expect(noImage.stderr).toMatch(/needs at least one image[\s\S]*simdconv model --help/);
    expect((await run("model", "kernels", "model.json")).stderr).toMatch(/needs --layer NAME/);
    expect((await run("model", "--help")).stdout).toMatch(/simdconv model <summary\|features\|kernels>/);
    const missing = await run("model", "summary", "nope.json");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*nope\.json/);
    expect((await run("model", "kernels", "model.json", "--layer", "zz")).stderr).toMatch(/no layer is named "zz"/);
  });
});
