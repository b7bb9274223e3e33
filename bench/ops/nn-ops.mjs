// The ops that trained models need besides conv2d and maxPool, on layer shapes from real
// models, against tfjs-backend-wasm (XNNPACK, 1 thread in Node) in the same process on the
// same inputs. Each timing includes reading the result back (dataSync), as a user does; with
// --compute, only the op (the read-back's fresh array costs both libraries the same page faults).
//
//   npm run build && flock /tmp/simdconv-bench.lock node --experimental-wasm-relaxed-simd bench/ops/nn-ops.mjs [--runs 15] [--only avgPool] [--compute]
//
// The two libraries are timed in turns (A B, B A, …), so a busy neighbour hits both alike.
import { createRequire } from "node:module";
import path from "node:path";
import { cli, inTurns, median } from "../harness.mjs";
import { random } from "./inputs.mjs";

const require = createRequire(import.meta.url);
const { runs, only, compute } = cli("node --experimental-wasm-relaxed-simd bench/ops/nn-ops.mjs [options]: the other ops trained models need, against tfjs-backend-wasm", {
  runs: { type: "number", default: 15, help: "runs per op and library" },
  only: { type: "string", help: "only the ops whose name contains this" },
  compute: { type: "boolean", help: "time the op without reading the result back (ours: computed into its tensor by view(); tfjs-wasm computes at the call)" },
});
const sc = await import(new URL("../../dist/index.js", import.meta.url).href);
const tf = await import("@tensorflow/tfjs-core");
const { setWasmPaths } = await import("@tensorflow/tfjs-backend-wasm");
setWasmPaths(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm")) + path.sep);
await tf.setBackend("wasm");

const size = (s) => s.reduce((a, b) => a * b, 1);
/** [name, shapes, ours(tensors), theirs(tensors)] */
const cases = [
  ["sigmoid 112×112×64", [[1, 112, 112, 64]], (x) => sc.sigmoid(x), (x) => tf.sigmoid(x)],
  ["tanh 112×112×64", [[1, 112, 112, 64]], (x) => sc.tanh(x), (x) => tf.tanh(x)],
  ["elu 112×112×64", [[1, 112, 112, 64]], (x) => sc.elu(x), (x) => tf.elu(x)],
  ["leakyRelu 112×112×64", [[1, 112, 112, 64]], (x) => sc.leakyRelu(x, 0.1), (x) => tf.leakyRelu(x, 0.1)],
  ["prelu 112×112×64", [[1, 112, 112, 64], [64]], (x, a) => sc.prelu(x, a), (x, a) => tf.prelu(x, a)],
  ["softmax 64×1000", [[64, 1000]], (x) => sc.softmax(x), (x) => tf.softmax(x)],
  ["avgPool 2×2/2 112×112×64", [[1, 112, 112, 64]], (x) => sc.avgPool(x, 2, 2, "valid"), (x) => tf.avgPool(x, 2, 2, "valid")],
  ["avgPool 3×3/1 same 56×56×128", [[1, 56, 56, 128]], (x) => sc.avgPool(x, 3, 1, "same"), (x) => tf.avgPool(x, 3, 1, "same")],
  ["avgPool 3×3/1 same 35×35×192", [[1, 35, 35, 192]], (x) => sc.avgPool(x, 3, 1, "same"), (x) => tf.avgPool(x, 3, 1, "same")],
  ["avgPool 3×3/2 valid 56×56×128", [[1, 56, 56, 128]], (x) => sc.avgPool(x, 3, 2, "valid"), (x) => tf.avgPool(x, 3, 2, "valid")],
  ["avgPool 7×7/1 valid 7×7×1024", [[1, 7, 7, 1024]], (x) => sc.avgPool(x, 7, 1, "valid"), (x) => tf.avgPool(x, 7, 1, "valid")],
  ["batchNorm 56×56×128", [[1, 56, 56, 128], [128], [128], [128], [128]],
    (x, m, v, o, s) => sc.batchNorm(x, m, v, o, s), (x, m, v, o, s) => tf.batchNorm(x, m, tf.abs(v), o, s)],
  ["matMul 1×4096 · 4096×1000", [[1, 4096], [4096, 1000]], (a, b) => sc.matMul(a, b), (a, b) => tf.matMul(a, b)],
  ["matMul 1×1280 · 1280×1000", [[1, 1280], [1280, 1000]], (a, b) => sc.matMul(a, b), (a, b) => tf.matMul(a, b)],
  ["fused.matMul relu 1×512 · 512×128", [[1, 512], [512, 128], [128]],
    (a, b, c) => sc.fused.matMul({ a, b, bias: c, activation: "relu" }), (a, b, c) => tf.fused.matMul({ a, b, bias: c, activation: "relu" })],
  ["matMul 32×1024 · 1024×1024", [[32, 1024], [1024, 1024]], (a, b) => sc.matMul(a, b), (a, b) => tf.matMul(a, b)],
  ["fused.matMul relu 256×512 · 512×512", [[256, 512], [512, 512], [512]],
    (a, b, c) => sc.fused.matMul({ a, b, bias: c, activation: "relu" }), (a, b, c) => tf.fused.matMul({ a, b, bias: c, activation: "relu" })],
  ["fused.matMul sigmoid 256×512 · 512×512", [[256, 512], [512, 512], [512]],
    (a, b, c) => sc.fused.matMul({ a, b, bias: c, activation: "sigmoid" }), (a, b, c) => tf.fused.matMul({ a, b, bias: c, activation: "sigmoid" })],
];

/** Medians of `runs` timings of each fn, taken in turns after 3 warm-up runs (tiering, packing caches). */
async function time(...fns) {
  for (const fn of fns) for (let i = 0; i < 3; i++) fn();
  return (await inTurns(fns, (round) => round < runs)).map(median);
}

console.log(`simdconv nn ops vs tfjs-backend-wasm — ${new Date().toISOString()} — Node ${process.version}, ${runs} runs, median ms, ${compute ? "without" : "with"} the read-back (shared 2-core host)`);
console.log("| op | simdconv ms | tfjs-wasm ms | tfjs-wasm / simdconv |\n|---|---|---|---|");
for (const [name, shapes, ours, theirs] of cases) {
  if (only && !name.includes(only)) continue;
  const data = shapes.map((s, i) => random(size(s), 7 + i));
  const mine = data.map((d, i) => sc.tensor(d, shapes[i]));
  const yours = data.map((d, i) => tf.tensor(d, shapes[i]));
  const [a, b] = await time(
    () => { const y = ours(...mine); if (compute) y.view(); else y.dataSync(); y.dispose(); },
    // The tidy returns nothing: given the result's typed array, tfjs walks it key by key looking
    // for tensors (seconds for 800K values), which the op's time must not include.
    () => tf.tidy(() => { const y = theirs(...yours); if (!compute) y.dataSync(); }),
  );
  console.log(`| ${name} | ${a.toFixed(3)} | ${b.toFixed(3)} | ${(b / a).toFixed(2)} |`);
  sc.dispose(mine);
  tf.dispose(yours);
}
