// conv2d's paths against each other on one build, in one process, op by op in turns: each
// variant switches off the named paths of src/ops/conv2d_plan.ts (so the next path in the table
// takes the shape), and the minimum over the runs is reported with its ratio to the first
// variant's. Bundles src/ with esbuild, so no build of dist/ is needed; the wasm is build/'s.
//   node [--experimental-wasm-relaxed-simd] bench/ops/conv-paths.mjs --variants V --shapes S [--runs N]
//   V: '[["im2col",[]],["igemm",["im2col"]]]'  (label, paths switched off[, paths forced on])
//   S: '[[[1,128,128,3],[3,3,3,32],1,"valid"]]' (x NHWC, filter HWIO, strides, pad)
import { build } from "esbuild";
import { cli } from "../harness.mjs";

const opts = cli("node [--experimental-wasm-relaxed-simd] bench/ops/conv-paths.mjs --variants V --shapes S: conv2d's paths against each other, minimums", {
  variants: { type: "string", default: '[["all",[]]]', help: "JSON [[label, [paths switched off], [paths forced on]?], ...]" },
  shapes: { type: "string", default: '[[[1,128,128,3],[3,3,3,32],1,"valid"]]', help: "JSON [[x, filter, strides, pad], ...]" },
  runs: { type: "number", default: 20, help: "runs per variant per shape" },
});
const out = await build({
  stdin: { contents: 'export * from "./src/index.ts"; export { CONV_PATHS } from "./src/ops/conv2d_plan.ts";', resolveDir: new URL("../..", import.meta.url).pathname, loader: "ts" },
  bundle: true, format: "esm", platform: "node", write: false, logLevel: "error",
});
const sc = await import("data:text/javascript;base64," + Buffer.from(out.outputFiles[0].contents).toString("base64"));
await sc.init?.();
const byName = Object.fromEntries(sc.CONV_PATHS.map((p) => [p.name, p]));
const orig = Object.fromEntries(sc.CONV_PATHS.map((p) => [p.name, p.when]));
const variants = JSON.parse(opts.variants);
const shapes = JSON.parse(opts.shapes);
const runs = opts.runs;
console.log(sc.capabilities().build);
for (const [xs, fs, st, pad] of shapes) {
  const n = (s) => s.reduce((p, q) => p * q, 1);
  const x = sc.tensor(Float32Array.from({ length: n(xs) }, (_, i) => Math.sin(i)), xs);
  const f = sc.tensor(Float32Array.from({ length: n(fs) }, (_, i) => Math.cos(i)), fs);
  const t = variants.map(() => []);
  const set = (dis, on = []) => {
    for (const p of sc.CONV_PATHS) p.when = dis.includes(p.name) ? () => false : on.includes(p.name) ? () => true : orig[p.name];
  };
  for (const [, dis, on] of variants) { set(dis, on); for (let i = 0; i < 3; i++) sc.conv2d(x, f, st, pad).dispose(); }
  for (let r = 0; r < runs; r++) variants.forEach((_, j0) => {
    const j = (j0 + r) % variants.length; set(variants[j][1], variants[j][2]);
    const s = performance.now(); const y = sc.conv2d(x, f, st, pad); y.dataSync(); y.dispose(); t[j].push(performance.now() - s);
  });
  set([]);
  const m = t.map((v) => Math.min(...v));
  console.log(JSON.stringify(xs), JSON.stringify(fs), st, pad, variants.map(([l], i) => `${l} ${m[i].toFixed(3)} (${(m[0] / m[i]).toFixed(2)}×)`).join("  "));
  x.dispose(); f.dispose();
}
