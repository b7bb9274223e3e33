import { describe, expect, it } from "vitest";
import { conv2d, relu, maxPool, tensor, memory } from "../src/index.js";

describe("the lesson's edge filter", () => {
  it("finds the edge of a step image and relu keeps only the bright side", () => {
    // 3×4 image: dark left half, bright right half.
    const img = tensor([0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1], [3, 4, 1]);
    const k = tensor([-1, -1, -1, -1, 8, -1, -1, -1, -1], [3, 3, 1, 1]);
    const y = conv2d(img, k, 1, "same");
    expect(y.shape).toEqual([3, 4, 1]);
    // Hand-computed with zero padding.
    expect(Array.from(y.dataSync())).toEqual([0, -2, 5, 5, 0, -3, 3, 3, 0, -2, 5, 5]);
    const r = relu(y);
    expect(Array.from(r.dataSync())).toEqual([0, 0, 5, 5, 0, 0, 3, 3, 0, 0, 5, 5]);
    const p = maxPool(r, 2, 2, "same");
    expect(p.arraySync()).toEqual([[[0], [5]], [[0], [5]]]);
    const before = memory().numTensors;
    for (const t of [img, k, y, r, p]) t.dispose();
    expect(memory().numTensors).toBe(before - 5);
  });
});
