// Ours on 2 threads vs onnxruntime-web at numThreads = 2, on the bench's large convs.
//   flock /tmp/simdconv-bench.lock npm run bench:threads-peers [-- --reps 7] [-- --json FILE]
// onnxruntime-web gets NCHW input and OIHW weights (its native layout), so neither side
// pays for a transpose. tfjs-backend-wasm is absent: see docs/performance.md, "Threads".
import * as ort from "onnxruntime-web";
import * as sc from "../../dist/index.js";
import { cli, host, median, parallelHeadroom, writeJson } from "../harness.mjs";
import { onnxModel } from "./onnx.mjs";
import { hwioToOihw, random } from "./inputs.mjs";

const opts = cli("node bench/ops/threads-peers.mjs [options]: ours on 2 threads vs onnxruntime-web on 2", {
  reps: { type: "number", default: 5, help: "runs per library and shape" },
  json: { type: "string", help: "also write the rows to this file" },
});
const headroom = await parallelHeadroom();
console.log(`parallel headroom now: ${headroom.toFixed(2)}× (two busy loops vs one; ~2 on a quiet 2-core machine)`);
const reps = opts.reps;
const shapes = [
  { name: "1×56×56×256, 3×3, 256→256", hw: 56, ci: 256, co: 256 },
  { name: "1×28×28×512, 3×3, 512→512", hw: 28, ci: 512, co: 512 },
  { name: "1×224×224×64, 3×3, 64→64", hw: 224, ci: 64, co: 64 },
];

ort.env.wasm.numThreads = 2;
const caps = await sc.init({ threads: 2 });
console.log(`simdconv ${caps.build} on ${caps.threadsCount} threads; onnxruntime-web ${ort.env.versions?.web ?? ""} numThreads 2; ${reps} runs, median ms`);
console.log("| shape | simdconv 2t ms | onnxruntime-web 2t ms | ours / ort speedup |\n|---|---:|---:|---:|");
const rows = [];
for (const s of shapes) {
  const x = random(s.hw * s.hw * s.ci, 1);
  const hwio = random(9 * s.ci * s.co, 2);
  const dims = [1, s.ci, s.hw, s.hw];
  const model = onnxModel({
    nodes: [{ op: "Conv", inputs: ["x", "w"], outputs: ["y"], attrs: { pads: [1, 1, 1, 1], strides: [1, 1], kernel_shape: [3, 3] } }],
    initializers: [{ name: "w", dims: [s.co, s.ci, 3, 3], data: hwioToOihw(hwio, [3, 3, s.ci, s.co]) }],
    inputs: [{ name: "x", dims }],
    outputs: [{ name: "y", dims: [1, s.co, s.hw, s.hw] }],
  });
  const session = await ort.InferenceSession.create(model, { executionProviders: ["wasm"], graphOptimizationLevel: "all" });
  const feeds = { x: new ort.Tensor("float32", random(s.hw * s.hw * s.ci, 3), [1, s.ci, s.hw, s.hw]) };
  const xt = sc.tensor(x, [1, s.hw, s.hw, s.ci]);
  const wt = sc.tensor(hwio, [3, 3, s.ci, s.co]);
  const ours = [];
  const theirs = [];
  await session.run(feeds);
  const ourRun = () => {
    const y = sc.conv2d(xt, wt, 1, "same");
    y.dataSync(); // onnxruntime-web's run() hands back JS data, so both clocks include the read
    y.dispose();
  };
  ourRun();
  for (let r = 0; r < reps; r++) {
    let t = performance.now();
    ourRun();
    ours.push(performance.now() - t);
    t = performance.now();
    await session.run(feeds);
    theirs.push(performance.now() - t);
  }
  const [a, b] = [median(ours), median(theirs)];
  console.log(`| ${s.name} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(b / a).toFixed(2)}× |`);
  rows.push({ shape: s.name, simdconv: a, ort: b });
  xt.dispose();
  wt.dispose();
  await session.release();
}
await sc.shutdownThreads();
if (opts.json) {
  writeJson(opts.json, {
    ...host(), command: `node bench/ops/threads-peers.mjs --reps ${reps}`, headroom, build: caps.build, threads: caps.threadsCount,
    ort: ort.env.versions?.web, reps, rows,
  });
}
// onnxruntime-web's pthreads keep Node alive.
process.exit(0);
