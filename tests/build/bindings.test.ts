/**
 * src/loader/kernels.gen.ts, the typed binding of the wasm exports, is generated from
 * assembly/index.ts by scripts/gen-kernels.mjs and committed. These fail when it is stale, and
 * when the binding and the compiled module disagree on an export or its parameter count.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { backend } from "../../src/loader/backend.js";
import { REQUIRED_EXPORTS } from "../../src/loader/kernels.gen.js";
import { generateBinding, kernelSignatures, OUTPUT } from "../../scripts/gen-kernels.mjs";

interface Signature { name: string; params: { name: string; type: string }[]; range: boolean }
const signatures = kernelSignatures() as Signature[];

describe(`the kernel binding (${backend().build} build)`, () => {
  it(`${OUTPUT} is what scripts/gen-kernels.mjs writes`, () => {
    expect(readFileSync(new URL(`../../${OUTPUT}`, import.meta.url), "utf8")).toBe(generateBinding());
  });

  it("lists every function the module exports, and nothing else", () => {
    const exported = WebAssembly.Module.exports(backend().module).filter((e) => e.kind === "function").map((e) => e.name);
    expect([...REQUIRED_EXPORTS].sort()).toEqual(exported.sort());
  });

  it.each(signatures.map((s) => [s.name, s]))("%s takes as many parameters as the binding declares", (name, s) => {
    const fn = (backend().kernels as unknown as Record<string, (...a: number[]) => void>)[name as string];
    expect(fn.length).toBe((s as Signature).params.length);
  });

  it.each(signatures.filter((s) => s.range).map((s) => [s.name, s]))("row kernel %s ends in a range: runRows can split it", (name, s) => {
    expect(s.params.slice(-2).map((p) => p.type), name).toEqual(["i32", "i32"]);
  });

  it("lists at least 10 row kernels", () => {
    expect(signatures.filter((s) => s.range).length).toBeGreaterThanOrEqual(10);
  });
});
