// Whole models end to end: the VGG16 conv base at 224×224×3 (batch 1) and the course's small
// classifier at 128×128, with the same seeded weights in every library:
//   simdconv (loadLayersModel from model.json + 4 MB shards, as tfjs writes them), 1 and 2 threads;
//   tfjs-layers on tfjs-backend-wasm, 1 thread;
//   onnxruntime-web, 1 thread, the same network built as ONNX in code (bench/ops/onnx.mjs).
// Also: load time (parse, dequantize, pack) against reading the shards, wall and CPU, and wasm memory.
//   flock /tmp/simdconv-bench.lock node --experimental-wasm-relaxed-simd bench/ops/model.mjs [--reps 7]
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { random } from "./inputs.mjs";
import { onnxModel } from "./onnx.mjs";
import { cli, median } from "../harness.mjs";

const require = createRequire(import.meta.url);
const root = new URL("../..", import.meta.url);
const { reps } = cli("node --experimental-wasm-relaxed-simd bench/ops/model.mjs [options]: whole models against tfjs-layers and onnxruntime-web", {
  reps: { type: "number", default: 7, help: "interleaved runs per library" },
});
const sc = await import(new URL("dist/index.js", root).href);
await sc.init({ threads: 2 });
sc.setThreadsCount(1);

const tf = await import("@tensorflow/tfjs-core");
const tfl = await import("@tensorflow/tfjs-layers");
const { setWasmPaths } = await import("@tensorflow/tfjs-backend-wasm");
setWasmPaths(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm")) + path.sep);
await tf.setBackend("wasm");
const ort = await import("onnxruntime-web");
ort.env.wasm.numThreads = 1;
ort.env.logLevel = "error";
const versionOf = (pkg) => JSON.parse(readFileSync(new URL(`node_modules/${pkg}/package.json`, root), "utf8")).version;

/** Layer specs: conv (3×3 same, relu), pool (2×2), flatten, dense. */
const vgg16 = [[64, 2], [128, 2], [256, 3], [512, 3], [512, 3]].flatMap(([filters, n]) => [
  ...Array.from({ length: n }, () => ({ kind: "conv", filters })),
  { kind: "pool" },
]);
const classifier = [
  { kind: "conv", filters: 32 }, { kind: "pool" }, { kind: "conv", filters: 64 }, { kind: "pool" },
  { kind: "conv", filters: 128 }, { kind: "pool" }, { kind: "flatten" },
  { kind: "dense", units: 6, activation: "relu" }, { kind: "dense", units: 1, activation: "sigmoid" },
];

/** Seeded weights per layer: kernel (HWIO or [in, out]) scaled to keep activations near unit size, bias. */
function weightsFor(spec, size) {
  let c = 3, hw = size, seed = 7;
  const out = [];
  for (const l of spec) {
    if (l.kind === "pool") hw >>= 1;
    if (l.kind === "flatten") c = hw * hw * c;
    if (l.kind !== "conv" && l.kind !== "dense") continue;
    const k = l.kind === "conv" ? 9 * c : c;
    const co = l.filters ?? l.units;
    const kernel = random(k * co, seed++).map((v) => v * Math.sqrt(6 / k));
    const bias = random(co, seed++).map((v) => 0.1 * v);
    out.push({ kernel, bias, shape: l.kind === "conv" ? [3, 3, c, co] : [c, co] });
    c = co;
  }
  return out;
}

function tfModel(spec, size, weights) {
  let i = 0;
  const layers = spec.map((l, j) => {
    const first = j === 0 ? { inputShape: [size, size, 3] } : {};
    if (l.kind === "conv") return tfl.layers.conv2d({ ...first, filters: l.filters, kernelSize: 3, padding: "same", activation: "relu" });
    if (l.kind === "pool") return tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 });
    if (l.kind === "flatten") return tfl.layers.flatten();
    return tfl.layers.dense({ units: l.units, activation: l.activation });
  });
  const m = tfl.sequential({ layers });
  for (const layer of m.layers) {
    if (!layer.getWeights().length) continue;
    const w = weights[i++];
    layer.setWeights([tf.tensor(w.kernel, w.shape), tf.tensor(w.bias, [w.bias.length])]);
  }
  return m;
}

/** model.json + 4 MB shards, as tfjs's file writer and the converter lay them out. */
async function writeFolder(m) {
  let a;
  await m.save(tf.io.withSaveHandler(async (x) => ((a = x), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } })));
  const dir = mkdtempSync(path.join(tmpdir(), "simdconv-bench-model-"));
  const data = new Uint8Array(a.weightData);
  const shard = 4 << 20;
  const count = Math.ceil(data.length / shard);
  const paths = Array.from({ length: count }, (_, i) => `group1-shard${i + 1}of${count}.bin`);
  paths.forEach((p, i) => writeFileSync(path.join(dir, p), data.subarray(i * shard, (i + 1) * shard)));
  writeFileSync(path.join(dir, "model.json"), JSON.stringify({ modelTopology: a.modelTopology, format: "layers-model", weightsManifest: [{ paths, weights: a.weightSpecs }] }));
  return { file: path.join(dir, "model.json"), shards: paths.map((p) => path.join(dir, p)), bytes: data.length };
}

