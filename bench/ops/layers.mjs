// The layer suite (bench/ops/layer-table.mjs): simdconv against tfjs-backend-wasm and
// onnxruntime-web, one thread each, on every row; then our 2 threads against our 1.
//   npm run bench -- --suite layers              both builds, then the report in docs/performance.md
//   node bench/ops/layers.mjs [options]          the build this Node gives (plain SIMD on Node 20;
//                                                relaxed with --experimental-wasm-relaxed-simd)
//     --quick           the rows marked quick, fewer runs
//     --only a,b        rows whose id contains one of these strings
//     --no-threads      skip the 2-thread column
//     --threads all     the 2-thread column on every row (default: on the quick rows only, the
//                       column costs a worker restart per sample and a headroom probe per row)
//     --json FILE       default bench/results/layers-<build>[-quick].json
//
// Method as in bench/ops/compare.mjs (timing from bench/harness.mjs): the same seeded input for every library, warm-up runs, then the
// libraries timed in turns (A B C, B C A, …); the clock stops after the output is read back; the
// median is reported. Runs per row follow the row's cost: a time budget, at least 3 runs.
// "% peak": GFLOP/s over the FMA-loop peak (bench/tools/peak.ts) measured in this process just before
// the row: on a shared host the cores' speed changes from minute to minute, and one figure taken
// at the start misstated later rows by 2× either way. "% copy": a plain wasm SIMD
// copy of the row's least traffic (input + filter + output bytes) timed here, over the op's time,
// the memory-speed yardstick for the rows that are not compute-bound.
import { execFileSync } from "node:child_process";
import os from "node:os";
import { LAYERS, SKIPPED, flopsOf, minBytes } from "./layer-table.mjs";
import { createPeers } from "./peers.mjs";
import { measurePeak, compile } from "../tools/peak.mjs";
import { cli, headroomProbe, inTurns, median, warmUp, writeJson } from "../harness.mjs";

const argv = process.argv.slice(2);
const opts = cli("node [--experimental-wasm-relaxed-simd] bench/ops/layers.mjs [options]: the layer suite", {
  quick: { type: "boolean", help: "the rows marked quick, fewer runs" },
  only: { type: "string", help: "rows whose id contains one of these strings, e.g. a,b" },
  "no-threads": { type: "boolean", help: "skip the 2-thread column" },
  threads: { type: "string", default: "quick", help: "all: the 2-thread column on every row" },
  json: { type: "string", help: "default bench/results/layers-<build>[-quick].json" },
});
const quick = opts.quick;
const only = opts.only?.split(",");
const rows = LAYERS.filter((r) => (only ? only.some((s) => r.id.includes(s)) : !quick || r.quick));
/** Per row, all libraries together: runs continue until this much time or MAX_RUNS. */
const BUDGET_MS = quick ? 600 : 1500;
const MIN_RUNS = 3;
const MAX_RUNS = quick ? 7 : 15;
/** A 2-thread speedup is void unless the host gave this much headroom (two busy loops vs one). */
const MIN_HEADROOM = 1.8;

const relaxedFlag = process.execArgv.some((a) => a.includes("relaxed-simd"));
const libs = (await createPeers({ cpu: false, ort: true })).filter((l) => l.name !== "simdconv-simd");
const ours = libs[0];
const build = ours.build;
const peak = measurePeak(build.includes("relaxed"));
const yardstick = compile(build.includes("relaxed"), 64);
// Warm the copy and FMA loops into V8's optimising tier, as measurePeak does for its loop.
for (let i = 0; i < 200; i++) yardstick.copy(0, 2 << 20, 1 << 19);
for (let i = 0; i < 20; i++) yardstick.peak(1_000_000, 0.5, 0.25);

/** The FMA-loop peak now, GFLOP/s: the best of 7 short runs (about 10 ms in all on a quiet core). */
function peakNow() {
  let best = 0;
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    yardstick.peak(200_000, 0.999, 0.001);
    best = Math.max(best, (200_000 * 96) / (performance.now() - t) / 1e6);
  }
  return best;
}

const cpuModel = (() => {
  try {
    return /Model name:\s*(.*)/.exec(execFileSync("lscpu", { encoding: "utf8" }))[1].trim();
  } catch {
    return os.cpus()[0]?.model ?? "unknown CPU";
  }
})();

function maxAbsDiff(a, b) {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = d;
  }
  return m;
}

