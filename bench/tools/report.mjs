// The tables `npm run bench` produces, generated from its results (bench/results/*.json) into
// docs/performance.md and README.md between `generated:<name>` markers; the prose around them
// is written by hand. The last step of `npm run bench`; also on its own after editing this file:
//   node bench/tools/report.mjs [--check]     --check: exit 1 if a file is stale, write nothing
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { cli, median } from "../harness.mjs";

const root = new URL("../../", import.meta.url);
/** The results files the tables read, by name: bench/results/<name>.json. */
export const RESULTS = ["compare", "threads", "threads-peers", "cold-start", "first-op"];
export const begin = (name) => `<!-- generated:${name} begin: node bench/tools/report.mjs -->`;
export const end = (name) => `<!-- generated:${name} end -->`;

export function loadResults(dir = new URL("bench/results/", root)) {
  return Object.fromEntries(RESULTS.map((n) => {
    const file = new URL(`${n}.json`, dir);
    return [n, existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : undefined];
  }));
}

const f = (v, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : "—");
const when = (r) => `${r.date.slice(0, 10)} ${r.date.slice(11, 16)} UTC`;
const load = (r) => (Array.isArray(r.loadavg) ? r.loadavg.map((l) => f(l, 1)).join(" → ") : f(r.loadavg, 1));
const machine = (r) => `${r.cpu}, ${r.vcpus} vCPUs (shared host), Node ${r.node.replace(/^v/, "")}, load average ${load(r)}`;
const msOf = (row, lib) => row.results.find((x) => x.lib === lib)?.ms;
/** Per shape id: { label, ms: per table ours, ratio: { lib: per table } }. */
function compareRows(run) {
  const rows = new Map();
  for (const table of run.tables) {
    for (const row of table) {
      if (!rows.has(row.id)) rows.set(row.id, { id: row.id, label: row.label, ms: [], ratio: {} });
      const r = rows.get(row.id);
      r.ms.push(msOf(row, "simdconv"));
      for (const res of row.results.slice(1)) (r.ratio[res.lib] ??= []).push(res.ms / msOf(row, "simdconv"));
    }
  }
  return [...rows.values()];
}
const version = (run, lib) => run.libs.find((l) => l.name === lib)?.version;

function singleThread(run) {
  const rows = compareRows(run);
  const peers = run.libs.slice(1).map((l) => l.name).filter((n) => n !== "simdconv-simd");
  const out = [
    `\`${run.command}\` (step 1 of \`npm run bench\`), ${when(run)}, ${machine(run)}; ${run.build} build, ` +
      `${peers.map((p) => `${p} ${version(run, p)}`).join(", ")}, 1 thread. Median ms of each table (${run.tables.length}); ` +
      `× = peer ms / simdconv ms per table, then the median (> 1: simdconv is faster):`,
    "",
    `| # | shape | simdconv ms | ${peers.map((p) => `× ${p} per table | × ${p}`).join(" | ")} |`,
    `|---|---|---:|${peers.map(() => "---|---:").join("|")}|`,
  ];
  for (const r of rows) {
    out.push(`| ${r.id} | ${r.label} | ${f(median(r.ms))} | ${peers.map((p) => `${(r.ratio[p] ?? []).map((x) => f(x)).join(", ")} | **${f(median(r.ratio[p] ?? []))}×**`).join(" | ")} |`);
  }
  const plain = rows.find((r) => r.id === 3), fused = rows.find((r) => r.id === 11);
  if (plain && fused) {
    out.push("", `simdconv fused conv+bias+relu (11) ms / plain conv (3) ms per table: ${fused.ms.map((m, i) => f(m / plain.ms[i])).join(", ")}.`);
  }
  return out.join("\n");
}

function threads(run, peers) {
  const out = [];
  if (run) {
    out.push(
      `\`${run.command}\`, ${when(run)}, ${machine(run)}; ${run.build} build; median ms of the pairs, speedup = median of the pairs' ratios:`,
      "",
      "| shape | 1 thread ms | 2 threads ms | speedup | headroom before / after |",
      "|---|---:|---:|---:|---:|",
      ...run.rows.map((r) => `| ${r.shape} | ${f(r.t1)} | ${f(r.t2)} | **${f(r.pair)}×** | ${r.headroom.map((h) => f(h)).join(" / ")} |`),
    );
  }
  if (peers) {
    out.push(
      ...(out.length ? [""] : []),
      `\`${peers.command}\`, ${when(peers)}, headroom ${f(peers.headroom)}; simdconv ${peers.build} on ${peers.threads} threads, onnxruntime-web ${peers.ort} at numThreads = 2; median ms of ${peers.reps} runs:`,
      "",
      "| shape | simdconv 2 threads ms | onnxruntime-web 2 threads ms | × |",
      "|---|---:|---:|---:|",
      ...peers.rows.map((r) => `| ${r.shape} | ${f(r.simdconv)} | ${f(r.ort)} | **${f(r.ort / r.simdconv)}×** |`),
    );
  }
  return out.join("\n");
}

