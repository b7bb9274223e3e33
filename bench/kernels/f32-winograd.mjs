// Winograd F(2×2,3×3) against the IGEMM conv2d selects (6×8 splat) on 3×3 stride-1 SAME convs (npm run bench picks
// between them by channel counts; this is where the thresholds come from). Kernels are called
// directly and interleaved in one process, so load on the machine hits both alike.
// F(4×4,3×3) runs alongside from 32 input channels (--w4 sweeps its blocking: one position's V and
// M in KB, and 8-channel blocks per chunk).
//   flock /tmp/simdconv-bench.lock node --experimental-wasm-relaxed-simd bench/kernels/f32-winograd.mjs [--plain] [--runs 9] [--shapes 56:16:16,224:3:64 (hw:ci:co)] [--w4 256:999,128:4]
import { readFileSync } from "node:fs";
import { measurePeak } from "../tools/peak.mjs";
import { cli, median } from "../harness.mjs";

const opts = cli("node --experimental-wasm-relaxed-simd bench/kernels/f32-winograd.mjs [options]: Winograd F(2×2,3×3) against the IGEMM", {
  plain: { type: "boolean", help: "the plain SIMD build" },
  runs: { type: "number", default: 9, help: "interleaved runs per kernel" },
  shapes: { type: "string", help: "hw:ci:co list, e.g. 56:16:16,224:3:64 (default: a channel sweep, then bench shapes 3, 4, 5)" },
  w4: { type: "string", default: "256:999", help: "F(4×4) blockings to time, KB:chunk list (KB: one position's V and M; chunk: 8-channel blocks per chunk)" },
});
const plain = opts.plain || !WebAssembly.validate(readFileSync(new URL("../../build/simdconv-relaxed-simd.wasm", import.meta.url)));
const runs = opts.runs;
const build = plain ? "simd" : "relaxed-simd";
const memory = new WebAssembly.Memory({ initial: 8192 });
const k = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(new URL(`../../build/simdconv-${build}.wasm`, import.meta.url))), { env: { memory } }).exports;
const f32 = new Float32Array(memory.buffer);
let top = 1024;
const alloc = (bytes) => { const p = top; top += ((bytes + 15) & ~15) + 16; return p; };

/** [h = w, ci, co]: a channel sweep at two sizes, then bench shapes 3, 4, 5. */
const SHAPES = opts.shapes
  ? opts.shapes.split(",").map((t) => t.split(":").map(Number))
  : [
  ...[8, 16, 24, 32, 48, 64].map((c) => [56, c, c]),
  [56, 16, 64], [56, 64, 16], [56, 32, 128], [56, 128, 32],
  [28, 16, 16], [28, 32, 32], [14, 32, 32], [14, 64, 64], [7, 256, 256], [7, 512, 512],
  [224, 64, 64], [56, 256, 256], [28, 512, 512],
];

const peak = measurePeak(!plain);
console.log(`build: ${build}; peak ${peak.gflops.toFixed(1)} GFLOP/s; median ms of ${runs} interleaved runs; ratio = igemm / winograd`);
for (const [hw, ci, co] of SHAPES) {
  top = 1024;
  const h = hw, w = hw, ho = h, wo = w;
  const x = alloc(h * w * ci * 4), f = alloc(9 * ci * co * 4), y = alloc(ho * wo * co * 4), zero = alloc((ci + 4) * 4);
  const packed = alloc(Math.ceil(co / 8) * (8 + 72 * ci) * 4);
  const u = alloc(16 * Math.ceil(co / 8) * 8 * ci * 4);
  const th = Math.ceil(ho / 2), tw = Math.ceil(wo / 2);
  // One thread's plan, as winogradPlan (src/ops/conv2d_winograd.ts): groups of tile-rows whose
  // transformed inputs fill about 1 MB, one unit per group.
  const ciPad = Math.ceil(ci / 4) * 4;
  const groupRows = Math.max(1, Math.min(th, Math.floor((1 << 20) / (16 * tw * ciPad * 4))));
  const units = Math.ceil(th / groupRows);
  const tiles = groupRows * tw;
  const scratch = alloc(units * (16 * tiles * ciPad + 16 * Math.ceil(tiles / 4) * 4 * 8) * 4);
  const need = top + 36 * Math.ceil(co / 8) * 8 * ci * 4 + (64 << 20) - memory.buffer.byteLength; // room for F(4×4)'s weights and scratch
  if (need > 0) memory.grow(Math.ceil(need / 65536));
  const mem = new Float32Array(memory.buffer);
  for (let i = 0; i < h * w * ci; i++) mem[(x >> 2) + i] = Math.sin(i);
  for (let i = 0; i < 9 * ci * co; i++) mem[(f >> 2) + i] = Math.cos(i);
  k.f32_packw_hwio_x8(f, 0, packed, 9 * ci, co);
  k.f32_winograd_2x2_3x3_packw_hwio_x8(f, u, ci, co, 0, Math.ceil(co / 8));
  const w4 = ci >= 32 ? opts.w4.split(",").map((t) => t.split(":").map(Number)) : [];
  const blocks = Math.ceil(co / 8);
  const u4 = alloc(36 * blocks * 8 * ci * 4);
  const th4 = Math.ceil(ho / 4), tw4 = Math.ceil(wo / 4);
  const w4runs = w4.map(([kb, chunk]) => {
    // One thread's plan, as winogradPlan with m = 4.
    const c = Math.min(chunk, blocks);
    const g = Math.max(1, Math.min(th4, Math.floor((kb << 10) / (tw4 * (ciPad + 8 * c) * 4))));
    const t = g * tw4;
    const at = alloc(36 * t * ciPad * 4 + 36 * c * Math.ceil(t / 4) * 4 * 8 * 4);
    return [`winograd4 ${kb}:${chunk}`, () => k.f32_winograd_4x4_3x3_nhwc_minmax_4x8_simd(x, u4, 0, zero, at, y, 1, h, w, ci, ho, wo, co, 1, 1, g, 1, c, -Infinity, Infinity, 0, Math.ceil(th4 / g))];
  });
  const variants = [
    ["igemm 4x8", () => k.f32_igemm_nhwc_minmax_4x8_loadsplat_simd(x, packed, zero, y, h, w, ci, ho, wo, co, 3, 3, 1, 1, 1, 1, 1, 1, -Infinity, Infinity, 0, ho)],
    ["winograd", () => k.f32_winograd_2x2_3x3_nhwc_minmax_4x8_simd(x, u, 0, zero, scratch, y, 1, h, w, ci, ho, wo, co, 1, 1, groupRows, 1, -Infinity, Infinity, 0, units)],
  ];
  if (w4.length) k.f32_winograd_4x4_3x3_packw_hwio_x8(f, u4, ci, co, 0, blocks);
  variants.push(...w4runs);
  for (const [, run] of variants) for (let i = 0; i < 2; i++) run();
  const times = variants.map(() => []);
  for (let r = 0; r < runs; r++) variants.forEach(([, run], i) => { const t = performance.now(); run(); times[i].push(performance.now() - t); });
  const [a, b, ...c4] = times.map(median);
  console.log(`1×${h}×${w}×${ci} 3×3 ${ci}→${co} SAME: igemm ${a.toFixed(3)} ms, winograd ${b.toFixed(3)} ms, ratio ${(a / b).toFixed(2)}` +
    c4.map((t, i) => `; ${w4runs[i][0]} ${t.toFixed(3)} ms, ${(b / t).toFixed(2)}× F(2×2)`).join(""));
}
void f32;
