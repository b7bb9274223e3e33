/**
 * The layers of src/ point one way: each module imports only from its own layer or lower ones,
 * memory ← loader ← tensor ← threads ← ops ← runtime, models ← index, with errors.ts below them
 * all and the optional entries (image, cli) above index. A new folder must be placed here.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const src = new URL("../../src/", import.meta.url);

/** Layer of each top-level file or folder of src/; an import may only go to an equal or lower one. */
const LAYERS: Record<string, number> = {
  "errors.ts": 0,
  memory: 0,
  loader: 1,
  "tensor.ts": 2,
  "tensor_format.ts": 2,
  threads: 3,
  ops: 4,
  "runtime.ts": 5,
  models: 5,
  "index.ts": 6,
  image: 8,
  cli: 9,
};

function files(dir: string): string[] {
  return readdirSync(new URL(dir, src), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(`${dir}${e.name}/`) : e.name.endsWith(".ts") ? [`${dir}${e.name}`] : [],
  );
}

const unit = (path: string) => path.split("/")[0];
const layerOf = (path: string) => LAYERS[unit(path)];

/** Resolves a relative import of `from` (a path under src/) to a path under src/. */
function resolve(from: string, spec: string): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  const url = new URL(spec, new URL(from, src));
  return url.pathname.startsWith(src.pathname) ? url.pathname.slice(src.pathname.length).replace(/\.js$/, ".ts") : "..";
}

const all = files("");
const imports = (file: string) =>
  readFileSync(new URL(file, src), "utf8").matchAll(/^\s*(?:import|export)\s[^"']*?from\s+["']([^"']+)["']/gm);

describe("layers of src/", () => {
  it("every top-level file and folder has a layer", () => {
    expect([...new Set(all.map(unit))].filter((u) => LAYERS[u] === undefined)).toEqual([]);
  });

  it.each(all.map((f) => [f]))("%s imports only from its layer or lower ones", (file) => {
    const upward: string[] = [];
    for (const m of imports(file)) {
      const target = resolve(file, m[1]);
      if (target === undefined) continue; // a package
      if (target === ".." || !(layerOf(target) <= layerOf(file))) upward.push(`${m[1]} (${target})`);
    }
    expect(upward).toEqual([]);
  });

  it("no two files import each other, directly or around a circle (type-only imports included)", () => {
    const edges = new Map(all.map((f) => [f, [...imports(f)].map((m) => resolve(f, m[1])).filter((t): t is string => !!t && t !== "..")]));
    const state = new Map<string, "open" | "done">();
    const circles: string[] = [];
    const visit = (f: string, path: string[]): void => {
      if (state.get(f) === "done") return;
      if (state.get(f) === "open") {
        circles.push([...path.slice(path.indexOf(f)), f].join(" -> "));
        return;
      }
      state.set(f, "open");
      for (const t of edges.get(f) ?? []) visit(t, [...path, f]);
      state.set(f, "done");
    };
    for (const f of all) visit(f, []);
    expect(circles).toEqual([]);
  });
});
