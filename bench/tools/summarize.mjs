// Ratios against one peer across several `node bench/ops/compare.mjs --json FILE` runs: each table's
// ratio (peer ms / simdconv ms), then the median over all of them. On a shared, noisy host one
// run's ratio can swing by 20 %, so a target is judged on the median of several.
//   node bench/tools/summarize.mjs [--peer tfjs-wasm] run1.json run2.json …
import { readFileSync } from "node:fs";
import { cli, median } from "../harness.mjs";

const opts = cli("node bench/tools/summarize.mjs [--peer NAME] run.json …: ratios against one peer over several runs", {
  peer: { type: "string", default: "tfjs-wasm", help: "the peer the ratios are taken against" },
}, { positionals: "run.json files written by bench/ops/compare.mjs --json" });
const peer = opts.peer;
const runs = opts._.map((f) => JSON.parse(readFileSync(f, "utf8")));
if (runs.length === 0) throw new Error("usage: node bench/tools/summarize.mjs [--peer NAME] run.json …");

const rows = new Map();
for (const run of runs) {
  for (const table of run.tables) {
    for (const row of table) {
      const ms = (lib) => row.results.find((r) => r.lib === lib)?.ms;
      if (ms(peer) === undefined) continue;
      if (!rows.has(row.id)) rows.set(row.id, { label: row.label, ratios: [] });
      rows.get(row.id).ratios.push(ms(peer) / ms("simdconv"));
    }
  }
}
console.log(`× = ${peer} ms / simdconv ms, per table, over ${runs.length} run(s): ${runs.map((r) => r.date).join(", ")}`);
console.log("| # | shape | per table | median |\n|---|---|---|---:|");
for (const [id, { label, ratios }] of rows) {
  console.log(`| ${id} | ${label} | ${ratios.map((r) => r.toFixed(2)).join(", ")} | **${median(ratios).toFixed(2)}×** |`);
}

// The fused target: fused conv+bias+relu (11) costs no more than plain conv on shape 3.
const fusedOverPlain = runs.flatMap((run) =>
  run.tables.flatMap((table) => {
    const ours = (id) => table.find((row) => row.id === id)?.results.find((r) => r.lib === "simdconv")?.ms;
    return ours(3) && ours(11) ? [ours(11) / ours(3)] : [];
  }),
);
if (fusedOverPlain.length) {
  console.log(`\nsimdconv fused (11) ms / plain (3) ms per table: ${fusedOverPlain.map((r) => r.toFixed(2)).join(", ")}; median ${median(fusedOverPlain).toFixed(2)}`);
}
