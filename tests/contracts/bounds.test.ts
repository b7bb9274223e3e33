/**
 * The memory contract: kernels may read up to 16 bytes past an input's end (each block's slack)
 * but never write past a result's end, not even into its slack.
 */
import { describe, expect, it } from "vitest";
import { conv2d, maxPool, relu, relu6, tensor, type Tensor } from "../../src/index.js";

describe("kernels never write past a tensor's end, not even into its slack", () => {
  // Fill a block with a sentinel and free it: the op's output, allocated next at the top of
  // the heap, lands on it, so anything written past the output's last value shows.
  function outputOver(sentinelFloats: number, op: () => Tensor): { out: Tensor; after: number[] } {
    // A first call makes whatever the op caches (a conv's packed weights), so the second
    // call's output is the only allocation and lands on the sentinel block.
    op().dispose();
    const block = tensor(new Float32Array(sentinelFloats).fill(1234.5));
    block.dispose();
    const out = op();
    const v = out.view();
    const after = Array.from(new Float32Array(v.buffer, v.byteOffset + v.byteLength, sentinelFloats - out.size));
    return { out, after };
  }

  it.each([1, 2, 3, 5, 6, 7, 17, 18, 19])("relu and relu6, %i values", (n) => {
    const x = tensor(new Float32Array(n).fill(-1));
    for (const op of [relu, relu6]) {
      const { out, after } = outputOver(n + 8, () => op(x));
      expect(after).toEqual(new Array(8).fill(1234.5));
      expect(Array.from(out.dataSync())).toEqual(new Array(n).fill(0));
      out.dispose();
    }
  });

  it.each([1, 2, 3, 5, 7, 17, 18, 19, 33])("conv2d, %i output channels", (co) => {
    const x = tensor(new Float32Array(4).fill(1), [1, 1, 1, 4]);
    const f = tensor(new Float32Array(4 * co).fill(0.5), [1, 1, 4, co]);
    const { out, after } = outputOver(co + 8, () => conv2d(x, f, 1, "valid"));
    expect(after).toEqual(new Array(8).fill(1234.5));
    expect(Array.from(out.dataSync())).toEqual(new Array(co).fill(2));
  });

  it.each([1, 2, 3, 5, 6, 7, 17])("maxPool, %i channels", (c) => {
    const x = tensor(new Float32Array(4 * c).fill(3), [1, 2, 2, c]);
    const { out, after } = outputOver(c + 8, () => maxPool(x, 2, 2, "valid"));
    expect(after).toEqual(new Array(8).fill(1234.5));
    expect(Array.from(out.dataSync())).toEqual(new Array(c).fill(3));
  });
});
