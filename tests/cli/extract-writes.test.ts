/** `simdconv extract` compresses maps in the thread pool: a failed write is still reported per image. */
import { afterAll, beforeAll, expect, it } from "vitest";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decodeRaster, encodeRasterPng } from "../../src/image/node.js";
import { BARS_16, barsRaster } from "../image/bars.js";
import { tempDir } from "../helpers/temp.js";
import { requireBuiltCli, runCli } from "../helpers/cli.js";

let dir: string;

const run = (...args: string[]) => runCli(dir, ...args);

beforeAll(() => {
  requireBuiltCli();
  dir = tempDir("cli-writes");
  writeFileSync(join(dir, "a.png"), encodeRasterPng(barsRaster(16, 10, BARS_16)));
  writeFileSync(join(dir, "b.png"), encodeRasterPng(barsRaster(16, 10, BARS_16)));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("a map that cannot be written fails its image, names the file, and the batch goes on", async () => {
  mkdirSync(join(dir, "out", "a-detect.png"), { recursive: true }); // a folder where a's detect map goes
  const r = await run("extract", "a.png", "b.png", "--relu", "--pool", "2", "--out", "out");
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/simdconv: a\.png: cannot write out\/a-detect\.png \(EISDIR\)/);
  expect(r.stderr).not.toMatch(/simdconv: b\.png/);
  expect(r.stderr).not.toMatch(/^\s+at /m); // no stack trace, no unhandled rejection
  // The other maps of a were written; a has no sheet (it failed), b has everything.
  for (const f of ["a-input", "a-filter", "a-condense", "b-input", "b-filter", "b-detect", "b-condense", "b-sheet"]) {
    expect(decodeRaster(readFileSync(join(dir, "out", `${f}.png`))).width).toBeGreaterThan(0);
  }
  expect(existsSync(join(dir, "out", "a-sheet.png"))).toBe(false);
});
