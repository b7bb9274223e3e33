// One cold start of the peer: tfjs-core + tfjs-backend-wasm, the same first conv.
import { createRequire } from "node:module";
import { dirname } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { firstConvInputs, report } from "./shared.mjs";

// In Node the backend looks for its .wasm beside the calling script, so point it at the package.
setWasmPaths(dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm")) + "/");
await tf.setBackend("wasm");
const { x, filter } = firstConvInputs();
const y = tf.conv2d(tf.tensor4d(x, [1, 32, 32, 3]), tf.tensor4d(filter, [3, 3, 3, 8]), 1, "same");
report(await y.data());
