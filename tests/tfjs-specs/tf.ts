/**
 * The `tf` that tfjs-core's specs see: tfjs-core itself, with the ops simdconv implements
 * replaced by simdconv's. Tensors stay tfjs tensors, so every other op, tf.memory() and the
 * specs' helpers keep working: an argument that is a tfjs tensor is copied into a simdconv
 * tensor (its dtype kept, so simdconv refuses a non-float32 one itself), anything else goes to
 * simdconv as given, and the result is copied back. Errors are simdconv's own.
 */
import * as core from "@tensorflow/tfjs-core/dist/index.js";
import * as sc from "../../src/index.js";

export * from "@tensorflow/tfjs-core/dist/index.js";

type Fn = (...args: never[]) => sc.Tensor;

function toSimdconv(v: unknown, made: sc.Tensor[]): unknown {
  if (v instanceof core.Tensor) {
    const t = sc.tensor(v.dataSync() as Float32Array, v.shape, v.dtype as never);
    made.push(t);
    return t;
  }
  return v;
}

/** Calls that reached simdconv, so the harness can show the specs really ran it. */
export const reached = { calls: 0 };

/** simdconv's op, called with tfjs tensors and returning one. */
export function bridge(fn: Fn): Fn {
  return ((...args: unknown[]) => {
    reached.calls++;
    const made: sc.Tensor[] = [];
    try {
      const converted = args.map((a) =>
        a !== null && typeof a === "object" && !Array.isArray(a) && !(a instanceof core.Tensor) && !ArrayBuffer.isView(a)
          ? Object.fromEntries(Object.entries(a).map(([k, v]) => [k, toSimdconv(v, made)])) // fused.conv2d's one object
          : toSimdconv(a, made),
      );
      const r = (fn as (...a: unknown[]) => sc.Tensor)(...converted);
      const out = core.tensor(r.dataSync(), r.shape, "float32");
      r.dispose();
      return out;
    } finally {
      for (const t of made) t.dispose();
    }
  }) as unknown as Fn;
}

/** Ops taken from simdconv when it has them (each spec file below names the ones it tests). */
const scOps = sc as unknown as Record<string, Fn | undefined>;
const pick = (name: string): Fn => (scOps[name] ? bridge(scOps[name]!) : (core as unknown as Record<string, Fn>)[name]);

export const conv2d = pick("conv2d");
export const maxPool = pick("maxPool");
export const relu = pick("relu");
export const relu6 = pick("relu6");
export const avgPool = pick("avgPool");
export const matMul = pick("matMul");
export const sigmoid = pick("sigmoid");
export const tanh = pick("tanh");
export const softmax = pick("softmax");
export const elu = pick("elu");
export const leakyRelu = pick("leakyRelu");
export const prelu = pick("prelu");
export const batchNorm = pick("batchNorm");
export const fused = {
  ...core.fused,
  conv2d: sc.fused?.conv2d ? bridge(sc.fused.conv2d as unknown as Fn) : core.fused.conv2d,
};
