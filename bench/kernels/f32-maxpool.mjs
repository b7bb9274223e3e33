// Max pooling kernels called directly on NHWC shapes from real models: the 2×2 kernel (no
// padding taps) against the general one on the same windows, and both against a plain wasm
// SIMD copy of the input (bench/tools/peak.ts), the memory-speed floor. Interleaved runs.
//   flock /tmp/simdconv-bench.lock node --experimental-wasm-relaxed-simd bench/kernels/f32-maxpool.mjs [--plain] [--runs 15]
import { readFileSync } from "node:fs";
import { compile } from "../tools/peak.mjs";
import { cli, inTurns, median } from "../harness.mjs";

const opts = cli("node --experimental-wasm-relaxed-simd bench/kernels/f32-maxpool.mjs [options]: the maxpool kernels against a copy loop", {
  plain: { type: "boolean", help: "the plain SIMD build" },
  runs: { type: "number", default: 15, help: "interleaved runs per kernel" },
});
const plain = opts.plain || !WebAssembly.validate(readFileSync(new URL("../../build/simdconv-relaxed-simd.wasm", import.meta.url)));
const build = plain ? "simd" : "relaxed-simd";
/** [h = w, c, window, stride]: VGG16's pools, ResNet's 3×3 s2 stem pool (general kernel only). */
const SHAPES = [[224, 64, 2, 2], [112, 128, 2, 2], [56, 256, 2, 2], [28, 512, 2, 2], [14, 512, 2, 2], [112, 64, 3, 2]];
const need = Math.max(...SHAPES.map(([hw, c]) => 2 * hw * hw * c * 4)) + (1 << 16);
const memory = new WebAssembly.Memory({ initial: Math.ceil(need / 65536) });
const k = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(new URL(`../../build/simdconv-${build}.wasm`, import.meta.url))), { env: { memory } }).exports;
const copyKernel = compile(!plain, Math.ceil(need / 65536));
const f32 = new Float32Array(memory.buffer);

console.log(`build: ${build}; median ms of ${opts.runs} runs in turns; GB/s = (input + output bytes) / time`);
for (const [hw, c, win, s] of SHAPES) {
  const ho = Math.floor((hw - win) / s) + 1;
  const x = 1024, y = x + hw * hw * c * 4 + 64;
  for (let i = 0; i < hw * hw * c; i++) f32[(x >> 2) + i] = Math.sin(i);
  const bytes = (hw * hw * c + ho * ho * c) * 4;
  const copyN = Math.floor(bytes / 8 / 16) * 16;
  const variants = [
    ["general", () => k.f32_maxpool_nhwc_simd(x, y, hw, hw, c, ho, ho, win, win, s, s, 0, 0, 0, ho)],
    ...(win === 2 ? [["2x2", () => k.f32_maxpool_2x2_nhwc_simd(x, y, hw, hw, c, ho, ho, s, s, 0, ho)]] : []),
    ["copy", () => copyKernel.copy(0, 4 * copyN, copyN)],
  ];
  for (const [, run] of variants) for (let i = 0; i < 5; i++) run();
  const times = await inTurns(variants.map(([, run]) => run), (round) => round < opts.runs);
  const cells = variants.map(([name], i) => `${name} ${median(times[i]).toFixed(3)} ms (${(bytes / median(times[i]) / 1e6).toFixed(1)} GB/s)`);
  console.log(`1×${hw}×${hw}×${c} ${win}×${win} s${s}: ${cells.join(", ")}`);
}
