// The README's quick start, run as a user would paste it (only the import path is pointed at
// this checkout's build), checked against the float64 reference rather than its comments.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { conv2dRef, maxPoolRef } from "./helpers/reference.js";
import { tempDir } from "./helpers/temp.js";

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
    const file = join(tempDir("readme"), "quickstart.mjs");
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

describe("README models section", () => {
  it("builds the VGG16 conv base (Keras's parameter count), loads a model from files and writes a feature map", async () => {
    const { default: jpeg } = await import("jpeg-js");
    const { PNG } = await import("pngjs");
    const { tfl, tf, seedWeights } = await import("./models/helpers.js");
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("<!-- section: models -->"), readme.indexOf("<!-- section: models-end -->"));
    const code = /```js\n([\s\S]*?)```/.exec(section)![1]
      .replace('from "simdconv/image"', `from ${JSON.stringify(join(root, "dist/image-node.js"))}`)
      .replace('from "simdconv"', `from ${JSON.stringify(join(root, "dist/index.js"))}`);
    const dir = tempDir("readme-models");
    // A stand-in for the trained base: its first block, with the same layer names.
    const m = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [null, null, 3], filters: 8, kernelSize: 3, padding: "same", activation: "relu", name: "block1_conv1" }),
        tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: "same", activation: "relu", name: "block1_conv2" }),
      ],
    });
    seedWeights(m, 41);
    await m.save(tf.io.withSaveHandler(async (a) => {
      const { mkdirSync } = await import("node:fs");
      mkdirSync(join(dir, "vgg16_base"));
      writeFileSync(join(dir, "vgg16_base", "model.json"), JSON.stringify({ modelTopology: a.modelTopology, weightsManifest: [{ paths: ["w.bin"], weights: a.weightSpecs }] }));
      writeFileSync(join(dir, "vgg16_base", "w.bin"), new Uint8Array(a.weightData as ArrayBuffer));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }));
    const [w, h] = [40, 30];
    const rgba = Buffer.alloc(w * h * 4);
    for (let i = 0; i < w * h; i++) rgba.set([(i % w) * 6, Math.floor(i / w) * 8, 128, 255], i * 4);
    writeFileSync(join(dir, "car.jpg"), jpeg.encode({ data: rgba, width: w, height: h }, 90).data);
    writeFileSync(join(dir, "models.mjs"), code);
    const out = execFileSync(process.execPath, ["models.mjs"], { encoding: "utf8", cwd: dir });
    expect(out).toMatch(/block5_pool \(MaxPooling2D\) +\[null,null,null,512\] +0/);
    expect(out).toContain("Total params: 14714688");
    const png = PNG.sync.read(readFileSync(join(dir, "block1_conv2-ch5.png")));
    expect([png.width, png.height]).toEqual([w, h]);
    m.dispose();
  });
});

// The other documents: README.md and docs/*.md, checked for what goes stale as code moves.
const docs = ["README.md", "CHANGELOG.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
const read = (file: string) => readFileSync(join(root, file), "utf8");
const blocks = (text: string, lang: string) => [...text.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]);
/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const anchors = (text: string) =>
  new Set([...text.matchAll(/^#+ (.*)$/gm)].map((m) => m[1].toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-")));

describe("docs/", () => {
  const designDocs = docs.filter((f) => f.startsWith("docs/"));
  it("exists with the design, kernel and performance notes", () => {
    expect(designDocs).toEqual(expect.arrayContaining(["docs/design.md", "docs/kernels.md", "docs/performance.md"]));
  });

  // Every js snippet in docs/ runs as printed (the import pointed at this checkout's build),
  // except the runtime examples that tests/runtimes runs as files in their own runtime.
  const consumerFiles = readdirSync(join(root, "tests/runtimes/consumer")).filter((f) => /\.(m?js)$/.test(f)).map((f) => read(`tests/runtimes/consumer/${f}`).trimEnd());
  const runElsewhere = (code: string) => consumerFiles.some((f) => code.includes(f));
  const snippets = designDocs.flatMap((file) =>
    blocks(read(file), "js").filter((code) => !runElsewhere(code)).map((code, i) => ({ name: `${file} snippet ${i + 1}`, code })));
  it.each(snippets)("$name runs", ({ code }) => {
    const src = code.replaceAll('from "simdconv"', `from ${JSON.stringify(join(root, "dist/index.js"))}`);
    const file = join(tempDir("docs"), "snippet.mjs");
    writeFileSync(file, src);
    execFileSync(process.execPath, [file], { encoding: "utf8" });
  });

  it("has the stale-view snippet print what its comments say", () => {
    const code = blocks(read("docs/design.md"), "js")[0].replaceAll('from "simdconv"', `from ${JSON.stringify(join(root, "dist/index.js"))}`);
    const file = join(tempDir("docs"), "stale.mjs");
    writeFileSync(file, code);
    const out = execFileSync(process.execPath, [file], { encoding: "utf8" }).trim().split("\n");
    expect(out).toEqual(["0", "1", "Float32Array(4) [ 1, 0, 3, 0 ]"]);
  });
});

describe.each(docs)("%s", (file) => {
  const text = read(file);
  const scripts = Object.keys(JSON.parse(read("package.json")).scripts);

  it("names only npm scripts that exist", () => {
    for (const [, name] of text.matchAll(/npm run ([\w:-]+)/g)) expect(scripts, `npm run ${name}`).toContain(name);
  });

  it("names only repository files that exist", () => {
    const paths = [...text.matchAll(/\b((?:bench|scripts|src|tests|assembly|web|docs)\/[\w./-]+\.(?:mjs|cjs|ts|md|json))\b/g)].map((m) => m[1]);
    for (const path of paths) expect(existsSync(join(root, path)), path).toBe(true);
  });

  it("links only to files and headings that exist", () => {
    for (const [, target] of text.matchAll(/\]\(((?!https?:)[^)\s]+)\)/g)) {
      const [path, anchor] = target.split("#");
      const linked = path ? join(root, dirname(file), path) : join(root, file);
      expect(existsSync(linked), target).toBe(true);
      if (anchor) expect([...anchors(readFileSync(linked, "utf8"))], target).toContain(anchor);
    }
  });

  it.each(blocks(text, "js").map((code, i) => ({ i: i + 1, code })))("js block $i parses as a module", ({ code }) => {
    const file = join(tempDir("docs"), "check.mjs");
    writeFileSync(file, code);
    execFileSync(process.execPath, ["--check", file]);
  });

  it("speaks of the project, not of how it was made", () => {
    expect(text).not.toMatch(/\bsessions?\b|\bissues?\b|#\d+/i);
  });
});
