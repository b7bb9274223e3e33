// Can tfjs-backend-wasm run threaded in Node? It forces WASM_HAS_MULTITHREAD_SUPPORT off
// there, and its pthread workers start from blob: URLs, which worker_threads rejects
// (ERR_WORKER_PATH). This probe forces the flag on, writes the worker script and the
// factory it imports to temp files, and reports how many threads tfjs says it uses.
//   node bench/tfjs-wasm-threads-probe.cjs [threads] [pretended hardwareConcurrency]
const fs = require("fs");
const os = require("os");
const path = require("path");
const tf = require("@tensorflow/tfjs-core");
const wasm = require("@tensorflow/tfjs-backend-wasm");
const { wasmWorkerContents } = require("@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js");
const factory = require("@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js");

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tfjs-threads-"));
const factoryPath = path.join(dir, "factory.js");
fs.writeFileSync(factoryPath, "var WasmBackendModuleThreadedSimd = " + factory.toString());
const workerPath = path.join(dir, "worker.js");
// The worker is handed the factory as a Blob, which Node's importScripts stand-in cannot
// read: point it at the file instead.
const redirect = `;{const orig = self.onmessage; self.onmessage = (e) => { if (e.data.cmd === "load" && typeof e.data.urlOrBlob !== "string") e.data.urlOrBlob = ${JSON.stringify(factoryPath)}; return orig(e); };}`;
fs.writeFileSync(workerPath, wasmWorkerContents.replace(/\n/g, "\\n") + redirect);
const createObjectURL = URL.createObjectURL;
URL.createObjectURL = (blob) => (blob.type === "application/javascript" ? workerPath : createObjectURL(blob));
if (process.argv[3]) globalThis.navigator = { hardwareConcurrency: Number(process.argv[3]) };

(async () => {
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
  wasm.setThreadsCount(Number(process.argv[2] || 2));
  await tf.setBackend("wasm");
  console.log(`threads asked ${process.argv[2] || 2}, tfjs reports ${wasm.getThreadsCount()}`);
  const x = tf.randomUniform([1, 56, 56, 256]);
  const w = tf.randomUniform([3, 3, 256, 256]);
  for (let i = 0; i < 4; i++) {
    const t = performance.now();
    const y = tf.conv2d(x, w, 1, "same");
    await y.data();
    console.log(`conv 56×56×256 3×3 256→256: ${(performance.now() - t).toFixed(1)} ms`);
    y.dispose();
  }
  process.exit(0); // its pthreads keep Node alive
})().catch((e) => {
  console.error("tfjs-backend-wasm threaded failed:", e);
  process.exit(1);
});
