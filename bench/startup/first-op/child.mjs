// One fresh process: load `lib` (simdconv or tfjs-wasm), then time its first conv of a bench
// shape and three more, each read back. Prints one JSON line: { ms: [first, 2nd, 3rd, 4th] }.
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { SHAPES } from "../../ops/shapes.mjs";
import { random } from "../../ops/inputs.mjs";

const [lib, id] = process.argv.slice(2);
const s = SHAPES.find((v) => v.id === Number(id));
const size = (a) => a.reduce((p, q) => p * q, 1);
const xs = random(size(s.x), 1), ws = random(size(s.f), 2);
let conv;
if (lib === "simdconv") {
  const sc = await import("simdconv");
  const x = sc.tensor(xs, s.x), w = sc.tensor(ws, s.f);
  conv = () => { const y = sc.conv2d(x, w, s.stride, s.pad); y.dataSync(); y.dispose(); };
} else {
  const tf = await import("@tensorflow/tfjs-core");
  const { setWasmPaths } = await import("@tensorflow/tfjs-backend-wasm");
  setWasmPaths(dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm")) + "/");
  await tf.setBackend("wasm");
  const x = tf.tensor4d(xs, s.x), w = tf.tensor4d(ws, s.f);
  conv = () => { const y = tf.conv2d(x, w, s.stride, s.pad); y.dataSync(); y.dispose(); };
}
const ms = [];
for (let i = 0; i < 4; i++) {
  const t = performance.now();
  conv();
  ms.push(performance.now() - t);
}
console.log(JSON.stringify({ ms }));
