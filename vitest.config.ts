import { defineConfig } from "vitest/config";

// Every test runs twice: on the plain SIMD build (relaxed SIMD switched off in the engine, so
// the loader falls back as it would on an older engine) and on the relaxed-SIMD build (which
// Node 20 enables only with --experimental-wasm-relaxed-simd). SIMDCONV_BUILD tells tests which.
export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: "simd", execArgv: ["--no-experimental-wasm-relaxed-simd"], env: { SIMDCONV_BUILD: "simd" } },
      },
      {
        extends: true,
        test: { name: "relaxed-simd", execArgv: ["--experimental-wasm-relaxed-simd"], env: { SIMDCONV_BUILD: "relaxed-simd" } },
      },
    ],
  },
});
