// `npm run bench`: every benchmark, one after the other (never two at once: the figures
// would be worthless on a 2-core machine):
//   1. bench.mjs          simdconv vs tfjs-backend-wasm, onnxruntime-web (+ tfjs-cpu), 1 thread
//   2. threads.mjs        2 threads vs 1 of our own
//   3. threads-peers.mjs  ours on 2 threads vs onnxruntime-web at numThreads = 2
//   4. cold-start.mjs     fresh-process import + first conv vs tfjs-backend-wasm
//   5. first-op.mjs       the first large conv of a fresh process vs warm, and vs tfjs-backend-wasm
// Arguments go to bench.mjs; with --shapes or --quick only bench.mjs runs (a partial pass).
//
// `npm run bench -- --suite layers [--quick] [--only ids]`: the layer suite (bench/ops/layers.mjs)
// under the plain SIMD build (Node 20 without flags) and then the relaxed one; a full run then
// rewrites its section of docs/performance.md (bench/ops/layers-report.mjs).
import { spawnSync } from "node:child_process";

const args = process.argv.slice(2);
const partial = args.includes("--shapes") || args.includes("--quick");
const suiteAt = args.indexOf("--suite");
const suite = suiteAt >= 0 ? args.splice(suiteAt, 2)[1] : undefined;
const steps = [];
if (suite === "layers") {
  steps.push(["bench/ops/layers.mjs", ...args], ["--experimental-wasm-relaxed-simd", "bench/ops/layers.mjs", ...args]);
  if (!partial && !args.includes("--only") && !args.includes("--json")) steps.push(["bench/ops/layers-report.mjs"]);
} else if (suite !== undefined) {
  throw new Error(`--suite: unknown suite "${suite}" (known: layers)`);
} else {
  steps.push(["--experimental-wasm-relaxed-simd", "bench/bench.mjs", ...args]);
  if (!partial) steps.push(["bench/threads.mjs"], ["bench/threads-peers.mjs"], ["bench/cold-start.mjs"], ["bench/first-op.mjs"]);
}
for (const step of steps) {
  const r = spawnSync(process.execPath, step, { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
