/**
 * Firefox (SpiderMonkey, the one engine here besides V8 and Bun's JavaScriptCore): an app built
 * by vite runs the smoke suite, then threads, in headless Firefox, served with and without
 * cross-origin isolation. Playwright cannot drive Debian's Firefox, so the page posts its result
 * to the server that served it and the test reads it there.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build as viteBuild } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserRequired, crossOriginIsolation, firefoxFound } from "../browser/chromium.js";
import { consumer, linkConsumer, serve, tempDir } from "./harness.js";

interface Report {
  error?: string;
  passed?: string[];
  isolated?: boolean;
  caps?: { build: string; relaxedSimd: boolean; threads: boolean; threadsCount: number; reasonThreadsOff?: string };
  sameBits?: boolean;
  leaked?: number;
}

// Skipped without Firefox (vitest.config.ts prints how to enable it); where one is required it runs and fails.
const describeFirefox = describe.skipIf(!firefoxFound.path && !browserRequired());

let outDir = "";
beforeAll(async () => {
  if (!firefoxFound.path && !browserRequired()) return;
  linkConsumer();
  outDir = tempDir("firefox-app");
  await viteBuild({ root: join(consumer, "report-app"), logLevel: "warn", build: { outDir, emptyOutDir: true } });
}, 120_000);
afterAll(() => outDir && rmSync(outDir, { recursive: true, force: true }));

/** Opens the app in a fresh headless Firefox profile and waits for the page's report. */
async function report(headers: Record<string, string>): Promise<Report> {
  let resolve!: (r: Report) => void;
  const posted = new Promise<Report>((r) => (resolve = r));
  const { url, server } = await serve(outDir, {}, headers, (path, body) => path === "/result" && resolve(JSON.parse(body) as Report));
  const profile = mkdtempSync(join(tmpdir(), "simdconv-firefox-"));
  // No first-run pages, updates or telemetry: only the page under test talks to the network.
  writeFileSync(join(profile, "user.js"), [
    'user_pref("browser.shell.checkDefaultBrowser", false);',
    'user_pref("app.update.enabled", false);',
    'user_pref("datareporting.policy.dataSubmissionEnabled", false);',
    'user_pref("toolkit.telemetry.enabled", false);',
    'user_pref("browser.startup.homepage_override.mstone", "ignore");',
  ].join("\n"));
  const firefox = spawn(firefoxFound.path!, ["--headless", "--no-remote", "--profile", profile, url], {
    stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, MOZ_HEADLESS: "1" },
  });
  let stderr = "";
  firefox.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d).slice(-4000)));
  const exited = new Promise<never>((_, reject) => firefox.on("exit", (code) => reject(new Error(`Firefox exited (${code}) before the page reported:\n${stderr}`))));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no report from the page within 90 s:\n${stderr}`)), 90_000)));
  try {
    return await Promise.race([posted, exited, timeout]);
  } finally {
    clearTimeout(timer);
    firefox.kill("SIGKILL");
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

describeFirefox(`Firefox (${firefoxFound.source})`, () => {
  it("runs the smoke suite on one thread without COOP/COEP, and says why threads are off", async () => {
    const r = await report({});
    expect(r.error).toBeUndefined();
    expect(r.passed).toHaveLength(11);
    expect(r.isolated).toBe(false);
    expect(r.caps).toMatchObject({ threads: false, relaxedSimd: true, build: "relaxed-simd" });
    expect(r.caps!.reasonThreadsOff).toMatch(/cross-origin isolated/);
    expect(r.leaked).toBe(0);
  }, 120_000);

  it("runs threads with COOP/COEP, bit-identical to one thread", async () => {
    const r = await report(crossOriginIsolation);
    expect(r.error).toBeUndefined();
    expect(r.passed).toHaveLength(11);
    expect(r.isolated).toBe(true);
    expect(r.caps).toMatchObject({ threads: true, threadsCount: 2, relaxedSimd: true, build: "relaxed-simd-threads" });
    expect(r.sameBits).toBe(true);
    expect(r.leaked).toBe(0);
  }, 120_000);
});