/** The same network in ONNX: NCHW convs, then NHWC order before Flatten so Gemm takes the same kernel. */
async function ortSession(spec, size, weights) {
  const nodes = [];
  const initializers = [];
  let cur = "x", i = 0, n = 0, c = 3, hw = size;
  const next = () => `t${n++}`;
  for (const l of spec) {
    if (l.kind === "conv") {
      const w = weights[i++];
      const [, , ci, co] = w.shape;
      const oihw = new Float32Array(w.kernel.length);
      for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) for (let a = 0; a < ci; a++) for (let b = 0; b < co; b++) {
        oihw[((b * ci + a) * 3 + y) * 3 + x] = w.kernel[((y * 3 + x) * ci + a) * co + b];
      }
      initializers.push({ name: `w${i}`, dims: [co, ci, 3, 3], data: oihw }, { name: `b${i}`, dims: [co], data: w.bias });
      const conv = next(), relu = next();
      nodes.push({ op: "Conv", inputs: [cur, `w${i}`, `b${i}`], outputs: [conv], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } });
      nodes.push({ op: "Relu", inputs: [conv], outputs: [relu] });
      cur = relu;
      c = co;
    } else if (l.kind === "pool") {
      const o = next();
      nodes.push({ op: "MaxPool", inputs: [cur], outputs: [o], attrs: { kernel_shape: [2, 2], strides: [2, 2] } });
      cur = o;
      hw >>= 1;
    } else if (l.kind === "flatten") {
      const t = next(), f = next();
      nodes.push({ op: "Transpose", inputs: [cur], outputs: [t], attrs: { perm: [0, 2, 3, 1] } });
      nodes.push({ op: "Flatten", inputs: [t], outputs: [f], attrs: { axis: 1 } });
      cur = f;
      c = hw * hw * c;
    } else {
      const w = weights[i++];
      initializers.push({ name: `w${i}`, dims: w.shape, data: w.kernel }, { name: `b${i}`, dims: [w.bias.length], data: w.bias });
      const g = next(), a = next();
      nodes.push({ op: "Gemm", inputs: [cur, `w${i}`, `b${i}`], outputs: [g] });
      nodes.push({ op: l.activation === "relu" ? "Relu" : "Sigmoid", inputs: [g], outputs: [a] });
      cur = a;
      c = w.shape[1];
    }
  }
  const outDims = spec.some((l) => l.kind === "flatten") ? [1, c] : [1, c, hw, hw];
  nodes[nodes.length - 1].outputs = ["y"];
  const bytes = onnxModel({ nodes, initializers, inputs: [{ name: "x", dims: [1, 3, size, size] }], outputs: [{ name: "y", dims: outDims }] });
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ["wasm"], graphOptimizationLevel: "all" });
  return { session, outDims };
}

const toNchw = (x, s) => {
  const out = new Float32Array(x.length);
  for (let i = 0; i < s * s; i++) for (let ch = 0; ch < 3; ch++) out[ch * s * s + i] = x[i * 3 + ch];
  return out;
};
const fromNchw = (y, [, c, h, w]) => {
  if (h === undefined) return y;
  const out = new Float32Array(y.length);
  for (let ch = 0; ch < c; ch++) for (let i = 0; i < h * w; i++) out[i * c + ch] = y[ch * h * w + i];
  return out;
};
const relErr = (a, b) => {
  let s = 1e-30, e = 0;
  for (let i = 0; i < b.length; i++) s = Math.max(s, Math.abs(b[i]));
  for (let i = 0; i < b.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]));
  return e / s;
};
const ms = (v) => v.toFixed(v < 10 ? 2 : 1);

