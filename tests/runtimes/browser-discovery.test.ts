// Browser discovery for the test suite: the order it searches, and that a machine without a
// browser skips the browser suites with one line (or fails, where a browser is required).
import { execFileSync, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { browserRequired, findChromium, findFirefox, firefoxSkipLine, skipLine, type DiscoveryEnv } from "../browser/chromium.js";

const root = new URL("../..", import.meta.url).pathname;

function machine(files: string[], env: Record<string, string>, playwright?: string): DiscoveryEnv {
  return { env, isExecutable: (p) => files.includes(p), playwrightPath: () => playwright };
}

describe("findChromium", () => {
  const all = ["/opt/c/chrome", "/usr/bin/chromium", "/bin2/google-chrome", "/pw/chrome"];
  it("takes CHROMIUM_PATH first, and a CHROMIUM_PATH that is not there is final", () => {
    expect(findChromium(machine(all, { CHROMIUM_PATH: "/opt/c/chrome", PATH: "/bin2" }, "/pw/chrome")).path).toBe("/opt/c/chrome");
    const missing = findChromium(machine(all, { CHROMIUM_PATH: "/nope/chrome", PATH: "/bin2" }, "/pw/chrome"));
    expect(missing.path).toBeUndefined();
    expect(missing.source).toContain("/nope/chrome");
  });
  it("then Debian's chromium, then the PATH, then Playwright's download", () => {
    expect(findChromium(machine(all, { PATH: "/bin2" }, "/pw/chrome")).path).toBe("/usr/bin/chromium");
    expect(findChromium(machine(all.slice(2), { PATH: "/bin1:/bin2" }, "/pw/chrome")).path).toBe("/bin2/google-chrome");
    expect(findChromium(machine(all.slice(3), { PATH: "/bin1:/bin2" }, "/pw/chrome")).path).toBe("/pw/chrome");
    expect(findChromium(machine([], { PATH: "/bin2" }, "/pw/chrome")).path).toBeUndefined();
  });
  it("requires a browser under CI=true or SIMDCONV_REQUIRE_BROWSER=1", () => {
    expect(browserRequired({ CI: "true" })).toBe(true);
    expect(browserRequired({ SIMDCONV_REQUIRE_BROWSER: "1" })).toBe(true);
    expect(browserRequired({})).toBe(false);
    expect(skipLine({ source: "x" })).toMatch(/skipped.*CHROMIUM_PATH=/);
  });
});

describe("findFirefox", () => {
  it("takes FIREFOX_PATH first (final when set), then Debian's firefox-esr, then the PATH", () => {
    const all = ["/opt/ff/firefox", "/usr/bin/firefox-esr", "/bin2/firefox"];
    expect(findFirefox(machine(all, { FIREFOX_PATH: "/opt/ff/firefox", PATH: "/bin2" })).path).toBe("/opt/ff/firefox");
    expect(findFirefox(machine(all, { FIREFOX_PATH: "/nope/firefox", PATH: "/bin2" })).path).toBeUndefined();
    expect(findFirefox(machine(all, { PATH: "/bin2" })).path).toBe("/usr/bin/firefox-esr");
    expect(findFirefox(machine(all.slice(2), { PATH: "/bin1:/bin2" })).path).toBe("/bin2/firefox");
    expect(findFirefox(machine([], { PATH: "/bin2" })).path).toBeUndefined();
    expect(firefoxSkipLine({ source: "x" })).toMatch(/Firefox tests skipped.*FIREFOX_PATH=/);
  });
});

describe("vitest on a machine without a browser", () => {
  // A CHROMIUM_PATH that is not there stands for a machine without a browser.
  const env = { ...process.env, CHROMIUM_PATH: "/nonexistent/chromium", FIREFOX_PATH: "/nonexistent/firefox", PATH: "/nonexistent", CI: "", SIMDCONV_REQUIRE_BROWSER: "", VITEST: "" };
  const list = (extra: Record<string, string>) =>
    spawnSync(process.execPath, [`${root}node_modules/vitest/vitest.mjs`, "list", "--filesOnly", "tests/web/web.test.ts"], {
      cwd: root, env: { ...env, ...extra }, encoding: "utf8",
    });
  it("leaves out the browser projects with one line saying how to enable them", () => {
    const r = list({});
    expect(r.status, r.stderr).toBe(0);
    const lines = (r.stdout + r.stderr).split("\n").filter((l) => l.includes("browser tests skipped"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("CHROMIUM_PATH=");
    const firefox = (r.stdout + r.stderr).split("\n").filter((l) => l.includes("Firefox tests skipped"));
    expect(firefox).toHaveLength(1);
    expect(firefox[0]).toContain("FIREFOX_PATH=");
    expect(r.stdout).not.toContain("[chromium");
  });
  it.each<Record<string, string>>([{ CI: "true" }, { SIMDCONV_REQUIRE_BROWSER: "1" }])("fails under %o", (extra) => {
    const r = list(extra);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("a browser is required here");
  });
  it("lists the browser projects when a browser is found", () => {
    if (!findChromium().path) return; // nothing to list on a machine without one
    const out = execFileSync(process.execPath, [`${root}node_modules/vitest/vitest.mjs`, "list", "--filesOnly", "--project=chromium", "tests/browser/smoke.test.ts"], { cwd: root, encoding: "utf8", env: { ...process.env, VITEST: "" } });
    expect(out).toContain("smoke.test.ts");
  });
});
