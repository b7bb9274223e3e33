import { describe, expect, it } from "vitest";
import { percentiles } from "../../src/image/colormap.js";
import { percentile } from "./normalize-ref.js";
import { rng } from "../helpers/reference.js";

describe("percentiles by radix selection equal numpy's linear percentiles on random, sorted, reversed, constant and tied data", () => {
  const rand = rng(5);
  const sets: number[][] = [
    Array.from({ length: 1001 }, () => Math.fround(rand() * 10 - 5)),
    Array.from({ length: 500 }, (_, i) => i),
    Array.from({ length: 500 }, (_, i) => 500 - i),
    new Array(300).fill(2),
    Array.from({ length: 777 }, () => Math.floor(rand() * 4)),
    [7], [1, 2],
  ];
  const rows = sets.flatMap((values, k) => [0, 0.5, 10, 50, 99.5, 100].map((p) => [k, values.length, p, values] as const));
  it.each(rows)("set %i (%i values), p = %d", (_k, _n, p, values) => {
    expect(percentiles(Float32Array.from(values), [p])[0]).toBe(percentile(values, p));
  });
});