const rows = [];
const results = {};
for (const [name, spec, size] of [["VGG16 conv base", vgg16, 224], ["course classifier", classifier, 128]]) {
  const weights = weightsFor(spec, size);
  const tm = tfModel(spec, size, weights);
  const folder = await writeFolder(tm);
  const x = random(size * size * 3, 99).map((v) => (v + 1) / 2);

  // Load: simdconv's loadLayersModel from the folder, against reading the same files.
  const wasmBefore = sc.memory().wasmBytes;
  // CPU time too (this process's threads, libuv's readers included): steadier than the clock
  // on a loaded host, where the wall time mostly measures waiting for a core.
  const loads = [], reads = [], loadCpu = [], readCpu = [];
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  let model;
  for (let r = 0; r < 5; r++) {
    let t = performance.now(), c = cpu();
    await Promise.all([readFile(folder.file), ...folder.shards.map((s) => readFile(s))]);
    reads.push(performance.now() - t);
    readCpu.push(cpu() - c);
    model?.dispose();
    t = performance.now();
    c = cpu();
    model = await sc.loadLayersModel(folder.file);
    loads.push(performance.now() - t);
    loadCpu.push(cpu() - c);
  }
  // Peak wasm memory: the memory only grows, so its size after the first predict is the peak.
  const xt = sc.tensor(x, [1, size, size, 3]);
  const first = model.predict(xt);
  const ours = first.dataSync();
  first.dispose();
  const wasmPeak = sc.memory().wasmBytes;

  const runOurs = () => {
    const y = model.predict(xt);
    y.dataSync();
    y.dispose();
  };
  const txt = tf.tensor(x, [1, size, size, 3]);
  // Read back and copied out of the tidy: a typed array returned from tidy is walked key by key.
  const runTf = () => {
    let y;
    tf.tidy(() => { y = tm.predict(txt).dataSync().slice(); });
    return y;
  };
  const { session, outDims } = await ortSession(spec, size, weights);
  const feeds = { x: new ort.Tensor("float32", toNchw(x, size), [1, 3, size, size]) };
  const runOrt = async () => (await session.run(feeds)).y.data;

  // Agreement first: every library computes the same network.
  const agree = { tfjs: relErr(ours, runTf()), ort: relErr(ours, fromNchw(await runOrt(), outDims)) };

  const times = { one: [], two: [], tf: [], ort: [] };
  for (const f of [runOurs, runTf, runOrt]) await f(); // warm-up
  sc.setThreadsCount(2);
  runOurs();
  sc.setThreadsCount(1);
  for (let r = 0; r < reps; r++) {
    let t = performance.now();
    runOurs();
    times.one.push(performance.now() - t);
    t = performance.now();
    runTf();
    times.tf.push(performance.now() - t);
    t = performance.now();
    await runOrt();
    times.ort.push(performance.now() - t);
    sc.setThreadsCount(2);
    t = performance.now();
    runOurs();
    times.two.push(performance.now() - t);
    sc.setThreadsCount(1);
  }
  const med = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
  // The packed weights and the activations this model should need (see docs/models.md).
  const plan = planBytes(spec, size);
  results[name] = {
    ms: med, ratio: { tfjs: med.tf / med.one, ort: med.ort / med.one }, agree,
    load: {
      ms: median(loads), readShardsMs: median(reads), ratio: median(loads) / median(reads), weightBytes: folder.bytes,
      firstMs: loads[0], cpuMs: median(loadCpu), readShardsCpuMs: median(readCpu),
    },
    memory: { wasmBefore, wasmPeak, ...plan, ratio: (wasmPeak - wasmBefore) / (plan.packed + plan.twoLargest) },
  };
  const r = results[name];
  rows.push(`| ${name} ${size}² | ${ms(med.one)} | ${ms(med.two)} | ${ms(med.tf)} | ${ms(med.ort)} | ${r.ratio.tfjs.toFixed(2)}× | ${r.ratio.ort.toFixed(2)}× | ` +
    `${ms(r.load.ms)} / ${ms(r.load.readShardsMs)} = ${r.load.ratio.toFixed(2)}× | ${(wasmPeak / 2 ** 20).toFixed(1)} MiB (${r.memory.ratio.toFixed(2)}× of ${((plan.packed + plan.twoLargest) / 2 ** 20).toFixed(1)}) |`);
  xt.dispose();
  txt.dispose();
  model.dispose();
  tm.dispose();
  await session.release();
}

/**
 * Packed bytes of every conv/dense (as conv2d's plan: Winograd F(4×4) for 3×3 with ≥ 64 input and
 * output channels unless SIMDCONV_WINOGRAD4=0, F(2×2) with ≥ 8 input channels, else the GEMM
 * layout) and the two largest activations.
 */
function planBytes(spec, size) {
  let c = 3, hw = size, packed = 0, raw = 0;
  const acts = [size * size * 3 * 4];
  for (const l of spec) {
    if (l.kind === "conv") {
      const co = l.filters;
      const f4 = c >= 64 && co >= 64 && process.env.SIMDCONV_WINOGRAD4 !== "0";
      packed += c >= 8 ? (f4 ? 36 : 16) * Math.ceil(co / 8) * 8 * c * 4 : Math.ceil(co / 8) * (8 + 8 * 9 * c) * 4;
      raw += (9 * c + 1) * co * 4;
      c = co;
    } else if (l.kind === "pool") hw >>= 1;
    else if (l.kind === "flatten") c = hw * hw * c;
    else {
      packed += Math.ceil(l.units / 8) * (8 + 8 * c) * 4;
      raw += (c + 1) * l.units * 4;
      c = l.units;
      hw = 1;
    }
    acts.push(hw * hw * c * 4);
  }
  acts.sort((a, b) => b - a);
  return { packed, raw, twoLargest: acts[0] + acts[1] };
}

console.log(`simdconv ${sc.capabilities().build} (dist), tfjs-layers ${versionOf("@tensorflow/tfjs-layers")} on tfjs-backend-wasm ${versionOf("@tensorflow/tfjs-backend-wasm")} (1 thread), onnxruntime-web ${versionOf("onnxruntime-web")} (1 thread); median of ${reps} interleaved runs, ms; shared 2-core host`);
console.log("| model | simdconv 1 thread | simdconv 2 threads | tfjs-layers wasm | ort-web | vs tfjs | vs ort | load / read shards | peak wasm memory (vs packed + two largest) |");
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const r of rows) console.log(r);
console.log(JSON.stringify(results, null, 1));
