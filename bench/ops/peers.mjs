// The libraries the bench compares, each behind one interface:
//   { name, version, prepare(shape) → run },  run() → output (NHWC Float32Array), read back;
//   run.before?() is awaited outside the clock, run.nhwc?(out) converts for the agreement
//   check, run.dispose() frees what prepare made.
// Every library gets the same seeded data (inputs.mjs).
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";
import { inputsFor, toNchw, fromNchw, hwioToOihw } from "./inputs.mjs";
import { onnxModel } from "./onnx.mjs";
import { outSize } from "./shapes.mjs";

const require = createRequire(import.meta.url);
const root = new URL("../..", import.meta.url);
const versionOf = (pkg) => JSON.parse(readFileSync(new URL(`node_modules/${pkg}/package.json`, root), "utf8")).version;

/**
 * One shape's op on a library with TensorFlow.js's API (simdconv or tfjs-core): the same calls,
 * the output read back with dataSync() before the clock stops.
 */
function tfjsShapedRun(api, shape) {
  const d = inputsFor(shape);
  const x = api.tensor(d.x, shape.x);
  const f = d.filter && api.tensor(d.filter, shape.f);
  const b = d.bias && api.tensor(d.bias, [shape.f[3]]);
  const op = {
    conv: () => api.conv2d(x, f, shape.stride, shape.pad),
    fused: () => api.fused.conv2d({ x, filter: f, strides: shape.stride, pad: shape.pad, bias: b, activation: "relu" }),
    relu: () => api.relu(x),
    maxPool: () => api.maxPool(x, shape.k, shape.stride, shape.pad),
  }[shape.op];
  const run = () => {
    const y = op();
    const out = y.dataSync();
    y.dispose();
    return out;
  };
  run.dispose = () => api.dispose([x, f, b].filter(Boolean));
  /**
   * The op without reading its output back (bench/tools/breakdown.mjs). simdconv defers relu and
   * maxPool until their result is used, so view() makes it compute the result in place.
   */
  run.opOnly = () => {
    const y = op();
    y.view?.();
    y.dispose();
  };
  return run;
}

/** simdconv from dist/; `forcePlain` loads the plain SIMD build as a second, separate instance. */
async function simdconv(forcePlain) {
  const sc = await import(new URL(`dist/index.js${forcePlain ? "?plain" : ""}`, root).href);
  if (forcePlain) await sc.init({ wasm: readFileSync(new URL("build/simdconv-simd.wasm", root)) });
  const build = sc.capabilities().build;
  return {
    name: forcePlain ? "simdconv-simd" : "simdconv",
    version: build,
    build,
    prepare: async (shape) => tfjsShapedRun(sc, shape),
  };
}

async function tfjs(tf, backend, pkgName) {
  return {
    name: `tfjs-${backend}`,
    version: versionOf(pkgName),
    async prepare(shape) {
      await tf.setBackend(backend);
      const run = tfjsShapedRun(tf, shape);
      // Tensors live on the backend that made them; switch before timing so nothing moves.
      run.before = () => (tf.getBackend() === backend ? undefined : tf.setBackend(backend));
      return run;
    },
  };
}

/** TF's explicit pads for ONNX: [top, left, bottom, right], the odd one at bottom/right. */
function onnxPads(shape, kh, kw) {
  const [, h, w] = shape.x;
  if (shape.pad === "valid") return [0, 0, 0, 0];
  const total = (n, k) => Math.max((outSize(n, k, shape.stride, "same") - 1) * shape.stride + k - n, 0);
  const th = total(h, kh), tw = total(w, kw);
  return [th >> 1, tw >> 1, th - (th >> 1), tw - (tw >> 1)];
}

async function onnxruntime() {
  const ort = await import("onnxruntime-web");
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.simd = true;
  ort.env.logLevel = "error";
  return {
    name: "ort-web",
    version: versionOf("onnxruntime-web"),
    async prepare(shape) {
      const d = inputsFor(shape);
      const [n, h, w, c] = shape.x;
      const xNchw = toNchw(d.x, shape.x);
      let model, outDims;
      const inputs = [{ name: "x", dims: [n, c, h, w] }];
      if (shape.op === "relu") {
        outDims = [n, c, h, w];
        model = { nodes: [{ op: "Relu", inputs: ["x"], outputs: ["y"] }] };
      } else if (shape.op === "maxPool") {
        outDims = [n, c, outSize(h, shape.k, shape.stride, shape.pad), outSize(w, shape.k, shape.stride, shape.pad)];
        const attrs = { kernel_shape: [shape.k, shape.k], strides: [shape.stride, shape.stride], pads: onnxPads(shape, shape.k, shape.k) };
        model = { nodes: [{ op: "MaxPool", inputs: ["x"], outputs: ["y"], attrs }] };
      } else {
        const [kh, kw, , co] = shape.f;
        outDims = [n, co, outSize(h, kh, shape.stride, shape.pad), outSize(w, kw, shape.stride, shape.pad)];
        const attrs = { kernel_shape: [kh, kw], strides: [shape.stride, shape.stride], pads: onnxPads(shape, kh, kw) };
        const initializers = [{ name: "w", dims: [co, shape.f[2], kh, kw], data: hwioToOihw(d.filter, shape.f) }];
        if (shape.op === "fused") {
          initializers.push({ name: "b", dims: [co], data: d.bias });
          model = {
            nodes: [
              { op: "Conv", inputs: ["x", "w", "b"], outputs: ["c"], attrs },
              { op: "Relu", inputs: ["c"], outputs: ["y"] },
            ],
            initializers,
          };
        } else {
          model = { nodes: [{ op: "Conv", inputs: ["x", "w"], outputs: ["y"], attrs }], initializers };
        }
      }
      const bytes = onnxModel({ ...model, inputs, outputs: [{ name: "y", dims: outDims }] });
      const session = await ort.InferenceSession.create(bytes, { executionProviders: ["wasm"], graphOptimizationLevel: "all" });
      const feeds = { x: new ort.Tensor("float32", xNchw, [n, c, h, w]) };
      const run = async () => {
        const r = await session.run(feeds);
        const out = r.y.data; // already copied out of wasm memory into a JS Float32Array
        r.y.dispose?.();
        return out;
      };
      run.nhwc = (out) => fromNchw(out, outDims);
      run.dispose = () => session.release();
      return run;
    },
  };
}

export async function createPeers({ cpu, ort }) {
  const libs = [await simdconv(false)];
  if (libs[0].build.includes("relaxed")) libs.push(await simdconv(true));
  const tf = await import("@tensorflow/tfjs-core");
  const { setWasmPaths } = await import("@tensorflow/tfjs-backend-wasm");
  const wasmDir = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm"));
  setWasmPaths(wasmDir + path.sep);
  await tf.setBackend("wasm");
  if (!tf.env().getBool("WASM_HAS_SIMD_SUPPORT")) throw new Error("tfjs-backend-wasm did not load its SIMD build");
  libs.push(await tfjs(tf, "wasm", "@tensorflow/tfjs-backend-wasm"));
  if (ort) libs.push(await onnxruntime());
  if (cpu) {
    await import("@tensorflow/tfjs-backend-cpu");
    libs.push(await tfjs(tf, "cpu", "@tensorflow/tfjs-backend-cpu"));
  }
  return libs;
}
