/**
 * batchNorm's bad arguments in tfjs's wording. Its kernel's grid against tfjs-cpu (channels around
 * the vector steps, with and without offset and scale) is in tests/kernels/f32-batchnorm.test.ts.
 */
import { describe, expect, it } from "vitest";
import * as sc from "../../src/index.js";

describe("batchNorm", () => {
  it("rejects bad arguments with tfjs's wording", () => {
    expect(() => sc.batchNorm([[1, 2]], [[1, 2]], [1, 2])).toThrow("Batch normalization gradient requires mean and variance to have equal ranks.");
    expect(() => sc.batchNorm([[1, 2]], [1, 2], [1, 2], [[0, 0]])).toThrow(/mean and offset to have equal ranks/);
    expect(() => sc.batchNorm([[1, 2, 3]], [1, 2], [1, 2])).toThrow(/batchNorm: x has 3 values/);
    expect(() => sc.batchNorm([[1, 2]], [1, 2], [1, 2], undefined, undefined, "0.1" as never)).toThrow(/varianceEpsilon must be a number/);
  });
});
