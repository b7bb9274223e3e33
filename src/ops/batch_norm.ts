/**
 * batchNorm at inference: offset + (x - mean)·scale / √(variance + ε), each parameter repeated
 * along x's flattened values as TensorFlow.js's kernel does (one value per channel, usually).
 * scale / √(variance + ε) is folded once in float64; f32_batchnorm_simd does the rest.
 */
import { runRows } from "./dispatch.js";
import { describe } from "../errors.js";
import { empty, Tensor, tensor, toTensor, type TensorLike } from "../tensor.js";

type Param = Tensor | TensorLike;

export function batchNorm<T extends Tensor>(
  x: T | TensorLike,
  mean: Param,
  variance: Param,
  offset?: Param,
  scale?: Param,
  varianceEpsilon = 0.001,
): T {
  const op = "batchNorm";
  const owned: Tensor[] = [];
  const use = (v: unknown, name: string): Tensor => {
    const r = toTensor(v, name, op);
    if (r.owned) owned.push(r.t);
    return r.t;
  };
  try {
    const xt = use(x, "x");
    const m = use(mean, "mean");
    const v = use(variance, "variance");
    const o = offset == null ? undefined : use(offset, "offset");
    const s = scale == null ? undefined : use(scale, "scale");
    if (typeof varianceEpsilon !== "number") {
      throw new TypeError(`${op}: varianceEpsilon must be a number, got ${describe(varianceEpsilon)}`);
    }
    // TensorFlow.js's checks and wording.
    if (m.rank !== v.rank) throw new RangeError("Batch normalization gradient requires mean and variance to have equal ranks.");
    if (o && o.rank !== m.rank) throw new RangeError("Batch normalization gradient requires mean and offset to have equal ranks.");
    if (s && s.rank !== m.rank) throw new RangeError("Batch normalization gradient requires mean and scale to have equal ranks.");
    const params: [string, Tensor | undefined][] = [["mean", m], ["variance", v], ["offset", o], ["scale", s]];
    let period = 1;
    for (const [name, p] of params) {
      if (!p) continue;
      if (p.size === 0) throw new RangeError(`${op}: ${name} must not be empty`);
      period = lcm(period, p.size);
    }
    if (xt.size % period !== 0) {
      throw new RangeError(`${op}: x has ${xt.size} values, which the lengths of mean, variance, offset and scale (repeated along x) do not divide`);
    }
    const out = empty(xt.shape.slice(), op);
    if (out.size === 0) return out as T;
    // [mean | scale / √(variance + ε) | offset], each `period` long, in one block.
    const at = (p: Tensor | undefined, fill: number) => {
      const d = p ? p.dataSync() : [fill];
      return (i: number) => d[i % d.length];
    };
    const [mv, vv, ov, sv] = [at(m, 0), at(v, 1), at(o, 0), at(s, 1)];
    const folded = new Float32Array(3 * period);
    for (let i = 0; i < period; i++) {
      folded[i] = mv(i);
      folded[period + i] = sv(i) / Math.sqrt(vv(i) + varianceEpsilon);
      folded[2 * period + i] = ov(i);
    }
    const p = use(tensor(folded), "mean").ptr();
    runRows("f32_batchnorm_simd", [xt.ptr(), p, p + 4 * period, p + 8 * period, out.ptr(), period], xt.size / period, 3 * period);
    return out as T;
  } finally {
    for (const t of owned) t.dispose();
  }
}

function lcm(a: number, b: number): number {
  let x = a, y = b;
  while (y) [x, y] = [y, x % y];
  return (a / x) * b;
}
