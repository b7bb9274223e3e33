// A model's activation and global pooling layers on their kernels (activateInPlace, avgPool /
// maxPool with a whole-image window) against the JS loops they replaced (copied below), on a
// 112×112×64 output, batch 1, 1 thread. Median of --reps runs, ms.
//   npm run build && flock /tmp/simdconv-bench.lock node --experimental-wasm-relaxed-simd bench/ops/model-passes.mjs [--reps 21]
import { random } from "./inputs.mjs";
import { cli, median } from "../harness.mjs";

const { reps } = cli("node --experimental-wasm-relaxed-simd bench/ops/model-passes.mjs [options]: a model's activation and global pooling passes, kernels vs the JS loops they replaced", {
  reps: { type: "number", default: 21, help: "runs per pass" },
});
const sc = await import(new URL("../../dist/index.js", import.meta.url).href);
await sc.init();
const shape = [1, 112, 112, 64];
const x = random(shape.reduce((a, b) => a * b, 1), 5).map((v) => v * 4);

/** The loops the model ran before (2026-11-29), over a copy of the values. */
const js = {
  sigmoid: (v) => { for (let i = 0; i < v.length; i++) v[i] = 1 / (1 + Math.exp(-v[i])); },
  tanh: (v) => { for (let i = 0; i < v.length; i++) v[i] = Math.tanh(v[i]); },
  elu: (v) => { for (let i = 0; i < v.length; i++) if (v[i] < 0) v[i] = Math.expm1(v[i]); },
  swish: (v) => { for (let i = 0; i < v.length; i++) v[i] = v[i] / (1 + Math.exp(-v[i])); },
  softmax: (v, c = 64) => {
    for (let r = 0; r + c <= v.length; r += c) {
      let max = -Infinity;
      for (let k = 0; k < c; k++) max = Math.max(max, v[r + k]);
      let sum = 0;
      for (let k = 0; k < c; k++) sum += v[r + k] = Math.exp(v[r + k] - max);
      for (let k = 0; k < c; k++) v[r + k] /= sum;
    }
  },
  globalAveragePooling2d: (v, c = 64) => {
    const acc = new Float64Array(c);
    for (let p = 0; p < v.length; p += c) for (let k = 0; k < c; k++) acc[k] += v[p + k];
    return acc.map((a) => a / (v.length / c));
  },
  globalMaxPooling2d: (v, c = 64) => {
    const acc = new Float64Array(c).fill(-Infinity);
    for (let p = 0; p < v.length; p += c) for (let k = 0; k < c; k++) acc[k] = Math.max(acc[k], v[p + k]);
    return acc;
  },
};

const layerFor = (name) => name.startsWith("global")
  ? sc.layers[name]({ inputShape: shape.slice(1) })
  : sc.layers.activation({ inputShape: shape.slice(1), activation: name });

console.log(`simdconv ${sc.capabilities().build}; ${shape.join("×")}; median of ${reps}; shared 2-core host`);
console.log("| layer | JS loop (before) ms | kernel (model.predict) ms | speedup |");
console.log("|---|---:|---:|---:|");
for (const name of Object.keys(js)) {
  const model = sc.sequential({ layers: [layerFor(name)] });
  const xt = sc.tensor(x, shape);
  const ours = [], theirs = [];
  for (let r = 0; r < reps + 2; r++) {
    const v = x.slice();
    let t = performance.now();
    js[name](v);
    const a = performance.now() - t;
    t = performance.now();
    const y = model.predict(xt);
    y.dataSync();
    const b = performance.now() - t;
    y.dispose();
    if (r >= 2) { theirs.push(a); ours.push(b); }
  }
  // Both sides of the kernel row include predict's own work (a copy of the input for activations).
  console.log(`| ${name} | ${median(theirs).toFixed(2)} | ${median(ours).toFixed(2)} | ${(median(theirs) / median(ours)).toFixed(1)}× |`);
  xt.dispose();
  model.dispose();
}
