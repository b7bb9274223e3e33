/** The async PNG path (zlib in the thread pool) writes the sync path's bytes exactly. */
import { describe, expect, it } from "vitest";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tensor } from "../../src/index.js";
import { tensorToLevels } from "../../src/image/colormap.js";
import { encodeLevelsPng, encodeLevelsPngAsync, encodePng, encodePngAsync, writePng } from "../../src/image/node.js";
import { rng } from "../helpers/reference.js";
import { tempDir } from "../helpers/temp.js";

/** Half smooth ramp, half noise: long runs and incompressible stretches, several 16 KB zlib chunks. */
function values(h: number, w: number, c: number, seed: number): Float32Array {
  const rand = rng(seed);
  return Float32Array.from({ length: h * w * c }, (_, i) => (Math.floor(i / (w * c)) < h / 2 ? (i % (w * c)) / (w * c) : rand()));
}

describe("encodePngAsync", () => {
  it.each([
    ["gray", 1, { colormap: "gray" as const }],
    ["magma palette", 1, { colormap: "magma" as const }],
    ["RGB", 3, {}],
  ])("%s: the same bytes as encodePng, small and large", async (_, c, options) => {
    for (const [h, w] of [[1, 1], [3, 7], [400, 517]]) {
      const t = tensor(values(h, w, c, h + w), [h, w, c]);
      const sync = encodePng(t, options);
      const pending = encodePngAsync(t, options);
      t.dispose(); // drawn before encodePngAsync returns: the tensor may go
      expect(Buffer.from(await pending).equals(Buffer.from(sync))).toBe(true);
      if (h === 400) expect(sync.length).toBeGreaterThan(64 * 1024);
    }
  });

  it("RGBA pixels: the same bytes as encodePng", async () => {
    const data = new Uint8ClampedArray(300 * 200 * 4).map((_, i) => (i % 4 === 3 ? (i >> 4) & 255 : (i * 7) & 255));
    const raster = { width: 300, height: 200, data };
    expect(Buffer.from(await encodePngAsync(raster)).equals(Buffer.from(encodePng(raster)))).toBe(true);
  });

  it("encodeLevelsPngAsync: the same bytes as encodeLevelsPng; the levels may be reused at once", async () => {
    const t = tensor(values(512, 640, 1, 9), [512, 640, 1]);
    const levels = tensorToLevels(t, { colormap: "magma" })!;
    t.dispose();
    const sync = encodeLevelsPng(levels);
    const pending = encodeLevelsPngAsync(levels);
    levels.levels.fill(0);
    expect(Buffer.from(await pending).equals(Buffer.from(sync))).toBe(true);
  });

  it("bad input rejects (not throws) with the sync path's error", async () => {
    const t = tensor([1, 2, 3, 4], [2, 2, 1]);
    expect(() => encodePng(t, { colormap: "jet" as never })).toThrow(TypeError);
    const pending = encodePngAsync(t, { colormap: "jet" as never });
    await expect(pending).rejects.toThrow(TypeError);
    t.dispose();
  });
});

describe("writePng", () => {
  it("writes encodePng's bytes, and rejects when the file cannot be written", async () => {
    const dir = tempDir("png-async");
    try {
      const t = tensor(values(120, 90, 1, 3), [120, 90, 1]);
      await writePng(join(dir, "map.png"), t, { colormap: "magma" });
      expect(Buffer.from(readFileSync(join(dir, "map.png"))).equals(Buffer.from(encodePng(t, { colormap: "magma" })))).toBe(true);
      await expect(writePng(join(dir, "no-such-folder", "map.png"), t)).rejects.toMatchObject({ code: "ENOENT" });
      t.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
