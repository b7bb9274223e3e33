/**
 * `simdconv extract` compresses maps in the thread pool: a failed write is still reported per
 * image. Every output that cannot be written gets one message naming its path.
 */
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
  expect(r.stderr).toMatch(/simdconv: a\.png: cannot write out\/a-detect\.png: a folder of that name is in the way/);
  expect(r.stderr).not.toMatch(/simdconv: b\.png/);
  expect(r.stderr).not.toMatch(/^\s+at /m); // no stack trace, no unhandled rejection
  // The other maps of a were written; a has no sheet (it failed), b has everything.
  for (const f of ["a-input", "a-filter", "a-condense", "b-input", "b-filter", "b-detect", "b-condense", "b-sheet"]) {
    expect(decodeRaster(readFileSync(join(dir, "out", `${f}.png`))).width).toBeGreaterThan(0);
  }
  expect(existsSync(join(dir, "out", "a-sheet.png"))).toBe(false);
});

it("a sheet that cannot be written fails its image with the sheet's path, not as an unreadable input", async () => {
  mkdirSync(join(dir, "sheet-out", "a-sheet.png"), { recursive: true });
  const r = await run("extract", "a.png", "b.png", "--out", "sheet-out");
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/simdconv: a\.png: cannot write sheet-out\/a-sheet\.png: a folder of that name is in the way/);
  expect(r.stderr).not.toMatch(/is a directory, not an image|EISDIR|^\s+at /m);
  expect(existsSync(join(dir, "sheet-out", "b-sheet.png"))).toBe(true);
});

it("kernel pictures that cannot be written end the run with one line naming the file", async () => {
  mkdirSync(join(dir, "kernel-out", "kernel-edge.svg"), { recursive: true });
  const r = await run("extract", "a.png", "--out", "kernel-out");
  expect(r.code).toBe(1);
  expect(r.stderr.trim()).toBe("simdconv: cannot write kernel-out/kernel-edge.svg: a folder of that name is in the way");
});

it("an output folder that is really a file, or under one, is named for extract, demo and model alike", async () => {
  writeFileSync(join(dir, "plain"), "a file");
  for (const args of [["extract", "a.png"], ["demo"], ["model", "features", "model.json", "a.png", "--layer", "x"]]) {
    const r = await run(...args, "--out", "plain/maps");
    expect(r.code, args[0]).toBe(1);
    expect(r.stderr).toMatch(/--out plain\/maps: part of this path is a file, not a folder/);
    expect(r.stderr).not.toMatch(/EISDIR|ENOTDIR|EEXIST|^\s+at /m);
  }
});
