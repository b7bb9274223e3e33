// simdconv against its peers, one Node process, single thread:
//   npm run bench                        all shapes, table printed twice
//   npm run bench -- --quick             fewer runs, one table (a cheap sanity pass)
//   npm run bench -- --shapes 1,3,9      only those shapes (numbers as in bench/shapes.mjs)
//   npm run bench -- --cpu               add tfjs-backend-cpu (slow)
//   npm run bench -- --json out.json     also write the raw timings
//   npm run bench -- --runs 20           at least this many timed runs per library
//
// Method: every library gets the same seeded input; each is warmed up, then the libraries
// are timed in turn (A B C, B C A, ...) so drifting clocks or a busy neighbour hit all of
// them alike; the clock stops after the output has been read back into a Float32Array;
// the median is reported; outputs are checked against ours (max abs diff).
import { writeFileSync } from "node:fs";
import os from "node:os";
import { SHAPES, flopsOf, bytesOf } from "./shapes.mjs";
import { createPeers } from "./peers.mjs";
import { measurePeak } from "./peak.mjs";
import { median, option } from "./util.mjs";

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const quick = flag("--quick");
const minRuns = Number(option("--runs", quick ? 5 : 10));
const tables = Number(option("--tables", quick ? 1 : 2));
const jsonPath = option("--json", undefined);
const wanted = option("--shapes", undefined)?.split(",").map(Number);
const shapes = wanted ? SHAPES.filter((s) => wanted.includes(s.id)) : SHAPES;
/** Keep each timed phase short for small shapes but never under `minRuns` runs. */
const MIN_PHASE_MS = quick ? 150 : 400;

const relaxedFlag = process.execArgv.some((a) => a.includes("relaxed-simd"));

const libs = await createPeers({ cpu: flag("--cpu"), ort: !flag("--no-ort") });
const ours = libs[0];
const peak = measurePeak(ours.build.includes("relaxed"));

function maxAbsDiff(a, b) {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = d;
  }
  return m;
}

async function benchShape(shape) {
  const prepared = [];
  for (const lib of libs) prepared.push({ lib, run: await lib.prepare(shape) });
  const outputs = [];
  for (const p of prepared) {
    await p.run.before?.();
    const out = await p.run(); // warm-up: weight packing, session set-up, JIT tiers
    outputs.push(p.run.nhwc ? p.run.nhwc(out) : out);
    const warm = performance.now();
    for (let i = 0; i < 20 && (i < 2 || performance.now() - warm < MIN_PHASE_MS / 2); i++) await p.run();
  }
  const times = prepared.map(() => []);
  const t0 = performance.now();
  for (let round = 0; round < minRuns || performance.now() - t0 < MIN_PHASE_MS * prepared.length; round++) {
    for (let j = 0; j < prepared.length; j++) {
      const k = (round + j) % prepared.length;
      await prepared[k].run.before?.();
      const start = performance.now();
      await prepared[k].run();
      times[k].push(performance.now() - start);
    }
    if (round > 200) break;
  }
  for (const p of prepared) p.run.dispose?.();
  return prepared.map((p, i) => ({
    lib: p.lib.name,
    ms: median(times[i]),
    runs: times[i].length,
    maxAbsDiff: i === 0 ? 0 : maxAbsDiff(outputs[0], outputs[i]),
  }));
}

const fmt = (v, d = 2) => (v === undefined || !Number.isFinite(v) ? "—" : v.toFixed(d));

function printTable(rows) {
  const peers = libs.slice(1).map((l) => l.name);
  const head = ["#", "shape", "ours ms", "GFLOP/s", "% peak", ...peers.flatMap((p) => [`${p} ms`, `× vs ${p}`]), "max |Δ|"];
  const lines = [head];
  for (const r of rows) {
    const o = r.results[0];
    const flops = flopsOf(r.shape);
    const rate = flops ? flops / o.ms / 1e6 : bytesOf(r.shape) / o.ms / 1e6;
    const cells = [
      String(r.shape.id), r.shape.label, fmt(o.ms, 3),
      flops ? fmt(rate, 1) : `${fmt(rate, 1)} GB/s`,
      flops ? fmt((100 * rate) / peak.gflops, 0) + "%" : "—",
    ];
    for (const res of r.results.slice(1)) cells.push(fmt(res.ms, 3), fmt(res.ms / o.ms, 2) + "×");
    cells.push(r.results.slice(1).map((x) => x.maxAbsDiff.toExponential(1)).join(" / "));
    lines.push(cells);
  }
  const widths = head.map((_, c) => Math.max(...lines.map((l) => l[c].length)));
  const md = lines.map((l) => "| " + l.map((v, c) => v.padEnd(widths[c])).join(" | ") + " |");
  md.splice(1, 0, "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  console.log(md.join("\n"));
}

const cpu = os.cpus()[0]?.model ?? "unknown CPU";
console.log(
  `simdconv bench — ${new Date().toISOString()} — ${cpu}, ${os.cpus().length} vCPUs — Node ${process.version}` +
    ` — ours: ${ours.build} build${relaxedFlag ? " (--experimental-wasm-relaxed-simd)" : ""}`,
);
console.log(
  `peers: ${libs.slice(1).map((l) => l.name + " " + l.version).join(", ")}; all single-threaded. ` +
    `Peak (${peak.kind}, 12 chains): ${peak.gflops.toFixed(1)} GFLOP/s. ×: peer ms / ours ms (> 1: we are faster).`,
);
const all = [];
for (let t = 0; t < tables; t++) {
  const rows = [];
  for (const shape of shapes) {
    rows.push({ shape, results: await benchShape(shape) });
    process.stderr.write(".");
  }
  process.stderr.write("\n");
  console.log(`\nTable ${t + 1} of ${tables} (median ms of ≥ ${minRuns} runs):\n`);
  printTable(rows);
  all.push(rows);
}
if (jsonPath) {
  const raw = {
    date: new Date().toISOString(), cpu, vcpus: os.cpus().length, node: process.version,
    build: ours.build, peak, libs: libs.map((l) => ({ name: l.name, version: l.version })),
    tables: all.map((rows) => rows.map((r) => ({ id: r.shape.id, label: r.shape.label, flops: flopsOf(r.shape), results: r.results }))),
  };
  writeFileSync(jsonPath, JSON.stringify(raw, null, 2));
  console.log(`\nraw results: ${jsonPath}`);
}
for (const l of libs) await l.close?.();