function startup(cold, first) {
  const out = [];
  if (cold) {
    const [ours, theirs, floor] = cold.rows;
    out.push(
      `\`${cold.command}\`, ${when(cold)}, ${machine(cold)}; median of ${cold.runs} alternating runs:`,
      "",
      "| process | wall ms | peak RSS MiB (median / worst) |",
      "|---|---:|---:|",
      ...cold.rows.map((r) => `| ${r.name} | ${f(r.ms, 1)} | ${f(r.rssMiB, 1)} / ${f(r.maxRssMiB, 1)} |`),
      "",
      `simdconv / tfjs-backend-wasm wall time: **${f(ours.ms / theirs.ms)}×**; above node's own start: simdconv ${f(ours.ms - floor.ms, 1)} ms, tfjs-backend-wasm ${f(theirs.ms - floor.ms, 1)} ms.`,
    );
  }
  if (first) {
    out.push(
      ...(out.length ? [""] : []),
      `\`${first.command}\`, ${when(first)}; median of ${first.runs} fresh processes each, ms, read-back included:`,
      "",
      "| shape | simdconv first | simdconv warm | tfjs-wasm first | tfjs-wasm warm | × first |",
      "|---|---:|---:|---:|---:|---:|",
      ...first.rows.map((r) => `| ${r.id} ${r.label} | ${f(r.simdconv.first, 1)} | ${f(r.simdconv.warm, 1)} | ${f(r["tfjs-wasm"].first, 1)} | ${f(r["tfjs-wasm"].warm, 1)} | ${f(r["tfjs-wasm"].first / r.simdconv.first)}× |`),
    );
  }
  return out.join("\n");
}

/** The README's one short table: the median ratio per layer, then one line on ort-web, threads, start-up. */
function readme(r) {
  const run = r.compare;
  const rows = compareRows(run).filter((x) => x.id !== 11);
  const out = [
    `× = tfjs-backend-wasm ${version(run, "tfjs-wasm")} ms / simdconv ms, 1 thread, median of ${run.tables.length} tables of \`npm run bench\`; ` +
      `${when(run).slice(0, 10)}, ${run.cpu}, ${run.vcpus} vCPUs (shared host), Node ${run.node.replace(/^v/, "")}, ${run.build} build:`,
    "",
    "| layer | × |",
    "|---|---:|",
    ...rows.map((x) => `| ${x.label} | ${f(median(x.ratio["tfjs-wasm"] ?? []))}× |`),
  ];
  const ort = rows.map((x) => median(x.ratio["ort-web"] ?? [])).filter(Number.isFinite);
  const parts = [];
  if (ort.length) parts.push(`Against onnxruntime-web ${version(run, "ort-web")}: ${f(Math.min(...ort))}–${f(Math.max(...ort))}×`);
  const big = r.threads?.rows.filter((x) => !x.shape.startsWith("edge")) ?? [];
  if (big.length) {
    const head = big.flatMap((x) => x.headroom);
    parts.push(`2 threads vs 1 on the large convs: ${f(Math.min(...big.map((x) => x.pair)))}–${f(Math.max(...big.map((x) => x.pair)))}× (host headroom ${f(Math.min(...head))}–${f(Math.max(...head))} of 2)`);
  }
  if (r["cold-start"]) parts.push(`cold start: ${f(r["cold-start"].rows[0].ms / r["cold-start"].rows[1].ms)}× tfjs-backend-wasm's time`);
  if (parts.length) out.push("", parts.join("; ") + ".");
  return out.join("\n");
}

/** { file: { section: text } } for the results given; a section whose results are missing is left out. */
export function sections(r) {
  const docs = {};
  if (r.compare) docs["single-thread"] = singleThread(r.compare);
  if (r.threads || r["threads-peers"]) docs.threads = threads(r.threads, r["threads-peers"]);
  if (r["cold-start"] || r["first-op"]) docs.startup = startup(r["cold-start"], r["first-op"]);
  return { "docs/performance.md": docs, "README.md": r.compare ? { performance: readme(r) } : {} };
}

/** `text` with each named section between its markers replaced; a missing marker pair is an error. */
export function fill(text, file, named) {
  for (const [name, body] of Object.entries(named)) {
    const a = text.indexOf(begin(name)), b = text.indexOf(end(name));
    if (a < 0 || b < a) throw new Error(`${file}: no ${begin(name)} … ${end(name)} markers`);
    text = text.slice(0, a) + begin(name) + "\n" + body + "\n" + text.slice(b);
  }
  return text;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const opts = cli("node bench/tools/report.mjs [--check]: the generated tables of docs/performance.md and README.md, from bench/results/", {
    check: { type: "boolean", help: "exit 1 if a file is stale; write nothing" },
  });
  let stale = 0;
  for (const [file, named] of Object.entries(sections(loadResults()))) {
    const url = new URL(file, root);
    const old = readFileSync(url, "utf8");
    const next = fill(old, file, named);
    if (next === old) continue;
    if (opts.check) {
      console.error(`${file}: stale; run node bench/tools/report.mjs`);
      stale++;
    } else {
      writeFileSync(url, next);
      console.log(`wrote ${Object.keys(named).join(", ")} in ${file}`);
    }
  }
  process.exit(stale ? 1 : 0);
}
