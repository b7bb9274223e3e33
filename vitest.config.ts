import { configDefaults, defineConfig } from "vitest/config";
import { playwright } from "@vitest/browser-playwright";
import { chromiumLaunchOptions, crossOriginIsolation } from "./tests/browser/chromium.js";

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
const integration = ["tests/runtimes/**", "tests/kernels/generated.test.ts", "tests/readme.test.ts", "tests/cli.test.ts", "tests/web.test.ts", "tests/image/package.test.ts"];

// Node tests run on the relaxed-SIMD build (Node 20 enables it only with
// --experimental-wasm-relaxed-simd) and again on the plain SIMD build (relaxed SIMD switched
// off in the engine, so the loader falls back as on an older engine). SIMDCONV_BUILD says which.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "relaxed-simd",
          include: ["tests/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "tests/browser/**"],
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
          exclude: [...configDefaults.exclude, "tests/browser/**", ...integration],
          execArgv: ["--no-experimental-wasm-relaxed-simd"],
          env: { SIMDCONV_BUILD: "simd" },
        },
      },
      {
        extends: true,
        server: { headers: crossOriginIsolation },
        test: {
          name: "chromium",
          include: ["tests/browser/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...notIsolated],
          browser: chromium(),
        },
      },
      { extends: true, test: { name: "chromium-not-isolated", include: notIsolated, browser: chromium() } },
    ],
  },
});
