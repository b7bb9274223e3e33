// A/B timing of conv rows of the layer suite (bench/ops/layer-table.mjs) on a loaded host:
// this checkout's simdconv, optionally another checkout's (--base DIR, its dist/ built), and
// tfjs-wasm (one thread), interleaved op by op in the same process, on the same inputs; reports
// each library's minimum and median over the runs, and the ratios of the minimums, which a
// shared host's preemption disturbs least. Used to choose conv2d's paths (src/ops/conv2d_plan.ts).
//   node [--experimental-wasm-relaxed-simd] bench/ops/conv-ab.mjs --only id,id [--base /path/to/checkout] [--runs 30]
import path from "node:path";
import { LAYERS } from "./layer-table.mjs";
import { inputsFor } from "./inputs.mjs";
import { cli, median } from "../harness.mjs";

const opts = cli("node [--experimental-wasm-relaxed-simd] bench/ops/conv-ab.mjs [options]: conv rows of the layer suite, this checkout against another and tfjs-wasm, minimums", {
  only: { type: "string", default: "", help: "rows whose id contains one of these (comma-separated)" },
  base: { type: "string", help: "another checkout whose dist/ to time alongside" },
  runs: { type: "number", default: 30, help: "runs per library per row" },
});
const only = opts.only.split(",").filter(Boolean);
const base = opts.base;
const runs = opts.runs;
const rows = LAYERS.filter((r) => r.op === "conv" && (only.length === 0 || only.some((s) => r.id.includes(s))));

async function load(dir, name) {
  const sc = await import(new URL(`file://${path.resolve(dir)}/dist/index.js`).href);
  return { name, api: sc, build: sc.capabilities().build };
}

const libs = [await load(".", "simdconv")];
if (base) libs.push(await load(base, "base"));
const tf = await import("@tensorflow/tfjs-core");
const { setWasmPaths } = await import("@tensorflow/tfjs-backend-wasm");
const { createRequire } = await import("node:module");
const require = createRequire(import.meta.url);
setWasmPaths(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm")) + path.sep);
await tf.setBackend("wasm");
libs.push({ name: "tfjs-wasm", api: tf, build: "wasm" });

console.log(`builds: ${libs.map((l) => `${l.name} ${l.build}`).join(", ")}; ${runs} runs per library per row`);
for (const [index, row] of rows.entries()) {
  const d = inputsFor({ ...row, id: 1000 + LAYERS.indexOf(row) });
  const prepared = libs.map((l) => {
    const x = l.api.tensor(d.x, row.x);
    const f = l.api.tensor(d.filter, row.f);
    const run = () => {
      const y = l.api.conv2d(x, f, row.stride, row.pad);
      y.dataSync();
      y.dispose();
    };
    return { l, x, f, run, t: [] };
  });
  for (const p of prepared) for (let i = 0; i < 3; i++) p.run();
  for (let r = 0; r < runs; r++) {
    for (let j = 0; j < prepared.length; j++) {
      const p = prepared[(r + j) % prepared.length];
      const s = performance.now();
      p.run();
      p.t.push(performance.now() - s);
    }
  }
  const mins = prepared.map((p) => Math.min(...p.t));
  const ours = mins[0];
  console.log(`${row.id.padEnd(30)} ` + prepared.map((p, i) =>
    `${p.l.name} min ${mins[i].toFixed(3)} med ${median(p.t).toFixed(3)} ms${i ? ` (${(mins[i] / ours).toFixed(2)}×)` : ""}`).join("  "));
  for (const p of prepared) p.l.api.dispose ? p.l.api.dispose([p.x, p.f]) : (p.x.dispose(), p.f.dispose());
  void index;
}
