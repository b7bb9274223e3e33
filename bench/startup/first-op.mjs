// The first large conv of a fresh process, against the same conv warm: V8 runs a wasm
// function at baseline speed until its optimised code is ready, and a call already running
// keeps the baseline code (docs/kernels.md, "The first op"). simdconv against
// tfjs-backend-wasm, fresh processes alternating; median of the runs.
//   npm run build && flock /tmp/simdconv-bench.lock node bench/startup/first-op.mjs [--runs 5] [--json FILE]
import { spawnSync } from "node:child_process";
import { cli, host, median, writeJson } from "../harness.mjs";
import { SHAPES } from "../ops/shapes.mjs";

const opts = cli("node bench/startup/first-op.mjs [options]: the first large conv of a fresh process vs warm, simdconv and tfjs-backend-wasm", {
  runs: { type: "number", default: 5, help: "fresh processes per library and shape" },
  json: { type: "string", help: "also write the rows to this file" },
});
const runs = opts.runs;
const started = host();
const rows = [];
const child = new URL("first-op/child.mjs", import.meta.url).pathname;
const libs = ["simdconv", "tfjs-wasm"];

console.log(`First conv in a fresh process (median of ${runs} processes each, ms, read back included)`);
console.log("| shape | simdconv first | simdconv warm | tfjs-wasm first | tfjs-wasm warm | × first |\n|---|---:|---:|---:|---:|---:|");
for (const id of [3, 8]) {
  const got = new Map(libs.map((l) => [l, { first: [], warm: [] }]));
  for (let r = 0; r < runs; r++) {
    for (const lib of r % 2 ? [...libs].reverse() : libs) {
      const p = spawnSync(process.execPath, [child, lib, String(id)], { encoding: "utf8" });
      if (p.status !== 0) throw new Error(`${lib} shape ${id}: ${p.stderr}`);
      const { ms } = JSON.parse(p.stdout.trim().split("\n").pop());
      got.get(lib).first.push(ms[0]);
      got.get(lib).warm.push(median(ms.slice(1)));
    }
  }
  const m = (lib, k) => median(got.get(lib)[k]);
  const label = SHAPES.find((s) => s.id === id).label;
  rows.push({ id, label, ...Object.fromEntries(libs.map((l) => [l, { first: m(l, "first"), warm: m(l, "warm") }])) });
  console.log(`| ${id} ${label} | ${m("simdconv", "first").toFixed(1)} | ${m("simdconv", "warm").toFixed(1)} | ${m("tfjs-wasm", "first").toFixed(1)} | ${m("tfjs-wasm", "warm").toFixed(1)} | ${(m("tfjs-wasm", "first") / m("simdconv", "first")).toFixed(2)}× |`);
}
if (opts.json) writeJson(opts.json, { ...started, command: `node bench/startup/first-op.mjs --runs ${runs}`, runs, rows });
