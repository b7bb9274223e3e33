import { configDefaults, defineConfig } from "vitest/config";
import { playwright } from "@vitest/browser-playwright";
import { tfjsSpecs } from "./tests/tfjs-specs/plugin.js";
import { browserRequired, chromiumFound, chromiumLaunchOptions, crossOriginIsolation, firefoxFound, firefoxSkipLine, skipLine } from "./tests/browser/chromium.js";

/** A fresh object per project: vitest names each project's browser instances in place. */
const chromium = () => ({
  enabled: true,
  headless: true,
  provider: playwright({ launchOptions: chromiumLaunchOptions }),
  instances: [{ browser: "chromium" as const }],
});
/** Pages served without COOP/COEP, where threads must fall back and say why. */
const notIsolated = ["tests/browser/threads-not-isolated.test.ts"];
/** Suites that drive other processes (runtimes, bundlers, the CLI, the web page). */
const integration = ["tests/runtimes/**", "tests/build/generated.test.ts", "tests/readme.test.ts", "tests/cli/**", "tests/web/**", "tests/image/package.test.ts"];

// Without a browser the browser projects are left out with one line saying how to add them;
// under CI (or SIMDCONV_REQUIRE_BROWSER=1) a missing browser fails the run instead.
if (!chromiumFound.path) {
  if (browserRequired()) throw new Error(`simdconv: a browser is required here (CI or SIMDCONV_REQUIRE_BROWSER=1) but none was found: ${chromiumFound.source}`);
  // vitest evaluates this file more than once per run: the flag keeps the line to one.
  const g = globalThis as { simdconvSkipLine?: boolean };
  if (!g.simdconvSkipLine) console.warn(skipLine(chromiumFound));
  g.simdconvSkipLine = true;
}
// Firefox runs in a node project (tests/runtimes/firefox.test.ts); the same rules apply.
if (!firefoxFound.path) {
  if (browserRequired()) throw new Error(`simdconv: Firefox is required here (CI or SIMDCONV_REQUIRE_BROWSER=1) but none was found: ${firefoxFound.source}`);
  const g = globalThis as { simdconvFirefoxSkipLine?: boolean };
  if (!g.simdconvFirefoxSkipLine) console.warn(firefoxSkipLine(firefoxFound));
  g.simdconvFirefoxSkipLine = true;
}
const browserProjects = [
  {
    extends: true as const,
    server: { headers: crossOriginIsolation },
    test: {
      name: "chromium",
      include: ["tests/browser/**/*.test.ts"],
      exclude: [...configDefaults.exclude, ...notIsolated],
      browser: chromium(),
    },
  },
  { extends: true as const, test: { name: "chromium-not-isolated", include: notIsolated, browser: chromium() } },
];

// Node tests run on the relaxed-SIMD build (Node 20 enables it only with
// --experimental-wasm-relaxed-simd) and again on the plain SIMD build (relaxed SIMD switched
// off in the engine, so the loader falls back as on an older engine). SIMDCONV_BUILD says which.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    globalSetup: ["tests/helpers/temp-root.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "relaxed-simd",
          include: ["tests/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "tests/browser/**", "tests/tfjs-specs/**"],
          execArgv: ["--experimental-wasm-relaxed-simd"],
          env: { SIMDCONV_BUILD: "relaxed-simd" },
        },
      },
      {
        extends: true,
        // The kernels and ops again on the plain build; the integration suites (other runtimes,
        // bundlers, CLI, web page) pick their build in their own processes, so once is enough.
        test: {
          name: "simd",
          include: ["tests/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "tests/browser/**", "tests/tfjs-specs/**", ...integration],
          execArgv: ["--no-experimental-wasm-relaxed-simd"],
          env: { SIMDCONV_BUILD: "simd" },
        },
      },
      {
        extends: true,
        // tfjs-core's own specs, unmodified (tests/tfjs-specs/specs.test.ts); tfjs-core is loaded
        // from its ES module build so the specs, their helpers and the cpu backend share one engine.
        plugins: [tfjsSpecs()],
        resolve: { mainFields: ["module", "main"] },
        test: {
          name: "tfjs-specs",
          include: ["tests/tfjs-specs/*.test.ts"],
          execArgv: ["--experimental-wasm-relaxed-simd"],
          env: { SIMDCONV_BUILD: "relaxed-simd" },
          server: { deps: { inline: [/@tensorflow\/tfjs-(core|backend-cpu)/] } },
        },
      },
      ...(chromiumFound.path ? browserProjects : []),
    ],
  },
});
