// GEMM and IGEMM tiles against each other (npm run bench:tiles): the IGEMM and GEMM kernels called
// directly on the bench's conv shapes, interleaved in one process so that load on the machine
// hits every tile alike. This is how the tile conv2d() uses was chosen. --tiles names the tiles
// to run (those the build exports; to compare a former one, list it in scripts/gen-gemm.mjs's
// TILES and export it); --k-sweep adds 1×1 convs with K = 16 … 2048.
//   node --experimental-wasm-relaxed-simd bench/kernels/f32-gemm.mjs [--plain] [--shapes 3,4,5] [--k-sweep] [--tiles 4x8_loadsplat,…]
import { readFileSync } from "node:fs";
import { SHAPES, flopsOf, outSize } from "../ops/shapes.mjs";
import { measurePeak } from "../tools/peak.mjs";
import { cli, median } from "../harness.mjs";

const opts = cli("node --experimental-wasm-relaxed-simd bench/kernels/f32-gemm.mjs [options]: GEMM and IGEMM tiles, kernels called directly", {
  plain: { type: "boolean", help: "the plain SIMD build" },
  shapes: { type: "string", default: "2,3,4,5,6,7,8", help: "conv shape numbers of bench/ops/shapes.mjs" },
  "k-sweep": { type: "boolean", help: "add 1×1 convs with K = 16 … 2048" },
  tiles: { type: "string", default: "4x8_loadsplat", help: "tiles to run, comma-separated (the name between f32_gemm_minmax_ and _simd; the IGEMM of the same name on the other shapes)" },
});
const plain = opts.plain || !WebAssembly.validate(readFileSync(new URL("../../build/simdconv-relaxed-simd.wasm", import.meta.url)));
const shapesArg = opts.shapes.split(",").map(Number);
const build = plain ? "simd" : "relaxed-simd";
const memory = new WebAssembly.Memory({ initial: 4096 });
const k = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(new URL(`../../build/simdconv-${build}.wasm`, import.meta.url))), { env: { memory } }).exports;
const f32 = new Float32Array(memory.buffer);
let top = 1024;
const alloc = (floats) => { const p = top; top += ((floats * 4 + 15) & ~15) + 16; return p; };

const peak = measurePeak(!plain);
console.log(`build: ${build}; peak ${peak.gflops.toFixed(1)} GFLOP/s (${peak.kind}); median ms of 9 interleaved runs; GFLOP/s in brackets`);
const pointwiseShape = (hw, ci, co) => ({ id: `K=${ci}`, label: `1×${hw}×${hw}×${ci} 1×1 ${ci}→${co}`, op: "conv", x: [1, hw, hw, ci], f: [1, 1, ci, co], stride: 1, pad: "valid" });
const kSweep = opts["k-sweep"]
  ? [[112, 16, 64], [112, 24, 96], [56, 48, 128], [56, 64, 128], [56, 96, 96], [56, 128, 128],
    [28, 256, 256], [14, 512, 512], [14, 1024, 512], [7, 2048, 512]].map((a) => pointwiseShape(...a))
  : [];
for (const s of [...SHAPES.filter((s) => s.op === "conv" && shapesArg.includes(s.id)), ...kSweep]) {
  top = 1024;
  const [n, h, w, ci] = s.x;
  const [kh, kw, , co] = s.f;
  const ho = outSize(h, kh, s.stride, s.pad), wo = outSize(w, kw, s.stride, s.pad);
  const pt = s.pad === "same" ? Math.max((ho - 1) * s.stride + kh - h, 0) >> 1 : 0;
  const pl = s.pad === "same" ? Math.max((wo - 1) * s.stride + kw - w, 0) >> 1 : 0;
  const x = alloc(n * h * w * ci), f = alloc(kh * kw * ci * co), y = alloc(n * ho * wo * co), zero = alloc(ci);
  const packed = alloc(Math.ceil(co / 8) * (8 + 8 * kh * kw * ci));
  for (let i = 0; i < n * h * w * ci; i++) f32[(x >> 2) + i] = Math.sin(i);
  for (let i = 0; i < kh * kw * ci * co; i++) f32[(f >> 2) + i] = Math.cos(i);
  k.f32_packw_hwio_x8(f, 0, packed, kh * kw * ci, co);
  const pointwise = kh === 1 && kw === 1 && s.stride === 1 && s.pad === "valid";
  const variants = opts.tiles.split(",").filter((t) => pointwise || k[`f32_igemm_nhwc_minmax_${t}_simd`]).map((t) => pointwise
    ? [`gemm ${t}`, () => k[`f32_gemm_minmax_${t}_simd`](x, packed, y, ci, co, wo, -Infinity, Infinity, 0, n * ho)]
    : [`igemm ${t}`, () => k[`f32_igemm_nhwc_minmax_${t}_simd`](x, packed, zero, y, h, w, ci, ho, wo, co, kh, kw, s.stride, s.stride, 1, 1, pt, pl, -Infinity, Infinity, 0, n * ho)]);
  for (const [, run] of variants) for (let i = 0; i < 3; i++) run();
  const times = variants.map(() => []);
  for (let r = 0; r < 9; r++) variants.forEach(([, run], i) => { const t = performance.now(); run(); times[i].push(performance.now() - t); });
  const cells = variants.map(([name], i) => `${name} ${median(times[i]).toFixed(2)} ms (${(flopsOf(s) / median(times[i]) / 1e6).toFixed(1)})`);
  console.log(`${s.id} ${s.label}: ${cells.join(", ")}`);
}
