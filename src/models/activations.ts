/**
 * Activation functions by their tfjs-layers / Keras names. relu and relu6 are clamps that the
 * conv's GEMM tile applies; the others run as one pass over a layer's output in place, right
 * after the layer wrote it: a wasm kernel (unary.ts's activateInPlace) for all but softplus,
 * softsign and hardSigmoid, which have none and stay JS loops.
 */
import { backend } from "../loader/backend.js";
import { writablePtr, type Tensor } from "../tensor.js";
import { activateInPlace, type PassActivation } from "../ops/unary.js";
export const ACTIVATIONS = [
  "linear", "relu", "relu6", "sigmoid", "tanh", "softmax", "elu", "selu", "swish",
  "softplus", "softsign", "hardSigmoid",
] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

/** Keras's snake_case spellings and tfjs-layers' aliases of the same functions. */
const ALIASES: Record<string, ActivationName> = { hard_sigmoid: "hardSigmoid", silu: "swish" };

/** The activation a config names (null/undefined is linear), or throws naming `where` and the supported set. */
export function activationOf(v: unknown, where: string): ActivationName {
  if (v === undefined || v === null) return "linear";
  const name = typeof v === "string" ? (ALIASES[v] ?? v) : v;
  if (typeof name === "string" && (ACTIVATIONS as readonly string[]).includes(name)) return name as ActivationName;
  throw new TypeError(`${where}: activation ${JSON.stringify(v)} is not supported; supported: ${ACTIVATIONS.join(", ")}`);
}

/** Clamp bounds for the activations a GEMM tile applies, or null. */
export function clampOf(a: ActivationName): [number, number] | null {
  return a === "linear" ? [-Infinity, Infinity] : a === "relu" ? [0, Infinity] : a === "relu6" ? [0, 6] : null;
}

/** The activations with a kernel of their own, by their unary.ts pass names. */
const PASSES: Partial<Record<ActivationName | "leakyReLU", PassActivation>> = {
  sigmoid: "sigmoid", tanh: "tanh", elu: "elu", selu: "selu", swish: "swish", softmax: "softmax", leakyReLU: "leakyrelu",
};

/**
 * Applies `a` in place to `t` (a computed result no one else reads yet); softmax normalises
 * along the last axis. `alpha` is leakyReLU's slope; `maxValue` caps relu (reLU's maxValue).
 */
export function activate(t: Tensor, a: ActivationName | "leakyReLU", alpha = 0.3, maxValue: number | null = null): void {
  if (a === "linear" || t.size === 0) return;
  const pass = PASSES[a];
  if (pass) return activateInPlace(t, pass, { alpha, op: "predict" });
  if (a === "relu" || a === "relu6") {
    const p = writablePtr(t, "x", "predict");
    return backend().kernels.f32_vclamp_simd(p, p, t.size, 0, a === "relu6" ? 6 : (maxValue ?? Infinity));
  }
  const p = writablePtr(t, "x", "predict") >>> 2;
  jsActivation(backend().heap.f32.subarray(p, p + t.size), a as "softplus" | "softsign" | "hardSigmoid");
}

/** The activations without a kernel: one JS loop over the values. */
function jsActivation(v: Float32Array, a: "softplus" | "softsign" | "hardSigmoid"): void {
  const n = v.length;
  switch (a) {
    case "softplus":
      // log(1 + e^x) without overflow for large x.
      for (let i = 0; i < n; i++) v[i] = Math.max(v[i], 0) + Math.log1p(Math.exp(-Math.abs(v[i])));
      return;
    case "softsign":
      for (let i = 0; i < n; i++) v[i] = v[i] / (1 + Math.abs(v[i]));
      return;
    case "hardSigmoid":
      for (let i = 0; i < n; i++) v[i] = Math.min(1, Math.max(0, 0.2 * v[i] + 0.5));
      return;
  }
}
