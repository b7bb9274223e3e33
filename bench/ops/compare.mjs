// simdconv against its peers, one Node process, single thread (the first step of npm run bench):
//   npm run bench                        all shapes, table printed twice
//   npm run bench -- --quick             fewer runs, one table (a cheap sanity pass)
//   npm run bench -- --shapes 1,3,9      only those shapes (numbers as in bench/ops/shapes.mjs)
//   npm run bench -- --cpu               add tfjs-backend-cpu (slow)
//   npm run bench -- --json out.json     also write the raw timings
//   npm run bench -- --runs 20           at least this many timed runs per library
//
// Method: every library gets the same seeded input; each is warmed up, then the libraries
// are timed in turn (A B C, B C A, ...) so drifting clocks or a busy neighbour hit all of
// them alike; the clock stops after the output has been read back into a Float32Array;
// the median is reported; outputs are checked against ours (max abs diff).
import { SHAPES, flopsOf, bytesOf } from "./shapes.mjs";
import { createPeers } from "./peers.mjs";
import { measurePeak } from "../tools/peak.mjs";
import { cli, host, inTurns, median, warmUp, writeJson } from "../harness.mjs";

const opts = cli("node --experimental-wasm-relaxed-simd bench/ops/compare.mjs [options]: simdconv against its peers, 1 thread", {
  quick: { type: "boolean", help: "fewer runs, one table" },
  shapes: { type: "string", help: "only these shape numbers, e.g. 1,3,9 (bench/ops/shapes.mjs)" },
  cpu: { type: "boolean", help: "add tfjs-backend-cpu (slow)" },
  "no-ort": { type: "boolean", help: "leave onnxruntime-web out" },
  runs: { type: "number", help: "at least this many timed runs per library (default 10, 5 with --quick)" },
  tables: { type: "number", help: "how many times the whole table is measured (default 2, 1 with --quick)" },
  json: { type: "string", help: "also write the raw timings to this file" },
});
const quick = opts.quick;
const minRuns = opts.runs ?? (quick ? 5 : 10);
const tables = opts.tables ?? (quick ? 1 : 2);
const jsonPath = opts.json;
const wanted = opts.shapes?.split(",").map(Number);
const shapes = wanted ? SHAPES.filter((s) => wanted.includes(s.id)) : SHAPES;
/** Keep each timed phase short for small shapes but never under `minRuns` runs. */
const MIN_PHASE_MS = quick ? 150 : 400;

const relaxedFlag = process.execArgv.some((a) => a.includes("relaxed-simd"));

const libs = await createPeers({ cpu: opts.cpu, ort: !opts["no-ort"] });
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
    await warmUp(p.run, { min: 2, max: 20, ms: MIN_PHASE_MS / 2 });
  }
  // At most 202 rounds.
  const times = await inTurns(
    prepared.map((p) => p.run),
    (round, ms) => round <= 201 && (round < minRuns || ms < MIN_PHASE_MS * prepared.length),
  );
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

const { cpu, vcpus, node, loadavg } = host();
console.log(
  `simdconv bench — ${new Date().toISOString()} — ${cpu}, ${vcpus} vCPUs — Node ${node}` +
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
    date: new Date().toISOString(), cpu, vcpus, node, loadavg: [loadavg, host().loadavg],
    command: `node${relaxedFlag ? " --experimental-wasm-relaxed-simd" : ""} bench/ops/compare.mjs ${process.argv.slice(2).join(" ")}`.trim(),
    build: ours.build, peak, libs: libs.map((l) => ({ name: l.name, version: l.version })),
    tables: all.map((rows) => rows.map((r) => ({ id: r.shape.id, label: r.shape.label, flops: flopsOf(r.shape), results: r.results }))),
  };
  writeJson(jsonPath, raw);
  console.log(`\nraw results: ${jsonPath}`);
}
for (const l of libs) await l.close?.();
