/**
 * simdconv/image has three entry points: node.ts (the `node` condition), browser.ts (`browser`)
 * and any.ts, the types a resolver without either condition reads (TypeScript's `bundler`).
 * any.ts must declare every name the other two export, or such a program loses them.
 */
import { expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const file = (name: string) => fileURLToPath(new URL(`../../src/image/${name}.ts`, import.meta.url));

it("any.ts declares every export of node.ts and browser.ts, and nothing else", () => {
  const entries = ["node", "browser", "any"] as const;
  const program = ts.createProgram(entries.map(file), {
    module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, moduleResolution: ts.ModuleResolutionKind.Bundler, types: ["node"], noEmit: true,
  });
  const checker = program.getTypeChecker();
  const names = Object.fromEntries(entries.map((e) => {
    const symbol = checker.getSymbolAtLocation(program.getSourceFile(file(e))!)!;
    return [e, new Set(checker.getExportsOfModule(symbol).map((s) => s.name))];
  })) as Record<(typeof entries)[number], Set<string>>;
  expect(names.node.size).toBeGreaterThan(30);
  expect([...names.node].filter((n) => !names.any.has(n))).toEqual([]);
  expect([...names.browser].filter((n) => !names.any.has(n))).toEqual([]);
  expect([...names.any].filter((n) => !names.node.has(n) && !names.browser.has(n))).toEqual([]);
  // The async encoders in particular (writePng's own path) are reachable under `types` too.
  expect(names.any.has("encodePngAsync") && names.any.has("encodeLevelsPngAsync")).toBe(true);
});
