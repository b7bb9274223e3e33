// Every bench under bench/ parses its options through the one harness (bench/harness.mjs): its
// --help exits 0 and names the file, and an unknown option fails naming it. This runs no bench;
// it catches a bench whose imports or paths broke when files moved.
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { cli } from "../../bench/harness.mjs";

const run = promisify(execFile);
const root = path.resolve(__dirname, "../..");

/** Modules other benches import (no command line of their own), relative to bench/. */
const LIBRARIES = new Set([
  "harness.mjs", "ops/shapes.mjs", "ops/peers.mjs", "ops/inputs.mjs", "ops/onnx.mjs", "ops/layer-table.mjs",
  "image/photo.mjs", "startup/cold-start/shared.mjs", "startup/cold-start/simdconv.mjs",
  "startup/cold-start/tfjs-wasm.mjs", "startup/cold-start/node-alone.mjs", "startup/first-op/child.mjs",
]);
const benches = (readdirSync(path.join(root, "bench"), { recursive: true }) as string[])
  .map((f) => f.split(path.sep).join("/"))
  .filter((f) => f.endsWith(".mjs") && !LIBRARIES.has(f))
  .sort();

describe("bench options", () => {
  it("finds the benches", () => {
    expect(benches).toContain("all.mjs");
    expect(benches).toContain("ops/compare.mjs");
    expect(benches).toContain("ops/layers.mjs");
    expect(benches.length).toBeGreaterThan(10);
  });

  it.each(benches)("bench/%s --help", async (file) => {
    const { stdout } = await run(process.execPath, ["--experimental-wasm-relaxed-simd", `bench/${file}`, "--help"], { cwd: root });
    expect(stdout).toContain(file === "all.mjs" ? "npm run bench" : `bench/${file}`);
  });

  it.each(benches)("bench/%s rejects an unknown option", async (file) => {
    const err = await run(process.execPath, ["--experimental-wasm-relaxed-simd", `bench/${file}`, "--no-such-option"], { cwd: root }).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err, "exited 0").toBeDefined();
    expect(err!.stderr).toContain("no-such-option");
  });

  it("parses numbers, booleans, strings and defaults, and names a bad value", () => {
    const spec = {
      runs: { type: "number" as const, default: 9 },
      quick: { type: "boolean" as const },
      shapes: { type: "string" as const },
    };
    expect(cli("u", spec, { argv: [] })).toEqual({ _: [], runs: 9, quick: false, shapes: undefined });
    expect(cli("u", spec, { argv: ["--runs", "3", "--quick", "--shapes", "1,9"] })).toEqual({ _: [], runs: 3, quick: true, shapes: "1,9" });
    expect(() => cli("u", spec, { argv: ["--runs", "many"] })).toThrow(/--runs must be a number/);
    expect(() => cli("u", spec, { argv: ["--bogus"] })).toThrow(/bogus/);
    expect(() => cli("u", spec, { argv: ["file.json"] })).toThrow(TypeError);
    expect(cli("u", {}, { argv: ["a.json", "b.json"], positionals: "files" })._).toEqual(["a.json", "b.json"]);
  });
});