/** ms of the wasm SIMD copy loop moving `bytes` (half read, half written). */
function copyMs(bytes) {
  const n = Math.max(16, Math.floor(bytes / 8 / 16) * 16);
  const need = 8 * n + 64;
  const mem = yardstick.memory;
  if (mem.buffer.byteLength < need) mem.grow(Math.ceil((need - mem.buffer.byteLength) / 65536));
  const t = [];
  for (let i = 0; i < 9; i++) {
    const s = performance.now();
    yardstick.copy(0, 4 * n, n);
    if (i >= 2) t.push(performance.now() - s);
  }
  return (median(t) * (bytes / 8)) / n;
}

/** The libraries on one row, single thread, in turns. */
async function measureRow(row, index) {
  // bench/inputs.mjs seeds by a numeric id.
  const shape = { ...row, id: 1000 + index };
  const prepared = [];
  for (const lib of libs) prepared.push({ lib, run: await lib.prepare(shape) });
  const outputs = [];
  let estimate = 0;
  for (const p of prepared) {
    await p.run.before?.();
    const out = await p.run(); // weight packing, session set-up, JIT tiers
    outputs.push(p.run.nhwc ? p.run.nhwc(out) : out);
    estimate += await warmUp(p.run, { min: 1, max: 20, ms: 100 });
  }
  const rounds = Math.max(MIN_RUNS, Math.min(MAX_RUNS, Math.ceil(BUDGET_MS / estimate)));
  const times = await inTurns(prepared.map((p) => p.run), (round) => round < rounds);
  const diffs = outputs.map((o) => maxAbsDiff(outputs[0], o));
  for (const p of prepared) p.run.dispose?.();
  outputs.length = 0;
  return prepared.map((p, i) => ({ lib: p.lib.name, ms: median(times[i]), runs: times[i].length, maxAbsDiff: diffs[i] }));
}

/**
 * Our 1 thread against our 2 on one row, pair by pair in turns (as bench/threads.mjs does:
 * same tensors, a switch of the count outside the clock), each sample at least 20 ms of
 * back-to-back ops. Headroom is probed before the row; the row's figure is void when it or the
 * next row's probe is under MIN_HEADROOM.
 */
async function threadRow(sc, row, index, estimateMs) {
  const run = await ours.prepare({ ...row, id: 1000 + index });
  const sample = () => {
    let n = 0;
    const t0 = performance.now();
    do {
      run();
      n++;
    } while (performance.now() - t0 < 20);
    return (performance.now() - t0) / n;
  };
  const use = async (n) => {
    if (n === 1) sc.setThreadsCount(1);
    else await sc.init({ threads: 2 });
    for (const t0 = performance.now(); performance.now() - t0 < 60; ) sample();
  };
  const pairs = estimateMs > 150 ? 3 : 5;
  const ms = { 1: [], 2: [] };
  for (let r = 0; r < pairs; r++) {
    for (const n of r % 2 ? [2, 1] : [1, 2]) {
      await use(n);
      ms[n].push(sample());
    }
  }
  run.dispose();
  return { t1: median(ms[1]), t2: median(ms[2]), speedup: median(ms[1].map((t, i) => t / ms[2][i])) };
}

const fmt = (v, d = 2) => (v === undefined || !Number.isFinite(v) ? "—" : v.toFixed(d));
const pct = (v) => (Number.isFinite(v) ? `${Math.round(100 * v)}%` : "—");

console.log(
  `simdconv layer suite — ${new Date().toISOString()} — ${cpuModel}, ${os.cpus().length} vCPUs — Node ${process.version}` +
    ` — ours: ${build} build${relaxedFlag ? " (--experimental-wasm-relaxed-simd)" : ""}`,
);
console.log(
  `peers: ${libs.slice(1).map((l) => `${l.name} ${l.version}`).join(", ")}; all single-threaded. ` +
    `Peak (${peak.kind}): ${peak.gflops.toFixed(1)} GFLOP/s. ${rows.length} rows, ${SKIPPED.length} skipped.`,
);
const results = [];
const startedAt = new Date().toISOString();
const started = performance.now();
/** The host's load when the run starts and ends: on a shared machine it says how far to trust the run. */
const loadavg = [os.loadavg()[0]];
for (const [i, row] of rows.entries()) {
  const index = LAYERS.indexOf(row);
  const peakGflops = peakNow();
  const res = await measureRow(row, index);
  const flops = flopsOf(row);
  const bytes = minBytes(row);
  results.push({ id: row.id, group: row.group, label: row.label, op: row.op, flops, bytes, copyMs: copyMs(bytes), peakGflops, results: res });
  process.stderr.write(`\r${i + 1}/${rows.length} ${row.id} ${((performance.now() - started) / 1000).toFixed(0)} s`.padEnd(70));
}
process.stderr.write("\n");

