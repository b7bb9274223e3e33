/**
 * The elementwise kernels' test harness (tests/kernels/f32-v*.test.ts), through their ops:
 * the worst error in ulps of float64 over a dense grid of values, and lengths around the
 * vector width with the input left untouched and nothing leaked.
 */
import { expect } from "vitest";
import * as sc from "../../src/index.js";
import { activateInPlace } from "../../src/ops/unary.js";
import { randomData, rng } from "../helpers/reference.js";
import { ulps } from "../helpers/activations.js";

const SELU_SCALE = 1.0507009873554804934193349852946;
const SELU_ALPHA = 1.6732632423543772848170429916717;
/** float64 definitions. */
export const ref64: Record<string, (v: number) => number> = {
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  tanh: Math.tanh,
  elu: (v) => (v < 0 ? Math.expm1(v) : v),
  selu: (v) => SELU_SCALE * (v < 0 ? SELU_ALPHA * Math.expm1(v) : v),
  leakyRelu: (v) => (v < 0 ? 0.2 * v : v),
  swish: (v) => v / (1 + Math.exp(-v)),
};
export type Unary = "sigmoid" | "tanh" | "elu" | "selu" | "leakyRelu";

/** Every 2^-8 from -120 to 120, small magnitudes down to 1e-30, and the edges of the ranges. */
function denseGrid(): Float32Array {
  const v: number[] = [];
  for (let x = -120; x <= 120; x += 1 / 256) v.push(x);
  for (let e = -30; e < 0; e += 0.25) v.push(10 ** e, -(10 ** e));
  v.push(-87.3, -88.7, -103.9, -104, -104.1, 88.7, 9.01, -9.01, 20, -20, -17.33, 1e-45, -1e-45, 3.4e38, -3.4e38);
  return Float32Array.from(v);
}

// Measured with this grid (docs/kernels.md): 1-3 ulps; the bound leaves room for the other build.
export const ULP_BOUND: Record<string, number> = { sigmoid: 4, tanh: 4, elu: 4, selu: 4, swish: 6 };

/** `name` over the dense grid is within its ulp bound of float64. */
export function expectWithinBound(name: string): void {
  const x = denseGrid();
  const t = sc.tensor(x);
  const y = name === "swish" ? (activateInPlace(t, "swish"), t) : (sc as unknown as Record<string, (t: sc.Tensor) => sc.Tensor>)[name](t);
  const got = y.dataSync();
  let worst = 0, at = 0;
  for (let i = 0; i < x.length; i++) {
    // swish = x·sigmoid(x) is 0 where sigmoid(x) underflows to 0 (x < -103.9) though the
    // product would be a subnormal (≈ 1e-43): errors under 2^-140 count as one ulp there.
    const e = ulps(got[i], ref64[name](x[i]), name === "swish" ? 2 ** -140 : 2 ** -149);
    if (!(e <= worst)) [worst, at] = [e, i];
  }
  expect(worst, `${name}(${x[at]}) = ${got[at]}, float64 ${ref64[name](x[at])}`).toBeLessThanOrEqual(ULP_BOUND[name]);
  sc.dispose([t, y]);
}

/** Lengths around the vector width. */
export const LENGTHS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 33, 1001];

/** `op` on n values within 4 ulps of float64; the input untouched, nothing leaked. */
export function expectLength(op: Unary, n: number): void {
  const data = randomData(n, rng(50 + n)).map((v) => v * 12);
  const before = sc.memory();
  const x = sc.tensor(data, [n]);
  const y = sc[op](x);
  expect(y.shape).toEqual([n]);
  const got = y.dataSync();
  for (let i = 0; i < n; i++) expect(ulps(got[i], ref64[op](data[i])), `${op}[${i}] of ${n}`).toBeLessThanOrEqual(4);
  y.dispose();
  expect(x.dataSync()).toEqual(data);
  x.dispose();
  expect(sc.memory()).toEqual(before);
}
