/**
 * Pages in Chromium, driven by playwright-core: the README's plain <script type="module">
 * page served with and without cross-origin isolation, and an app built by vite.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { build as viteBuild } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserRequired, chromiumFound, chromiumLaunchOptions, crossOriginIsolation } from "../browser/chromium.js";
import { conv2dRef } from "../helpers/reference.js";
import { consumer, linkConsumer, root, serve, tempDir } from "./harness.js";

const CDN_IMPORT = "https://cdn.jsdelivr.net/npm/simdconv@0.1.0/dist/index.js";
// Skipped without a browser (vitest.config.ts prints how to enable it); where one is required it runs and fails.
const describeBrowser = describe.skipIf(!chromiumFound.path && !browserRequired());

let browser: Browser;
beforeAll(async () => {
  if (!chromiumFound.path && !browserRequired()) return;
  linkConsumer();
  browser = await chromium.launch(chromiumLaunchOptions);
});
afterAll(() => browser?.close());

async function pageResult<T>(url: string, read: () => unknown): Promise<T> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  try {
    await page.goto(url);
    const handle = await page.waitForFunction(read, undefined, { timeout: 30_000 }).catch((e: Error) => {
      throw new Error(`${e.message}\npage errors: ${errors.join("\n")}`);
    });
    return (await handle.jsonValue()) as T;
  } finally {
    await page.close();
  }
}

describeBrowser("the README's browser page (a module script importing simdconv from a CDN)", () => {
  // The CDN URL is the one line changed: the test serves the local dist/ in its place.
  const page = readFileSync(join(consumer, "browser.html"), "utf8");
  const want = conv2dRef([0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1],
    { x: [1, 3, 4, 1], filter: [3, 3, 1, 1], strides: [1, 1], dilations: [1, 1], pad: "same" },
    undefined, "relu", [-1, -1, -1, -1, 8, -1, -1, -1, -1]);

  it.each([
    ["without COOP/COEP", {}, false],
    ["with COOP/COEP", crossOriginIsolation, true],
  ] as const)("works %s", async (_, headers, isolated) => {
    expect(page).toContain(CDN_IMPORT);
    const { url, server } = await serve(root, { "/": page.replace(CDN_IMPORT, "/dist/index.js") }, headers);
    try {
      const text = await pageResult<string>(url, () => document.querySelector("output")?.textContent || undefined);
      const result = JSON.parse(text) as { crossOriginIsolated: boolean; threads: boolean; edges: number[] };
      expect(result.crossOriginIsolated).toBe(isolated);
      expect(typeof result.threads).toBe("boolean");
      expect(result.edges).toEqual(Array.from(want.y));
    } finally {
      server.close();
    }
  });
});

describeBrowser("a page with a Content-Security-Policy", () => {
  const pages = {
    "/": '<!doctype html><output></output><script type="module" src="/first-op.js"></script>',
    "/first-op.js": `import { relu } from "/dist/index.js";
      let result;
      try { result = { values: Array.from(relu([-1, 2]).dataSync()) }; } catch (e) { result = { error: e.message }; }
      document.querySelector("output").textContent = JSON.stringify(result);`,
  };

  it.each([
    ["script-src 'self'", undefined, /Content-Security-Policy forbids it: add 'wasm-unsafe-eval' to its script-src/],
    ["script-src 'self' 'wasm-unsafe-eval'", [0, 2], undefined],
  ] as const)("%s", async (policy, values, error) => {
    const { url, server } = await serve(root, pages, { "Content-Security-Policy": policy });
    try {
      const text = await pageResult<string>(url, () => document.querySelector("output")?.textContent || undefined);
      const result = JSON.parse(text) as { values?: number[]; error?: string };
      if (values) expect(result).toEqual({ values });
      else expect(result.error).toMatch(error!);
    } finally {
      server.close();
    }
  });
});

describeBrowser("vite", () => {
  it("builds an app whose smoke suite passes in Chromium, served without COOP/COEP", async () => {
    const outDir = tempDir("vite");
    try {
      await viteBuild({ root: join(consumer, "vite-app"), logLevel: "warn", build: { outDir, emptyOutDir: true } });
      const { url, server } = await serve(outDir, {}, {});
      try {
        const result = await pageResult<{ passed?: string[]; error?: string }>(url, () => (globalThis as { smokeResult?: unknown }).smokeResult);
        expect(result.error).toBeUndefined();
        expect(result.passed).toHaveLength(11);
      } finally {
        server.close();
      }
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
