/**
 * The smoke suite and the README's snippets in every runtime but the browser: Node (in this
 * process, through the exports map), Deno, Bun, an esbuild bundle alone in a directory, and
 * Cloudflare's workerd serving the README's Worker over 127.0.0.1.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as simdconv from "simdconv";
import { conv2dRef, maxPoolRef, randomData, rng } from "../helpers/reference.js";
import { smoke } from "./smoke.js";
import { bin, bundleWorker, consumer, lastJson, linkConsumer, root, run, startWorkerd, tempDir } from "./harness.js";

const SMOKE_CHECKS = 11;
const denoDir = tempDir("deno");
const denoEnv = { DENO_NO_UPDATE_CHECK: "1", DENO_DIR: denoDir, NO_COLOR: "1" };

/** What edges.mjs must print, from the float64 reference on the same image. */
function expectedEdges(): number[][][][] {
  const pixels = Array.from({ length: 64 }, (_, i) => (i >= 16 && i < 48 && i % 8 >= 2 && i % 8 < 6 ? 1 : 0));
  const edge = [-1, -1, -1, -1, 8, -1, -1, -1, -1];
  const conv = conv2dRef(pixels, { x: [1, 8, 8, 1], filter: [3, 3, 1, 1], strides: [1, 1], dilations: [1, 1], pad: "same" },
    undefined, "relu", edge);
  const pooled = maxPoolRef(conv.y, [1, 8, 8, 1], [2, 2], [2, 2], "same");
  const v = Array.from(pooled.y);
  return [[0, 1, 2, 3].map((y) => [0, 1, 2, 3].map((x) => [v[y * 4 + x]]))];
}

beforeAll(linkConsumer);
afterAll(() => rmSync(denoDir, { recursive: true, force: true }));

describe("Node", () => {
  it("passes the smoke suite, importing simdconv through the exports map", async () => {
    expect(await smoke(simdconv)).toHaveLength(SMOKE_CHECKS);
  });

  it("runs the README's example", async () => {
    const out = await run(process.execPath, ["edges.mjs"]);
    expect(lastJson(out)).toEqual(expectedEdges());
  });
});

describe("Deno", () => {
  it("passes the smoke suite", async () => {
    const out = await run(bin("deno"), ["run", "run-smoke.ts"], { env: denoEnv });
    expect(lastJson(out)).toHaveLength(SMOKE_CHECKS);
  });

  it("runs the README's example with no permissions", async () => {
    const out = await run(bin("deno"), ["run", "edges.mjs"], { env: denoEnv });
    expect(lastJson(out)).toEqual(expectedEdges());
  });
});

describe("Bun", () => {
  it("passes the smoke suite", async () => {
    expect(lastJson(await run(bin("bun"), ["run-smoke.ts"]))).toHaveLength(SMOKE_CHECKS);
  });

  it("runs the README's example", async () => {
    expect(lastJson(await run(bin("bun"), ["edges.mjs"]))).toEqual(expectedEdges());
  });
});

