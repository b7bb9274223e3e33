import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { chromium } from "playwright-core";

/** Where a browser was looked for, and what was found. */
export interface Discovery {
  /** The executable, or undefined when none was found. */
  path?: string;
  /** Where it came from, or why nothing was found: printed in the skip line. */
  source: string;
}

/** What discovery reads from the machine; tests pass their own to simulate one without a browser. */
export interface DiscoveryEnv {
  env: Record<string, string | undefined>;
  isExecutable: (path: string) => boolean;
  /** Where Playwright's own download of its pinned Chromium would be. */
  playwrightPath: () => string | undefined;
}

const isExecutable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

const machine: DiscoveryEnv = {
  env: process.env,
  isExecutable,
  playwrightPath: () => {
    try {
      return chromium.executablePath();
    } catch {
      return undefined;
    }
  },
};

/** Names a Chrome or Chromium goes by on a PATH. */
const PATH_NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"];

/**
 * Finds Chromium in this order: CHROMIUM_PATH; Debian's /usr/bin/chromium; a Chrome or Chromium
 * on the PATH; Playwright's own download. A CHROMIUM_PATH that is set is final: a typo there
 * should not quietly test another browser.
 */
export function findChromium(m: DiscoveryEnv = machine): Discovery {
  const explicit = m.env.CHROMIUM_PATH;
  if (explicit) return m.isExecutable(explicit) ? { path: explicit, source: "CHROMIUM_PATH" } : { source: `CHROMIUM_PATH=${explicit} is not an executable` };
  if (m.isExecutable("/usr/bin/chromium")) return { path: "/usr/bin/chromium", source: "Debian's chromium" };
  for (const dir of (m.env.PATH ?? "").split(delimiter).filter(Boolean)) {
    for (const name of PATH_NAMES) {
      const path = join(dir, name);
      if (m.isExecutable(path)) return { path, source: `${name} on the PATH` };
    }
  }
  const own = m.playwrightPath();
  if (own && m.isExecutable(own)) return { path: own, source: "Playwright's download" };
  return { source: "no CHROMIUM_PATH, /usr/bin/chromium, Chrome or Chromium on the PATH, or Playwright download" };
}

/** CI, or a developer who asks for it, must not pass with the browser suites skipped. */
export const browserRequired = (env: Record<string, string | undefined> = process.env): boolean =>
  env.CI === "true" || env.CI === "1" || env.SIMDCONV_REQUIRE_BROWSER === "1";

/** The line printed when the browser suites are skipped. */
export const skipLine = (d: Discovery): string =>
  `simdconv: browser tests skipped (${d.source}); to run them: apt-get install chromium, or set CHROMIUM_PATH=/path/to/chrome`;

/**
 * Finds Firefox in this order: FIREFOX_PATH (final when set, as CHROMIUM_PATH); Debian's
 * firefox-esr; a firefox or firefox-esr on the PATH. Playwright cannot drive Debian's Firefox, so
 * its tests launch it headless on a page that posts its results back (tests/runtimes/firefox.test.ts).
 */
export function findFirefox(m: DiscoveryEnv = machine): Discovery {
  const explicit = m.env.FIREFOX_PATH;
  if (explicit) return m.isExecutable(explicit) ? { path: explicit, source: "FIREFOX_PATH" } : { source: `FIREFOX_PATH=${explicit} is not an executable` };
  for (const path of ["/usr/bin/firefox-esr", "/usr/bin/firefox"]) if (m.isExecutable(path)) return { path, source: "Debian's firefox" };
  for (const dir of (m.env.PATH ?? "").split(delimiter).filter(Boolean)) {
    for (const name of ["firefox-esr", "firefox"]) {
      const path = join(dir, name);
      if (m.isExecutable(path)) return { path, source: `${name} on the PATH` };
    }
  }
  return { source: "no FIREFOX_PATH, /usr/bin/firefox-esr, or firefox on the PATH" };
}

/** The line printed when the Firefox suite is skipped. */
export const firefoxSkipLine = (d: Discovery): string =>
  `simdconv: Firefox tests skipped (${d.source}); to run them: apt-get install firefox-esr, or set FIREFOX_PATH=/path/to/firefox`;

/** The machine's Firefox, found once per process. */
export const firefoxFound: Discovery = findFirefox();

/** The machine's Chromium, found once per process. */
export const chromiumFound: Discovery = findChromium();

/** How every test launches Chromium. */
export const chromiumLaunchOptions = {
  executablePath: chromiumFound.path,
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
};

/** Cross-origin isolation, which SharedArrayBuffer (threads) needs in browsers: the README's headers. */
export const crossOriginIsolation = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};
