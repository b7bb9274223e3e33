/**
 * The factory for elementwise ops (one kernel over n floats), and the activation pass that
 * fused ops and layers run over an output in place.
 *
 * Results are deferred as relu's are (DeferredJob in tensor.ts): read back at once, they are
 * computed a chunk at a time into cache and copied out.
 */
import { backend, type Kernels } from "../loader/backend.js";
import { describe } from "../errors.js";
import { defer, empty, Tensor, toTensor, writablePtr, type TensorLike } from "../tensor.js";
import { runRows } from "./dispatch.js";

/** A kernel over n floats from x to y, its parameters bound. */
export type VectorKernel = (k: Kernels, x: number, y: number, n: number) => void;

export function unaryOp(op: string, kernel: VectorKernel) {
  return <T extends Tensor>(x: T | TensorLike): T => {
    const { t, owned } = toTensor(x, "x", op);
    try {
      const out = empty(t.shape.slice(), op);
      if (out.size > 0) deferVector(out, t, kernel);
      return out as T;
    } finally {
      if (owned) t.dispose();
    }
  };
}

function deferVector(out: Tensor, t: Tensor, kernel: VectorKernel): void {
  const src = t.ptr();
  const n = t.size;
  // Kernels are looked up per call: starting threads swaps the backend.
  const run = (dst: number, i0: number, i1: number) => kernel(backend().kernels, src + 4 * i0, dst, i1 - i0);
  defer(out, [t], { rows: n, rowFloats: 1, run, all: (dst) => run(dst, 0, n) });
}

/** A number argument, or a TypeError naming it. */
export function numberArg(v: unknown, name: string, op: string): number {
  if (typeof v !== "number") throw new TypeError(`${op}: ${name} must be a number, got ${describe(v)}`);
  return v;
}

/** SELU's constants, as TensorFlow.js (and Keras) define them. */
export const SELU_SCALE = 1.0507009873554804934193349852946;
export const SELU_SCALEALPHA = 1.7580993408473768599402175208123;

/**
 * Activations that run as one vectorised pass over a result in place, after the kernel that
 * made it: fused.conv2d's and fused.matMul's activations other than relu/relu6 (which stay in
 * the GEMM tile as a clamp), and the layers' activations (src/models uses this entry point):
 * tfjs's 'elu', 'sigmoid', 'leakyrelu' (alpha), 'prelu' (weights broadcast against the last
 * axis, see preluPass), plus 'tanh', 'selu', 'swish' (x·sigmoid(x)) and 'softmax' (last axis).
 */
export type PassActivation = "elu" | "selu" | "sigmoid" | "tanh" | "swish" | "leakyrelu" | "prelu" | "softmax";

export interface PassOptions {
  /** leakyrelu's slope (default 0.2, as tfjs). */
  alpha?: number;
  /** prelu's slopes: one, one per channel (last axis), or any shape that broadcasts to t's. */
  preluWeights?: Tensor;
  /** The op named in errors. */
  op?: string;
}

/** Runs `activation` over `t` in place (t must be a computed tensor nobody else reads yet). */
export function activateInPlace(t: Tensor, activation: PassActivation, options: PassOptions = {}): void {
  const op = options.op ?? "activation";
  if (t.size === 0) return;
  const p = writablePtr(t, "x", op);
  const k = backend().kernels;
  const n = t.size;
  switch (activation) {
    case "elu": return k.f32_velu_simd(p, p, n, 1, 1);
    case "selu": return k.f32_velu_simd(p, p, n, SELU_SCALEALPHA, SELU_SCALE);
    case "sigmoid": return k.f32_vsigmoid_simd(p, p, n, 0);
    case "swish": return k.f32_vsigmoid_simd(p, p, n, 1);
    case "tanh": return k.f32_vtanh_simd(p, p, n);
    case "leakyrelu": return k.f32_vlrelu_simd(p, p, n, numberArg(options.alpha ?? 0.2, "leakyreluAlpha", op));
    case "softmax": {
      const c = t.shape[t.rank - 1] ?? 1;
      return runRows("f32_softmax_simd", [p, p, c], n / c, 24 * c);
    }
    case "prelu": {
      if (!options.preluWeights) throw new TypeError(`${op}: activation 'prelu' needs preluActivationWeights`);
      return preluPass(t, p, options.preluWeights, "preluActivationWeights", op);
    }
  }
  throw new TypeError(`${op}: unknown activation ${describe(activation)}`);
}

