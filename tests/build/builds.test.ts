import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { capabilities } from "../../src/index.js";
import { sharedTwin } from "../../src/threads/shared_twin.js";
import { threadsBuild } from "../../src/threads/shared_builds.js";

describe("the build under test", () => {
  it("is the one this test project asked for, and capabilities() says so", () => {
    const want = process.env.SIMDCONV_BUILD;
    expect(want, "run through vitest.config.ts's projects").toBeDefined();
    const caps = capabilities();
    expect(caps.build).toBe(want);
    expect(caps.relaxedSimd).toBe(want === "relaxed-simd");
  });
});

describe("the -threads builds derived from their single-thread twins", () => {
  it.each(["simd", "relaxed-simd"])("sharedTwin(%s) is byte for byte the compiled -threads build", (name) => {
    const plain = readFileSync(new URL(`../../build/simdconv-${name}.wasm`, import.meta.url));
    const compiled = readFileSync(new URL(`../../build/simdconv-${name}-threads.wasm`, import.meta.url));
    const twin = sharedTwin(new Uint8Array(plain), `${name}-threads`);
    expect(twin.length).toBe(compiled.length);
    expect(Buffer.from(twin).equals(compiled)).toBe(true);
    // And what the library runs with threads on is that twin, named as such.
    expect(threadsBuild(name)?.name).toBe(`${name}-threads`);
    expect(Buffer.from(threadsBuild(name)!.bytes).equals(compiled)).toBe(true);
  });
});
