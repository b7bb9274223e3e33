/** init() with a precompiled WebAssembly.Module, as Workers and CSP-strict pages hand it over. */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { init, relu, tensor } from "../../src/index.js";

it("instantiates a given module and reads its build name from the custom section", async () => {
  const module = await WebAssembly.compile(readFileSync(new URL("../../build/simdconv-simd.wasm", import.meta.url)));
  const caps = await init({ wasm: module });
  expect(caps.build).toBe("simd");
  expect(caps.relaxedSimd).toBe(false);
  expect(Array.from(relu(tensor([-1, 2, -3])).dataSync())).toEqual([0, 2, 0]);
  // Idempotent: a later init() keeps the module that loaded.
  expect((await init()).build).toBe("simd");
});