/**
 * y = x < 0 ? x·alpha : x from `t` (at address src) to `dst`, with alpha broadcast to t's
 * shape: one slope (the leaky-ReLU kernel), slopes over t's trailing axes (the PReLU kernel
 * over rows of alpha.size), or any other broadcast, expanded to t's size first.
 */
export function preluPass(t: Tensor, dst: number, alpha: Tensor, name: string, op: string, src = dst): void {
  const k = backend().kernels;
  if (alpha.size === 1) return k.f32_vlrelu_simd(src, dst, t.size, alpha.dataSync()[0]);
  const period = trailingPeriod(t.shape, alpha.shape, name, op);
  if (period > 0) {
    return runRows("f32_vprelu_simd", [src, alpha.ptr(), dst, period], t.size / period, period);
  }
  const full = broadcastTo(alpha, t.shape);
  try {
    k.f32_vprelu_simd(src, full.ptr(), dst, t.size, 0, 1);
  } finally {
    full.dispose();
  }
}

/** Operand shapes as tfjs's broadcast check words them. */
function broadcastError(a: number[], b: number[], op: string): RangeError {
  return new RangeError(`${op}: Operands could not be broadcast together with shapes ${a} and ${b}.`);
}

/**
 * alpha.size when alpha's shape, without leading 1s, equals x's trailing axes (it repeats
 * along rows of that many floats); 0 when it broadcasts some other way; throws when it does
 * not broadcast to x's shape (or would make the result larger than x).
 */
export function trailingPeriod(x: number[], a: number[], name: string, op: string): number {
  if (a.length > x.length && a.slice(0, a.length - x.length).some((d) => d !== 1)) throw broadcastError(x, a, op);
  for (let i = 1; i <= Math.min(a.length, x.length); i++) {
    const ad = a[a.length - i];
    if (ad !== 1 && ad !== x[x.length - i]) throw broadcastError(x, a, op);
  }
  let s = 0;
  while (s < a.length && a[s] === 1) s++;
  const core = a.slice(s);
  const tail = x.slice(x.length - core.length);
  return core.every((d, i) => d === tail[i]) ? Math.max(1, core.reduce((p, d) => p * d, 1)) : 0;
}

/** alpha repeated to `shape` (already checked to broadcast). */
function broadcastTo(alpha: Tensor, shape: number[]): Tensor {
  const a = alpha.dataSync();
  const at = broadcastIndex(alpha.shape, shape);
  const out = empty(shape.slice(), "prelu");
  const f = out.storage!.heap.f32;
  const base = out.ptr() >>> 2;
  for (let i = 0; i < out.size; i++) f[base + i] = a[at(i)];
  return out;
}

/**
 * Maps a flat index into `to` to the flat index of the element of `from` (a shape that
 * broadcasts to `to`; extra leading axes of `from` are 1s) that it repeats.
 */
export function broadcastIndex(from: number[], to: number[]): (i: number) => number {
  const s = [...new Array(Math.max(0, to.length - from.length)).fill(1), ...from].slice(from.length > to.length ? -to.length : 0);
  return (i) => {
    let j = 0;
    let stride = 1;
    for (let d = to.length - 1; d >= 0; d--) {
      const idx = i % to[d];
      i = (i - idx) / to[d];
      if (s[d] !== 1) j += idx * stride;
      stride *= s[d];
    }
    return j;
  };
}
