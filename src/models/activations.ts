/**
 * Activation functions by their tfjs-layers / Keras names. relu and relu6 are clamps that the
 * conv's GEMM tile applies; the others run as one pass over a layer's output in place, right
 * after the layer wrote it.
 */
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

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/**
 * Applies `a` in place to `v`, whose last axis has `channels` values (softmax normalises
 * along it). `alpha` is leakyReLU's slope when `a` is "leakyReLU".
 */
export function applyActivation(v: Float32Array, a: ActivationName | "leakyReLU", channels: number, alpha = 0.3): void {
  const n = v.length;
  switch (a) {
    case "linear":
      return;
    case "relu":
      for (let i = 0; i < n; i++) if (v[i] < 0) v[i] = 0;
      return;
    case "relu6":
      for (let i = 0; i < n; i++) v[i] = v[i] < 0 ? 0 : v[i] > 6 ? 6 : v[i];
      return;
    case "leakyReLU":
      for (let i = 0; i < n; i++) if (v[i] < 0) v[i] *= alpha;
      return;
    case "sigmoid":
      for (let i = 0; i < n; i++) v[i] = 1 / (1 + Math.exp(-v[i]));
      return;
    case "tanh":
      for (let i = 0; i < n; i++) v[i] = Math.tanh(v[i]);
      return;
    case "elu":
      for (let i = 0; i < n; i++) if (v[i] < 0) v[i] = Math.expm1(v[i]);
      return;
    case "selu":
      for (let i = 0; i < n; i++) v[i] = v[i] < 0 ? SELU_SCALE * SELU_ALPHA * Math.expm1(v[i]) : SELU_SCALE * v[i];
      return;
    case "swish":
      for (let i = 0; i < n; i++) v[i] = v[i] / (1 + Math.exp(-v[i]));
      return;
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
    case "softmax":
      for (let r = 0; r + channels <= n; r += channels) {
        let max = -Infinity;
        for (let c = 0; c < channels; c++) max = Math.max(max, v[r + c]);
        let sum = 0;
        for (let c = 0; c < channels; c++) sum += v[r + c] = Math.exp(v[r + c] - max);
        for (let c = 0; c < channels; c++) v[r + c] /= sum;
      }
      return;
  }
}