describe("esbuild", () => {
  it("makes one self-contained file that runs with no .wasm beside it", async () => {
    const dir = tempDir("esbuild");
    try {
      // The README's command: esbuild app.js --bundle --format=esm --platform=node --outfile=app.bundle.mjs
      for (const [entry, out] of [["run-smoke.ts", "smoke.bundle.mjs"], ["edges.mjs", "edges.bundle.mjs"]]) {
        await build({
          entryPoints: [join(consumer, entry)], bundle: true, format: "esm", platform: "node",
          outfile: join(dir, out), logLevel: "warning",
        });
      }
      expect(readdirSync(dir).sort()).toEqual(["edges.bundle.mjs", "smoke.bundle.mjs"]);
      expect(lastJson(await run(process.execPath, ["smoke.bundle.mjs"], { cwd: dir }))).toHaveLength(SMOKE_CHECKS);
      expect(lastJson(await run(process.execPath, ["edges.bundle.mjs"], { cwd: dir }))).toEqual(expectedEdges());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the Node bundling recipe (docs/runtimes.md)", () => {
  it("bundles a program that uses simdconv/image into one file that runs alone", async () => {
    const doc = readFileSync(join(root, "docs/runtimes.md"), "utf8");
    const command = /```sh\n(npx esbuild edges\.mjs[^\n]*\\\n[^\n]*)\n/.exec(doc)?.[1];
    expect(command, "the esbuild command in docs/runtimes.md").toBeDefined();
    const dir = tempDir("esbuild-image");
    try {
      writeFileSync(join(dir, "edges.mjs"), `import { tensor } from "simdconv";
import { encodePng, decodeImage } from "simdconv/image";
const t = tensor([0, 0.5, 1, 0.25], [2, 2, 1]);
const back = decodeImage(encodePng(t, { normalize: [0, 1], colormap: "gray" }), { channels: "gray" });
console.log(JSON.stringify([...back.dataSync()].map((v) => Math.round(v * 4) / 4)));
`);
      mkdirSync(join(dir, "node_modules"));
      symlinkSync(root, join(dir, "node_modules/simdconv"), "dir");
      await run("sh", ["-c", command!.replace(/^npx esbuild/, JSON.stringify(bin("esbuild")))], { cwd: dir });
      const alone = join(dir, "alone");
      mkdirSync(alone);
      renameSync(join(dir, "edges.bundle.mjs"), join(alone, "edges.bundle.mjs"));
      expect(lastJson(await run(process.execPath, ["edges.bundle.mjs"], { cwd: alone }))).toEqual([0, 0.5, 1, 0.25]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("Cloudflare workerd", () => {
  let server: { url: string; stop(): void };
  beforeAll(async () => {
    server = await startWorkerd(await bundleWorker(join(consumer, "smoke-worker.ts")));
  });
  afterAll(() => server?.stop());

  it("passes the smoke suite inside a Worker", async () => {
    const res = await fetch(`${server.url}/smoke`);
    const body = (await res.json()) as { passed?: string[]; error?: string };
    expect(body.error).toBeUndefined();
    expect(body.passed).toHaveLength(SMOKE_CHECKS);
  });

  it("answers the README Worker's request with the edges of an image", async () => {
    const [height, width] = [13, 10];
    const pixels = Array.from(randomData(height * width, rng(5)));
    const res = await fetch(server.url, { method: "POST", body: JSON.stringify({ pixels, height, width }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { shape: number[]; values: number[] };
    const want = conv2dRef(Float32Array.from(pixels),
      { x: [1, height, width, 1], filter: [3, 3, 1, 1], strides: [1, 1], dilations: [1, 1], pad: "same" },
      undefined, "relu", [-1, -1, -1, -1, 8, -1, -1, -1, -1]);
    expect(body.shape).toEqual(want.shape);
    body.values.forEach((v, i) => expect(Math.abs(v - want.y[i])).toBeLessThanOrEqual(want.mag[i] * 2 ** -20));
  });

  it("has a workerd entry that, used before init({ wasm }), says how to import the module", async () => {
    const script = `import { relu } from ${JSON.stringify(join(root, "dist/workerd.js"))};
      try { relu([1]); } catch (e) { console.log(JSON.stringify(e.message)); }`;
    const message = lastJson(await run(process.execPath, ["--input-type=module", "-e", script])) as string;
    expect(message).toContain("embeds no wasm");
    expect(message).toContain("import wasm from 'simdconv/wasm/simdconv-simd.wasm'; await init({ wasm })");
  });

  it("bundles the workerd entry, which carries no embedded wasm", () => {
    const workerd = readFileSync(new URL("../../dist/workerd.js", import.meta.url), "utf8");
    const node = readFileSync(new URL("../../dist/index.js", import.meta.url), "utf8");
    const hexWasm = /"0061736d[0-9a-f]{100,}"/; // "\0asm" in hex (the embedded builds' text)
    expect(node).toMatch(hexWasm);
    expect(workerd).not.toMatch(hexWasm);
  });
});