let threads;
if (!opts["no-threads"]) {
  const sc = await import("../../dist/index.js");
  await sc.init({ threads: 2 });
  const count = sc.capabilities().threadsCount;
  threads = { minHeadroom: MIN_HEADROOM, threadsCount: count, rows: opts.threads };
  if (count === 2) {
    const probe = headroomProbe(2e7);
    const headroom = [];
    const allRows = opts.threads === "all";
    const threadRows = results.filter((r, i) => allRows || rows[i].quick);
    for (const [i, r] of threadRows.entries()) {
      headroom.push(probe.measure());
      const row = rows[results.indexOf(r)];
      r.threads = await threadRow(sc, row, LAYERS.indexOf(row), r.results[0].ms);
      process.stderr.write(`\rthreads ${i + 1}/${threadRows.length} ${row.id}`.padEnd(60));
    }
    headroom.push(probe.measure());
    await probe.close();
    for (const [i, r] of threadRows.entries()) {
      r.threads.headroom = [headroom[i], headroom[i + 1]];
      r.threads.void = Math.min(...r.threads.headroom) < MIN_HEADROOM;
    }
    process.stderr.write("\n");
  } else {
    threads.reason = sc.capabilities().reasonThreadsOff;
  }
  await sc.shutdownThreads();
}

// The table, as printed and as the report shows it.
const msOf = (r, lib) => r.results.find((x) => x.lib === lib)?.ms;
const head = ["id", "layer", "MFLOP", "ours ms", "× tfjs-wasm", "× ort-web", "% peak ours / tfjs", "% copy ours / tfjs", "2 thr ×"];
const lines = [head];
for (const r of results) {
  const o = msOf(r, "simdconv"), tf = msOf(r, "tfjs-wasm"), ort = msOf(r, "ort-web");
  const rate = (ms) => r.flops / ms / 1e6 / r.peakGflops;
  const t = r.threads;
  lines.push([
    r.id, r.label, r.flops ? fmt(r.flops / 1e6, 1) : "—", fmt(o, 3), fmt(tf / o) + "×", fmt(ort / o) + "×",
    r.flops ? `${pct(rate(o))} / ${pct(rate(tf))}` : "—", `${pct(r.copyMs / o)} / ${pct(r.copyMs / tf)}`,
    t ? `${fmt(t.speedup)}×${t.void ? " void" : ""}` : "—",
  ]);
}
const widths = head.map((_, c) => Math.max(...lines.map((l) => l[c].length)));
const table = lines.map((l) => "| " + l.map((v, c) => v.padEnd(widths[c])).join(" | ") + " |");
table.splice(1, 0, "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
console.log(table.join("\n"));

const convs = results.filter((r) => r.op === "conv");
for (const peer of ["tfjs-wasm", "ort-web"]) {
  const ratios = convs.map((r) => ({ id: r.id, x: msOf(r, peer) / msOf(r, "simdconv") })).sort((a, b) => a.x - b.x);
  if (!ratios.length) continue;
  console.log(
    `× vs ${peer} over ${ratios.length} conv rows: worst ${fmt(ratios[0].x)}× (${ratios[0].id}), median ${fmt(median(ratios.map((r) => r.x)))}×`,
  );
}
console.log(`skipped: ${SKIPPED.map((s) => s.id).join(", ")} (${SKIPPED[0].reason})`);
console.log(`suite time ${((performance.now() - started) / 1000).toFixed(0)} s`);

loadavg.push(os.loadavg()[0]);
const jsonPath = opts.json ?? `bench/results/layers-${build}${quick ? "-quick" : ""}.json`;
const raw = {
  date: startedAt, ended: new Date().toISOString(), cpu: cpuModel, vcpus: os.cpus().length, node: process.version,
  command: `node${relaxedFlag ? " --experimental-wasm-relaxed-simd" : ""} bench/ops/layers.mjs ${argv.join(" ")}`.trim(),
  build, quick, loadavg, peak, libs: libs.map((l) => ({ name: l.name, version: l.version })), threads,
  skipped: SKIPPED, rows: results,
};
writeJson(jsonPath, raw, 1);
console.log(`results: ${jsonPath}`);
for (const l of libs) await l.close?.();
