#!/usr/bin/env node
// Cold start: a fresh `node` process imports the library, runs a first 1×32×32×3 conv
// (3×3×3×8, SAME), reads the result and exits; simdconv against tfjs-backend-wasm, runs
// alternating so both see the same machine load. Wall time is measured here, from spawn
// to exit; peak RSS is the child's own maxRSS. --json FILE writes the figures (npm run bench:
// bench/results/cold-start.json).
//
//   npm run build && flock /tmp/simdconv-bench.lock node bench/startup/cold-start.mjs [--runs 9] [--json FILE]
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { cli, host, median, writeJson } from "../harness.mjs";

const here = new URL(".", import.meta.url);
const opts = cli("node bench/startup/cold-start.mjs [options]: a fresh process's import + first conv, simdconv vs tfjs-backend-wasm", {
  runs: { type: "number", default: 9, help: "alternating runs each, at least 7" },
  json: { type: "string", help: "also write the figures to this file" },
});
const runs = opts.runs;
if (!(runs >= 7)) throw new RangeError(`--runs must be at least 7, got ${runs}`);
if (!existsSync(new URL("../../dist/index.js", here))) throw new Error("dist/ is missing: run `npm run build` first");

const contenders = [
  { name: "simdconv", script: new URL("cold-start/simdconv.mjs", here).pathname },
  { name: "tfjs-backend-wasm 4.22.0", script: new URL("cold-start/tfjs-wasm.mjs", here).pathname },
  { name: "node alone (the floor)", script: new URL("cold-start/node-alone.mjs", here).pathname },
];

function coldStart(script) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (code !== 0) return reject(new Error(`${script} exited with ${code}`));
      const { checksum, maxRssKiB } = JSON.parse(out.trim().split("\n").pop());
      resolve({ ms, rssMiB: maxRssKiB / 1024, checksum });
    });
  });
}

const loadBefore = loadavg()[0];
const started = host();
const samples = contenders.map(() => []);
for (let i = 0; i < runs + 1; i++) {
  for (const [k, c] of contenders.entries()) {
    const r = await coldStart(c.script);
    if (i > 0) samples[k].push(r); // the first round warms the OS file cache only
  }
}
const [ours, theirs, floor] = samples.map((s) => ({
  ms: median(s.map((r) => r.ms)),
  rssMiB: median(s.map((r) => r.rssMiB)),
  maxRssMiB: Math.max(...s.map((r) => r.rssMiB)),
  checksum: s[0].checksum,
}));
if (Math.abs(ours.checksum - theirs.checksum) > 1e-3 * (1 + Math.abs(theirs.checksum))) {
  throw new Error(`the two results differ: checksum ${ours.checksum} vs ${theirs.checksum}`);
}

const ratio = ours.ms / theirs.ms;
const rows = [ours, theirs, floor].map(
  (r, k) => `| ${contenders[k].name} | ${r.ms.toFixed(1)} | ${r.rssMiB.toFixed(1)} | ${r.maxRssMiB.toFixed(1)} |`,
);
const md = `A fresh \`node\` process imports the library, runs a first 1×32×32×3 conv (3×3×3×8, SAME),
reads the result and exits. ${runs} alternating runs each (after one warm-up round for the
file cache); wall time from spawn to exit, peak RSS as the child's \`process.resourceUsage().maxRSS\`.

| library | median wall (ms) | median peak RSS (MiB) | worst peak RSS (MiB) |
|---|---:|---:|---:|
${rows.join("\n")}

**simdconv / tfjs-backend-wasm wall time: ${ratio.toFixed(2)}×** (goal ≤ 0.5×); simdconv's peak RSS
${ours.maxRssMiB < 60 ? "stays below" : "exceeds"} 60 MiB. Above node's own start: simdconv ${(ours.ms - floor.ms).toFixed(1)} ms,
tfjs-backend-wasm ${(theirs.ms - floor.ms).toFixed(1)} ms.

Node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"}, ${availableParallelism()} cores, ${new Date().toISOString().slice(0, 16)}Z,
1-minute load average ${loadBefore.toFixed(1)} before and ${loadavg()[0].toFixed(1)} after (above the core count, figures are indicative).
Command: \`npm run build && flock /tmp/simdconv-bench.lock npm run bench:cold\`.
`;
console.log(md);
if (opts.json) {
  writeJson(opts.json, {
    ...started, loadavg: [loadBefore, loadavg()[0]], command: `node bench/startup/cold-start.mjs --runs ${runs}`, runs,
    rows: [ours, theirs, floor].map((r, k) => ({ name: contenders[k].name, ms: r.ms, rssMiB: r.rssMiB, maxRssMiB: r.maxRssMiB })),
  });
}
