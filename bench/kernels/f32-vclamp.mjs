// The clamp kernel (relu is a clamp to [0, +inf), relu6 to [0, 6]) called directly, in place
// and out of place, against a plain wasm SIMD copy of the same bytes (bench/tools/peak.ts): it
// should run at copy speed. Sizes from 16 KB (in L1) to 51 MB (relu on VGG16's first block).
//   flock /tmp/simdconv-bench.lock node --experimental-wasm-relaxed-simd bench/kernels/f32-vclamp.mjs [--plain] [--runs 15]
import { readFileSync } from "node:fs";
import { compile } from "../tools/peak.mjs";
import { cli, inTurns, median } from "../harness.mjs";

const opts = cli("node --experimental-wasm-relaxed-simd bench/kernels/f32-vclamp.mjs [options]: the clamp (relu) kernel against a copy loop", {
  plain: { type: "boolean", help: "the plain SIMD build" },
  runs: { type: "number", default: 15, help: "interleaved runs per kernel" },
});
const plain = opts.plain || !WebAssembly.validate(readFileSync(new URL("../../build/simdconv-relaxed-simd.wasm", import.meta.url)));
const build = plain ? "simd" : "relaxed-simd";
const SIZES = [4096, 56 * 56 * 64, 112 * 112 * 64, 224 * 224 * 64, 224 * 224 * 256];
const pages = Math.ceil((2 * 4 * Math.max(...SIZES) + (1 << 16)) / 65536);
const memory = new WebAssembly.Memory({ initial: pages });
const k = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(new URL(`../../build/simdconv-${build}.wasm`, import.meta.url))), { env: { memory } }).exports;
const copyKernel = compile(!plain, pages);
const f32 = new Float32Array(memory.buffer);

console.log(`build: ${build}; median ms of ${opts.runs} runs in turns (small sizes: the mean of repeats inside each run); GB/s = 8 bytes per float / time`);
for (const n of SIZES) {
  const x = 1024, y = x + n * 4 + 64;
  for (let i = 0; i < n; i++) f32[(x >> 2) + i] = Math.sin(i);
  // Small sizes repeat inside the clock so one sample lasts long enough to time.
  const reps = Math.max(1, Math.floor(2e6 / n));
  const variants = [
    ["relu", () => k.f32_vclamp_simd(x, y, n, 0, Infinity)],
    ["relu in place", () => k.f32_vclamp_simd(y, y, n, 0, Infinity)],
    ["copy", () => copyKernel.copy(0, 4 * n, n)],
  ];
  for (const [, run] of variants) for (let i = 0; i < 5; i++) run();
  const times = (await inTurns(variants.map(([, run]) => () => { for (let j = 0; j < reps; j++) run(); }), (round) => round < opts.runs))
    .map((t) => t.map((ms) => ms / reps));
  const cells = variants.map(([name], i) => `${name} ${median(times[i]).toFixed(3)} ms (${((8 * n) / median(times[i]) / 1e6).toFixed(1)} GB/s)`);
  console.log(`${((4 * n) / 1e6).toFixed(2)} MB: ${cells.join(", ")}`);
}
