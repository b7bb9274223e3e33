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

export default defineConfig({
  test: {
    testTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: "node", include: ["tests/**/*.test.ts"], exclude: [...configDefaults.exclude, "tests/browser/**"] },
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
