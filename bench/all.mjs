// `npm run bench`: every benchmark, one after the other (never two at once: the figures
// would be worthless on a 2-core machine), each writing its JSON into bench/results/:
//   1. ops/compare.mjs        simdconv vs tfjs-backend-wasm, onnxruntime-web (+ tfjs-cpu), 1 thread
//   2. ops/threads.mjs        2 threads vs 1 of our own
//   3. ops/threads-peers.mjs  ours on 2 threads vs onnxruntime-web at numThreads = 2
//   4. startup/cold-start.mjs fresh-process import + first conv vs tfjs-backend-wasm
//   5. startup/first-op.mjs   the first large conv of a fresh process vs warm, and vs tfjs-backend-wasm
// then tools/report.mjs rewrites the generated tables of docs/performance.md and README.md.
// Arguments go to ops/compare.mjs; with --shapes, --quick or --json only it runs (a partial
// pass), and nothing is written into bench/results/ but the file --json names.
//
// `npm run bench -- --suite layers [--quick] [--only ids]`: the layer suite (bench/ops/layers.mjs)
// under the plain SIMD build (Node 20 without flags) and then the relaxed one; a full run then
// rewrites its section of docs/performance.md (bench/ops/layers-report.mjs).
import { spawnSync } from "node:child_process";

const args = process.argv.slice(2);
if (args.includes("--help")) {
  console.log(`npm run bench [-- options]: every benchmark, results in bench/results/, tables in docs/performance.md and README.md
  --suite layers  the layer suite instead (options as bench/ops/layers.mjs)
  other options go to bench/ops/compare.mjs (node bench/ops/compare.mjs --help); --quick, --shapes or --json run it alone`);
  process.exit(0);
}
const partial = args.includes("--shapes") || args.includes("--quick") || args.includes("--json");
const suiteAt = args.indexOf("--suite");
const suite = suiteAt >= 0 ? args.splice(suiteAt, 2)[1] : undefined;
const steps = [];
const results = (name) => ["--json", `bench/results/${name}.json`];
if (suite === "layers") {
  steps.push(["bench/ops/layers.mjs", ...args], ["--experimental-wasm-relaxed-simd", "bench/ops/layers.mjs", ...args]);
  if (!partial && !args.includes("--only")) steps.push(["bench/ops/layers-report.mjs"]);
} else if (suite !== undefined) {
  throw new Error(`--suite: unknown suite "${suite}" (known: layers)`);
} else if (partial) {
  steps.push(["--experimental-wasm-relaxed-simd", "bench/ops/compare.mjs", ...args]);
} else {
  steps.push(
    ["--experimental-wasm-relaxed-simd", "bench/ops/compare.mjs", ...args, ...results("compare")],
    ["bench/ops/threads.mjs", ...results("threads")],
    ["bench/ops/threads-peers.mjs", ...results("threads-peers")],
    ["bench/startup/cold-start.mjs", ...results("cold-start")],
    ["bench/startup/first-op.mjs", ...results("first-op")],
    ["bench/tools/report.mjs"],
  );
}
for (const step of steps) {
  const r = spawnSync(process.execPath, step, { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
