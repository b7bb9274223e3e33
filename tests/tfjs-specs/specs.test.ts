/**
 * TensorFlow.js's own op specs (compiled jasmine specs shipped in @tensorflow/tfjs-core),
 * loaded unmodified with `tf` pointed at simdconv for the ops it implements (tf.ts) and
 * tfjs-core + tfjs-backend-cpu for everything else, as tfjs-backend-wasm runs them against
 * itself. Gradient specs and non-float32 dtype specs are skipped with a counted reason; so
 * are specs of behaviour simdconv changes on purpose, each naming the README line that says so.
 */
import { afterAll, expect } from "vitest";
import "@tensorflow/tfjs-backend-cpu";
// What tfjs-core's own test setup loads: tensor methods such as t.reshape(), and gradients.
import "@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js";
import "@tensorflow/tfjs-core/dist/register_all_gradients.js";
import { registerTestEnv } from "./jasmine_util.js";
import { installJasmine, type Tally } from "./jasmine.js";
import * as sc from "../../src/index.js";
import { reached } from "./tf.js";

/**
 * One line per spec file: the file under tfjs-core's dist/, the simdconv ops it tests and, for a
 * file that tests other ops too, the prefix of the spec groups to run.
 */
const SPECS: [file: string, ops: string[], only?: string][] = [
  ["ops/conv2d_test.js", ["conv2d"]],
  ["ops/fused/fused_conv2d_test.js", ["fused.conv2d"]],
  ["ops/max_pool_test.js", ["maxPool"]],
  ["ops/relu_test.js", ["relu"]],
  ["ops/relu6_test.js", ["relu6"]],
  ["ops/avg_pool_test.js", ["avgPool"]],
  ["ops/mat_mul_test.js", ["matMul"]],
  ["ops/sigmoid_test.js", ["sigmoid"]],
  ["ops/tanh_test.js", ["tanh"]],
  ["ops/softmax_test.js", ["softmax"]],
  ["ops/elu_test.js", ["elu"]],
  ["ops/leaky_relu_test.js", ["leakyRelu"]],
  ["ops/binary_ops_test.js", ["prelu"], "prelu "],
  ["ops/batchnorm_test.js", ["batchNorm"]],
];

/** Why a spec is not run, by its full name; the first rule that matches wins. */
const SKIPS: [RegExp, string][] = [
  [/grad|gradient|derivative|\bdx\b|backprop/i, "gradients: simdconv has no autodiff"],
  [/int32|bool|string|complex|dtype/i, "non-float32 dtype: simdconv holds float32 only (README, Differences: \"float32 only\")"],
];

const has = (op: string): boolean => {
  const [a, b] = op.split(".");
  const v = (sc as unknown as Record<string, unknown>)[a];
  return b ? typeof (v as Record<string, unknown> | undefined)?.[b] === "function" : typeof v === "function";
};

const tallies = new Map<string, Tally>();
let current: Tally;
const skip = (name: string, t: Tally) =>
  t.only && !name.startsWith(t.only) ? `tests other ops than ${t.only.trim()}` : SKIPS.find(([re]) => re.test(name))?.[1];
installJasmine(skip, () => current, () => reached.calls);
registerTestEnv({ name: "simdconv", backendName: "cpu", isDataSync: true });

const absent: string[] = [];
for (const [file, ops, prefix] of SPECS) {
  if (!ops.every(has)) {
    absent.push(file);
    continue;
  }
  current = { run: 0, passed: 0, failed: 0, skipped: new Map(), simdconvCalls: 0, only: prefix };
  tallies.set(file, current);
  await import(/* @vite-ignore */ `@tensorflow/tfjs-core/dist/${file}`);
}

afterAll(() => {
  const lines = ["tfjs-core specs against simdconv (run / passed / failed / skipped):"];
  for (const [file, t] of tallies) {
    const skipped = [...t.skipped.values()].reduce((a, b) => a + b, 0);
    lines.push(`  ${file}: ${t.run} run, ${t.passed} passed, ${t.failed} failed, ${skipped} skipped; ${t.simdconvCalls} calls into simdconv`);
    for (const [reason, n] of t.skipped) lines.push(`      ${n} skipped: ${reason}`);
  }
  if (absent.length) lines.push(`  not run (ops not in simdconv yet): ${absent.join(", ")}`);
  console.log(lines.join("\n"));
  // A spec file whose tests never reached simdconv would be testing tfjs against itself.
  for (const [file, t] of tallies) if (t.passed > 0) expect(t.simdconvCalls, file).toBeGreaterThan(0);
});
