/** Shared by the activation tests (tests/ops/unary, prelu, softmax): error in ulps, random shapes. */
import { expect } from "vitest";
import { randomData, rng } from "./reference.js";

/**
 * Error in float32 ulps of the float64 value. `floor` is the smallest ulp counted: 2^-149 (the
 * subnormals' spacing) by default.
 */
export function ulps(got: number, want: number, floor = 2 ** -149): number {
  if (Number.isNaN(want)) return Number.isNaN(got) ? 0 : Infinity;
  if (got === want) return 0;
  const w = Math.fround(want);
  const ulp = Math.max(floor, 2 ** (Math.floor(Math.log2(Math.abs(w) || 2 ** -149)) - 23));
  return Math.abs(got - want) / ulp;
}

/** 24 seeded random shapes of rank 1–4, dims 1–9, each with its data (×6) and per-channel slopes. */
export function randomShapes(): { name: string; shape: number[]; data: Float32Array; alpha: Float32Array }[] {
  const rand = rng(20261129);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const shapes = Array.from({ length: 24 }, () => Array.from({ length: int(1, 4) }, () => int(1, 9)));
  return shapes.map((shape, i) => ({
    name: `#${i} shape ${JSON.stringify(shape)}`,
    shape,
    data: randomData(shape.reduce((a, b) => a * b, 1), rng(i)).map((v) => v * 6),
    alpha: randomData(shape[shape.length - 1], rng(100 + i)),
  }));
}

/** Each value within 2e-6 relative (plus 1e-7) of tfjs's. */
export function expectNearTfjs(got: ArrayLike<number>, want: ArrayLike<number>, name: string): void {
  for (let j = 0; j < want.length; j++) {
    expect(Math.abs(got[j] - want[j]), `${name}[${j}]: ${got[j]} vs tfjs ${want[j]}`).toBeLessThanOrEqual(2e-6 * Math.abs(want[j]) + 1e-7);
  }
}
