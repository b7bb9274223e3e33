import { defineConfig } from "vitest/config";

// Every test runs twice: on the plain SIMD build, and on the relaxed-SIMD build (which Node 20
// enables only with --experimental-wasm-relaxed-simd). SIMDCONV_BUILD tells tests which runs.
export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: "simd", setupFiles: ["tests/setup-plain-build.ts"], env: { SIMDCONV_BUILD: "simd" } },
      },
      {
        extends: true,
        test: { name: "relaxed-simd", execArgv: ["--experimental-wasm-relaxed-simd"], env: { SIMDCONV_BUILD: "relaxed-simd" } },
      },
    ],
  },
});
