import { defineConfig } from "vitest/config";
import { playwright } from "@vitest/browser-playwright";

/** Debian's Chromium (CI installs it with apt); Playwright's own browser downloads are not available. */
const chromium = playwright({
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  },
});

/** A Chromium project; `headers` are what the test page is served with. */
function browserProject(name: string, include: string, headers: Record<string, string>) {
  return {
    extends: true as const,
    server: { headers },
    test: {
      name,
      include: [include],
      browser: { enabled: true, headless: true, provider: chromium, instances: [{ browser: "chromium" as const }] },
    },
  };
}

export default defineConfig({
  test: {
    testTimeout: 60_000,
    projects: [
      { extends: true, test: { name: "node", include: ["tests/**/*.test.ts"], exclude: ["tests/browser/**"] } },
      // Cross-origin isolated: SharedArrayBuffer exists, so threads run.
      browserProject("chromium-isolated", "tests/browser/threads-isolated.test.ts", {
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Embedder-Policy": "require-corp",
      }),
      // The same page without the headers: threads must fall back and say why.
      browserProject("chromium-not-isolated", "tests/browser/threads-not-isolated.test.ts", {}),
    ],
  },
});
