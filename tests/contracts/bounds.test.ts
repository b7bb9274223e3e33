/**
 * The memory contract: kernels may read up to 16 bytes past an input's end (each block's slack)
 * but never write past a result's end, not even into its slack. Every op, at lengths and channel
 * counts that end in each kind of vector tail.
 */
import { describe, expect, it } from "vitest";
import * as sc from "../../src/index.js";
import { conv2d, maxPool, relu, relu6, tensor, type Tensor } from "../../src/index.js";

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

describe("kernels never write past a tensor's end, not even into its slack", () => {
  const clamps = [["relu", relu], ["relu6", relu6]] as const;
  it.each(clamps.flatMap(([name, op]) => [1, 2, 3, 5, 6, 7, 17, 18, 19].map((n) => [name, n, op] as const)))("%s, %i values", (_name, n, op) => {
    const x = tensor(new Float32Array(n).fill(-1));
    const { out, after } = outputOver(n + 8, () => op(x));
    expect(after).toEqual(new Array(8).fill(1234.5));
    expect(Array.from(out.dataSync())).toEqual(new Array(n).fill(0));
    out.dispose();
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

  const activations: [string, (x: Tensor, alpha: Tensor) => Tensor][] = [
    ...(["sigmoid", "tanh", "elu", "selu", "leakyRelu"] as const).map((op) => [op, (x: Tensor) => sc[op](x)] as [string, (x: Tensor, alpha: Tensor) => Tensor]),
    ["prelu", (x, alpha) => sc.prelu(x, alpha)],
    ["softmax", (x) => sc.softmax(x)],
  ];
  it.each(activations.flatMap(([name, op]) => [1, 2, 3, 5, 6, 7, 9, 17].map((n) => [name, n, op] as const)))("%s, %i values", (name, n, op) => {
    const x = tensor(new Float32Array(n).fill(-0.5));
    const alpha = tensor(new Float32Array(n).fill(0.5));
    const { out, after } = outputOver(n + 8, () => op(x, alpha));
    expect(after, name).toEqual(new Array(8).fill(1234.5));
    out.dispose();
    sc.dispose([x, alpha]);
  });

  it.each([1, 2, 3, 5, 7, 9, 17])("fused.matMul with bias and sigmoid, %i output columns", (n) => {
    const a = sc.tensor(new Float32Array(3 * 4).fill(1), [3, 4]);
    const b = sc.tensor(new Float32Array(4 * n).fill(0.5), [4, n]);
    const bias = sc.tensor(new Float32Array(n).fill(1));
    const run = () => sc.fused.matMul({ a, b, bias, activation: "sigmoid" });
    // The second result lands where the first was: fill what follows it (its block's slack,
    // free memory) with a sentinel in between.
    const first = run();
    const at = first.view().byteOffset + first.size * 4;
    first.dispose();
    const f32 = new Float32Array(a.view().buffer);
    f32.fill(1234.5, at / 4, at / 4 + 4);
    const y = run();
    const v = y.view();
    expect(v.byteOffset + v.byteLength).toBe(at);
    expect(Array.from(new Float32Array(v.buffer, at, 4))).toEqual(new Array(4).fill(1234.5));
    expect(v[0]).toBeCloseTo(1 / (1 + Math.exp(-3)), 6);
    sc.dispose([a, b, bias, y]);
  });
});
