// The Winograd F(2×2,3×3) filter transform (f32_winograd_2x2_3x3_packw_hwio_x8) over VGG16's 12
// Winograd filters (64→64 … 512→512, 99.8 MiB packed), as a model's load runs it, against a plain
// fill of the same bytes: on memory already written (the transform's own cost) and on freshly
// grown memory (what the first load also pays: the OS maps each new page at its first write).
// `--wasm` times another build of the kernel in turns with this one (e.g. an older commit's).
//   flock /tmp/simdconv-bench.lock node --experimental-wasm-relaxed-simd bench/kernels/f32-winograd-packw.mjs [--plain] [--runs 7] [--wasm old.wasm]
import { readFileSync } from "node:fs";
import { cli, median } from "../harness.mjs";

const opts = cli("node --experimental-wasm-relaxed-simd bench/kernels/f32-winograd-packw.mjs [options]: the Winograd filter transform of a model's load", {
  plain: { type: "boolean", help: "the plain SIMD build" },
  runs: { type: "number", default: 7, help: "runs in turns per build" },
  wasm: { type: "string", help: "another build to time in turns (its transform takes (w, u, ci, co) or (w, u, ci, co, r0, r1))" },
});
const build = opts.plain || !WebAssembly.validate(readFileSync(new URL("../../build/simdconv-relaxed-simd.wasm", import.meta.url))) ? "simd" : "relaxed-simd";
const FILTERS = [[64, 64], [64, 128], [128, 128], [128, 256], [256, 256], [256, 256], [256, 512], [512, 512], [512, 512], [512, 512], [512, 512], [512, 512]];
const wBytes = FILTERS.reduce((n, [ci, co]) => n + 9 * ci * co * 4, 0);
const uBytes = FILTERS.reduce((n, [ci, co]) => n + 16 * Math.ceil(co / 8) * 8 * ci * 4, 0);
const files = [[build, new URL(`../../build/simdconv-${build}.wasm`, import.meta.url)], ...(opts.wasm ? [[opts.wasm, opts.wasm]] : [])];

const WASM_PAGE = 65536;
/** A memory grown to hold the filters at `wAt` and the packing at `uAt`; the filters written. */
function setup() {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536 });
  const wAt = WASM_PAGE, uAt = wAt + wBytes + WASM_PAGE;
  memory.grow(Math.ceil((uAt + uBytes) / WASM_PAGE));
  const f = new Float32Array(memory.buffer);
  for (let i = 0; i < wBytes / 4; i++) f[wAt / 4 + i] = Math.cos(i);
  return { memory, wAt, uAt };
}
const kernels = files.map(([name, file]) => {
  const mod = new WebAssembly.Module(readFileSync(file));
  return { name, instance: (memory) => new WebAssembly.Instance(mod, { env: { memory } }).exports.f32_winograd_2x2_3x3_packw_hwio_x8 };
});
function packAll(packw, wAt, uAt) {
  let w = wAt, u = uAt;
  for (const [ci, co] of FILTERS) {
    packw(w, u, ci, co, 0, Math.ceil(co / 8));
    w += 9 * ci * co * 4;
    u += 16 * Math.ceil(co / 8) * 8 * ci * 4;
  }
}
const time = (f) => {
  const t = performance.now();
  f();
  return performance.now() - t;
};

// Warm-up: V8 runs a wasm function's baseline code until its optimised code is ready.
for (const k of kernels) {
  const { memory, wAt, uAt } = setup();
  const packw = k.instance(memory);
  for (let i = 0; i < 3; i++) packAll(packw, wAt, uAt);
}
const rows = kernels.map((k) => ({ name: k.name, fresh: [], warm: [] }));
const fill = { fresh: [], warm: [] };
for (let r = 0; r < opts.runs; r++) {
  for (const [i, k] of kernels.entries()) {
    const { memory, wAt, uAt } = setup();
    const packw = k.instance(memory);
    rows[i].fresh.push(time(() => packAll(packw, wAt, uAt)));
    rows[i].warm.push(time(() => packAll(packw, wAt, uAt)));
  }
  const { memory, uAt } = setup();
  const f = new Float32Array(memory.buffer, uAt, uBytes / 4);
  fill.fresh.push(time(() => f.fill(1)));
  fill.warm.push(time(() => f.fill(2)));
}
console.log(`build: ${build}; VGG16's ${FILTERS.length} Winograd filters, ${(wBytes / 2 ** 20).toFixed(1)} MiB → ${(uBytes / 2 ** 20).toFixed(1)} MiB packed; median ms of ${opts.runs} runs in turns; shared host`);
console.log("| | fresh memory | written memory |\n|---|---:|---:|");
for (const r of rows) console.log(`| transform (${r.name}) | ${median(r.fresh).toFixed(1)} | ${median(r.warm).toFixed(1)} |`);
console.log(`| fill of the same bytes | ${median(fill.fresh).toFixed(1)} | ${median(fill.warm).toFixed(1)} |`);
