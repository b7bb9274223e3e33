// The generated tables of docs/performance.md and README.md match bench/results/*.json: a run
// whose JSON was committed without its tables, or tables edited by hand, fail here. The fix is
// `node bench/tools/report.mjs` (and `node bench/ops/layers-report.mjs` for the layer suite).
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { RESULTS, begin, end, fill, loadResults, sections } from "../../bench/tools/report.mjs";
// @ts-ignore: a plain .mjs bench module without types
import { BEGIN, END, DEFAULT_FILES, layerSection } from "../../bench/ops/layers-report.mjs";

const root = new URL("../../", import.meta.url);
const read = (file: string) => readFileSync(new URL(file, root), "utf8");
const results = loadResults();

describe("generated bench tables", () => {
  it.each(RESULTS)("bench/results/%s.json is committed", (name) => {
    expect(results[name], `bench/results/${name}.json`).toBeDefined();
  });

  it.each(["docs/performance.md", "README.md"])("%s is up to date with bench/results/", (file) => {
    const named = sections(results)[file as "README.md"];
    expect(Object.keys(named).length).toBeGreaterThan(0);
    const text = read(file);
    expect(fill(text, file, named), `${file} is stale: run node bench/tools/report.mjs`).toBe(text);
  });

  it("docs/performance.md's layer-suite section is up to date with bench/results/layers-*.json", () => {
    const files = (DEFAULT_FILES as string[]).filter((f) => existsSync(new URL(f, root)));
    expect(files.length).toBeGreaterThan(0);
    const runs = files.map((f) => ({ file: f, ...JSON.parse(read(f)) }));
    const doc = read("docs/performance.md");
    const section = doc.slice(doc.indexOf(BEGIN), doc.indexOf(END) + END.length);
    expect(layerSection(runs), "stale: run node bench/ops/layers-report.mjs").toBe(section);
  });

  it("would notice a changed figure and a missing marker", () => {
    const changed = structuredClone(results);
    changed.compare.tables[0][0].results[0].ms *= 2;
    const file = "README.md";
    expect(fill(read(file), file, sections(changed)[file])).not.toBe(read(file));
    expect(() => fill("no markers here", file, { performance: "x" })).toThrow(/markers/);
    expect(fill(`a\n${begin("t")}\nold\n${end("t")}\nb`, "f", { t: "new" })).toBe(`a\n${begin("t")}\nnew\n${end("t")}\nb`);
  });
});
