/**
 * Builds models with tfjs-layers (on tfjs-backend-cpu) with seeded weights, saves them as
 * tfjs does (artifacts through withSaveHandler, and model.json + .bin in a folder), and
 * compares predictions.
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rng } from "../helpers/reference.js";
import { tempDir } from "../helpers/temp.js";

export { tf, tfl };

export interface Saved {
  artifacts: { modelTopology: object; weightSpecs: tf.io.WeightsManifestEntry[]; weightData: ArrayBuffer };
}

/** Sets every weight from a seeded generator: kernels uniform in ±limit, others near their usual values. */
export function seedWeights(model: tfl.LayersModel, seed: number): void {
  const rand = rng(seed);
  for (const layer of model.layers) {
    const ws = layer.getWeights();
    if (!ws.length) continue;
    const next = ws.map((w, i) => {
      const name = layer.weights[i].originalName;
      const n = w.size;
      const v = new Float32Array(n);
      const fanIn = w.shape.length >= 2 ? w.shape.slice(0, -1).reduce((a, b) => a * b, 1) : 1;
      // Kernels keep activations near unit scale; variances stay positive, gammas near 1.
      const [scale, offset] = name.endsWith("moving_variance") ? [0.5, 1] : name.endsWith("gamma") ? [0.5, 1]
        : name.endsWith("kernel") ? [Math.sqrt(6 / fanIn), 0] : [0.2, 0];
      for (let k = 0; k < n; k++) v[k] = (rand() * 2 - 1) * scale + offset;
      return tf.tensor(v, w.shape);
    });
    layer.setWeights(next);
    tf.dispose(next);
  }
}

export async function save(model: tfl.LayersModel): Promise<Saved["artifacts"]> {
  let saved: Saved["artifacts"] | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    saved = a as Saved["artifacts"];
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
  }));
  return saved!;
}

/** Writes model.json and one shard as tfjs's file writers do; returns the model.json path. */
export function writeFolder(a: Saved["artifacts"], shard = "group1-shard1of1.bin", specs = a.weightSpecs, data: ArrayBuffer | Uint8Array = a.weightData): string {
  const dir = tempDir("model");
  const json = {
    modelTopology: a.modelTopology, format: "layers-model", generatedBy: "TensorFlow.js tfjs-layers v4.22.0", convertedBy: null,
    weightsManifest: [{ paths: [shard], weights: specs }],
  };
  writeFileSync(join(dir, "model.json"), JSON.stringify(json));
  writeFileSync(join(dir, shard), new Uint8Array(data instanceof Uint8Array ? data : new Uint8Array(data)));
  return join(dir, "model.json");
}

/** Inputs in [0, 1), like image pixels. */
export function input(shape: number[], seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r());
}

export function predictTf(model: tfl.LayersModel, x: Float32Array, shape: number[]): { data: Float32Array; shape: number[] } {
  return tf.tidy(() => {
    const y = model.predict(tf.tensor(x, shape)) as tf.Tensor;
    return { data: y.dataSync() as Float32Array, shape: y.shape };
  });
}

/**
 * Worst |a - b| over the scale of the expected output (its largest magnitude). Float32 models
 * of 10-15 layers, with Winograd and different summation orders, agree to about 1e-5 of it.
 */
export function relError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let scale = 1e-30;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    worst = Math.max(worst, Number.isNaN(d) ? Infinity : d);
  }
  return worst / scale;
}

/** What tensorflowjs_converter --quantize_uint8 / uint16 / float16 writes for one model. */
export function quantize(a: Saved["artifacts"], dtype: "uint8" | "uint16" | "float16"): { specs: tf.io.WeightsManifestEntry[]; data: Uint8Array } {
  const src = new Float32Array(a.weightData);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  let o = 0;
  for (const s of a.weightSpecs) {
    const n = s.shape.reduce((x, y) => x * y, 1);
    const v = src.subarray(o, o + n);
    o += n;
    if (dtype === "float16") {
      const h = new Uint16Array(n);
      for (let i = 0; i < n; i++) h[i] = toHalf(v[i]);
      parts.push(new Uint8Array(h.buffer));
      specs.push({ ...s, quantization: { dtype: "float16" } });
      continue;
    }
    // The converter's affine quantization: scale over [min, max] with 0 exactly representable.
    let min = Math.min(0, ...v);
    let max = Math.max(0, ...v);
    if (min === max) max = min + 1;
    const levels = dtype === "uint8" ? 255 : 65535;
    const scale = (max - min) / levels;
    const zero = Math.round(-min / scale);
    min = -zero * scale;
    const q = dtype === "uint8" ? new Uint8Array(n) : new Uint16Array(n);
    for (let i = 0; i < n; i++) q[i] = Math.max(0, Math.min(levels, Math.round((v[i] - min) / scale)));
    parts.push(new Uint8Array(q.buffer));
    specs.push({ ...s, quantization: { dtype, scale, min } });
  }
  const data = new Uint8Array(parts.reduce((x, p) => x + p.length, 0));
  let k = 0;
  for (const p of parts) {
    data.set(p, k);
    k += p.length;
  }
  return { specs, data };
}

function toHalf(f: number): number {
  const buf = new DataView(new ArrayBuffer(4));
  buf.setFloat32(0, f);
  const x = buf.getUint32(0);
  const sign = (x >>> 16) & 0x8000;
  const e = ((x >>> 23) & 0xff) - 127 + 15;
  const m = x & 0x7fffff;
  if (e <= 0) return sign | Math.round((m | 0x800000) / 2 ** (14 - e));
  if (e >= 31) return sign | 0x7c00;
  const r = Math.round(m / 8192);
  return sign | ((e << 10) + r);
}
