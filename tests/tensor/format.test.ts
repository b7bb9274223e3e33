/**
 * Tensor.toString() and print() against tfjs-core's own, character for character, on shapes
 * around the 20-entry truncation limit and on a large tensor.
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as sc from "../../src/index.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
  await sc.init();
});

/** Values with short, long, negative, integral and tiny decimal forms. */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 2 ** 32;
    out[i] = i % 5 === 0 ? Math.round(u * 200 - 100) : i % 7 === 0 ? u * 1e-6 : (u - 0.5) * 10 ** ((i % 4) - 1);
  }
  return out;
}

const shapes: number[][] = [
  [], [1], [5], [20], [21], [100],
  [2, 3], [20, 20], [21, 4], [4, 21], [25, 25],
  [2, 3, 4], [21, 2, 22], [3, 1, 1],
  [1, 4, 4, 2], [2, 21, 3, 2], [1, 2, 2, 30],
  [0], [2, 0], [0, 3],
];

describe("toString matches tfjs", () => {
  it.each(shapes.map((s, i) => ({ shape: s, seed: i + 1, name: `shape=[${s}]` })))("$name", ({ shape, seed }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const v = values(n, seed);
    const ours = sc.tensor(v, shape);
    const theirs = tf.tensor(v, shape, "float32");
    try {
      expect(ours.toString()).toBe(theirs.toString());
      expect(ours.toString(true)).toBe(theirs.toString(true));
    } finally {
      ours.dispose();
      theirs.dispose();
    }
  });
});

describe("toString of a large tensor", () => {
  it("a 1M-element tensor prints as tfjs truncates it, a few KB", () => {
    const v = values(1 << 20, 7);
    const ours = sc.tensor(v, [1, 256, 256, 16]);
    const theirs = tf.tensor(v, [1, 256, 256, 16], "float32");
    try {
      const s = ours.toString();
      expect(s).toBe(theirs.toString());
      expect(s.length).toBeLessThan(20_000); // 2 MB before truncation
      expect(s).toContain("...");
    } finally {
      ours.dispose();
      theirs.dispose();
    }
  });

  it("print() logs toString(verbose)", () => {
    const t = sc.tensor([1, 2.5, -3], [3]);
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      t.print(true);
      expect(log).toHaveBeenCalledWith("Tensor\n  dtype: float32\n  rank: 1\n  shape: [3]\n  values:\n    [1, 2.5, -3]");
    } finally {
      log.mockRestore();
      t.dispose();
    }
  });
});
