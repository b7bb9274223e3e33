// The README's quick start, run as a user would paste it (only the import path is pointed at
// this checkout's build), checked against the float64 reference rather than its comments.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { conv2dRef, maxPoolRef } from "./reference.js";

const root = new URL("..", import.meta.url).pathname;

function quickStart(): string {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("<!-- section: quickstart -->"), readme.indexOf("<!-- section: api -->"));
  const code = /```js\n([\s\S]*?)```/.exec(section);
  if (!code) throw new Error("README quick start has no js block");
  return code[1];
}

describe("README quick start", () => {
  it("prints the lesson's feature map and its pooled map", () => {
    const src = quickStart().replace('from "simdconv"', `from ${JSON.stringify(join(root, "dist/index.js"))}`);
    const file = join(mkdtempSync(join(tmpdir(), "simdconv-readme-")), "quickstart.mjs");
    writeFileSync(file, src);
    const out = execFileSync(process.execPath, [file], { encoding: "utf8" });
    const printed = out
      .trim()
      .split(/\n(?=\[)/)
      .map((block) => JSON.parse(block.replace(/\s+/g, "")) as number[][]);

    const pixels: number[] = [];
    for (let y = 0; y < 6; y++) for (let x = 0; x < 6; x++) pixels.push(y >= 2 && y < 4 && x >= 2 && x < 4 ? 1 : 0);
    const edge = [-1, -1, -1, -1, 8, -1, -1, -1, -1];
    const conv = conv2dRef(pixels, { x: [1, 6, 6, 1], filter: [3, 3, 1, 1], strides: [1, 1], dilations: [1, 1], pad: "same" }, undefined, "relu", edge);
    const pooled = maxPoolRef(conv.y, [1, 6, 6, 1], [2, 2], [2, 2], "same");
    expect(printed).toHaveLength(2);
    expect(printed[0].flat()).toEqual(Array.from(conv.y));
    expect(printed[1].flat()).toEqual(Array.from(pooled.y));
    expect(Math.max(...pooled.y)).toBeGreaterThan(0); // the square survives pooling
  });
});
