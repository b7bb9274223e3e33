import { describe, expect, it } from "vitest";
import { conv2dCases, convInputs, runConvCase } from "../helpers/cases.js";
import { conv2dRef, worstError } from "../helpers/reference.js";
import { conv2d, createConv2d, fused, memory, tensor, type Tensor } from "../../src/index.js";
import { backend } from "../../src/loader/backend.js";
import { bound, caseName, conv, data } from "../kernels/conv.js";

describe("conv2d vs the float64 reference, over the conformance grid", () => {
  it.each(conv2dCases.map((c, i) => [c.name, c, i] as const))("%s", (_name, c, i) => {
    const inputs = convInputs(c, 1000 + i);
    const want = conv2dRef(inputs.x, c, inputs.bias, c.activation, inputs.filter);
    const before = memory();
    const got = runConvCase(c, inputs);
    expect(got.shape).toEqual(want.shape);
    const { err, at } = worstError(got.data, want);
    // Units of 2^-20·Σ|x·w|. Float32 sums of these sizes measure well under 1 (0.22 at worst
    // when written); 16 leaves room for other summation orders and FMA, while one missing or
    // doubled tap costs about 2^20 / (taps · channels) ≥ 1000 units here.
    expect(err, `output ${at}: got ${got.data[at]}, want ${want.y[at]}`).toBeLessThan(16);
    expect(memory().numTensors).toBe(before.numTensors);
    expect(memory().numBytes).toBe(before.numBytes);
  });
});

describe("conv2d arguments", () => {
  const x = () => tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
  const k = () => tensor([1, 10, 100, 1000], [2, 2, 1, 1]);

  it("accepts 'SAME'/'Same'/'same' alike and [h, w] forms equal to their number forms", () => {
    const a = conv2d(x(), k(), 1, "same").dataSync();
    expect(conv2d(x(), k(), [1, 1], "SAME", "NHWC", [1, 1]).dataSync()).toEqual(a);
    expect(conv2d(x(), k(), 1, "Same").dataSync()).toEqual(a);
  });

  it("accepts TensorLike x and filter and disposes its own copies", () => {
    const before = memory().numTensors;
    const y = conv2d([[[1], [2]], [[3], [4]]], [[[[2]]]], 1, "valid");
    expect(y.shape).toEqual([2, 2, 1]);
    expect(Array.from(y.dataSync())).toEqual([2, 4, 6, 8]);
    y.dispose();
    expect(memory().numTensors).toBe(before);
  });

  it("numeric pad pads every side by that amount, rectangular filter and strides included", () => {
    const xs = tensor(Array.from({ length: 20 }, (_, i) => i), [1, 4, 5, 1]);
    const f = tensor([1, 1, 1, 1, 1, 1], [2, 3, 1, 1]);
    const y = conv2d(xs, f, [2, 1], 1);
    // Height: (4 + 2 - 2) / 2 + 1 = 3; width: (5 + 2 - 3) / 1 + 1 = 5 (tfjs would say 3×6).
    expect(y.shape).toEqual([1, 3, 5, 1]);
    const same = conv2d(xs, f, [2, 1], [[0, 0], [1, 1], [1, 1], [0, 0]]);
    expect(y.dataSync()).toEqual(same.dataSync());
  });

  it("dimRoundingMode rounds numeric-pad output sizes", () => {
    const xs = tensor(new Float32Array(6 * 6), [1, 6, 6, 1]);
    const f = tensor(new Float32Array(9), [3, 3, 1, 1]);
    // (6 + 2 - 3) / 2 + 1 = 3.5
    expect(conv2d(xs, f, 2, 1, "NHWC", 1, "floor").shape).toEqual([1, 3, 3, 1]);
    expect(conv2d(xs, f, 2, 1, "NHWC", 1, "ceil").shape).toEqual([1, 4, 4, 1]);
    expect(conv2d(xs, f, 2, 1, "NHWC", 1, "round").shape).toEqual([1, 4, 4, 1]);
  });

  it("a bias of one value broadcasts over every output channel", async () => {
    const { fused } = await import("../../src/index.js");
    const xs = tensor([1, 2, 3, 4], [1, 2, 2, 1]);
    const f = tensor([1, -1, 2], [1, 1, 1, 3]);
    const y = fused.conv2d({ x: xs, filter: f, strides: 1, pad: "valid", bias: tensor([0.5]) });
    const want = [1, 2, 3, 4].flatMap((v) => [v + 0.5, -v + 0.5, 2 * v + 0.5]);
    expect(Array.from(y.dataSync())).toEqual(want);
    // A scalar and a [1, 1, 1, co] bias broadcast the same way.
    const viaScalar = fused.conv2d({ x: xs, filter: f, strides: 1, pad: "valid", bias: 0.5 });
    expect(Array.from(viaScalar.dataSync())).toEqual(want);
    const perChannel = fused.conv2d({ x: xs, filter: f, strides: 1, pad: "valid", bias: tensor([1, 2, 3], [1, 1, 1, 3]) });
    expect(Array.from(perChannel.dataSync())).toEqual([1, 2, 3, 4].flatMap((v) => [v + 1, -v + 2, 2 * v + 3]));
  });
});

describe("kernel selection through conv2d()", () => {
  // Written for the 1-channel direct, few-channel im2col, 1×1 GEMM and IGEMM paths; which path
  // each shape takes is the plan's (tests/ops/conv2d_plan.test.ts).
  const cases = [
    conv([1, 20, 37, 1], [3, 3, 1, 1]),
    conv([2, 11, 13, 3], [3, 3, 3, 65], { strides: [2, 1] }),
    conv([1, 6, 7, 12], [1, 1, 12, 20], { pad: "valid" }),
    conv([1, 9, 10, 6], [3, 3, 6, 10]),
  ];
  it.each(cases.map((c, i) => [caseName(c), c, i] as const))("%s gives the reference result", (_name, c, i) => {
    const d = data(c, 7 + i);
    const y = conv2d(tensor(d.x, c.x), tensor(d.w, c.filter), c.strides, c.pad as "same" | "valid");
    expect(worstError(y.dataSync(), conv2dRef(d.x, c, undefined, "linear", d.w)).err).toBeLessThanOrEqual(bound(c));
  });

  it("the packed-weight cache follows the bias and is freed with the filter", () => {
    // 12 output channels: the IGEMM's 8-channel GEMM packing (1–4 channels take the dot paths).
    const c = conv([1, 5, 5, 3], [3, 3, 3, 12], { bias: true, act: "relu" });
    const d = data(c, 42);
    const x = tensor(d.x, c.x);
    const w = tensor(d.w, c.filter);
    const b1 = tensor(d.b!, [12]);
    const b2 = tensor(d.b!.map((v) => v + 1), [12]);
    const run = (b: Tensor, bias: Float32Array) => {
      const y = fused.conv2d({ x, filter: w, strides: 1, pad: "same", bias: b, activation: "relu" });
      const e = worstError(y.dataSync(), conv2dRef(d.x, c, bias, "relu", d.w)).err;
      y.dispose();
      return e;
    };
    expect(run(b1, d.b!)).toBeLessThanOrEqual(bound(c));
    expect(run(b2, d.b!.map((v) => v + 1))).toBeLessThanOrEqual(bound(c));
    expect(run(b1, d.b!)).toBeLessThanOrEqual(bound(c));
    const live = backend().heap.liveBytes;
    w.dispose();
    // The filter's block and both packings go back to the heap.
    expect(backend().heap.liveBytes).toBeLessThan(live - 2 * 9 * 3 * 8 * 4);
    for (const t of [x, b1, b2]) t.dispose();
  });

  it("createConv2d packs once, runs like fused.conv2d, keeps working after the caller's filter is gone, and frees on dispose", () => {
    const c = conv([2, 7, 9, 5], [3, 3, 5, 11], { strides: [2, 1], bias: true, act: "relu6" });
    const d = data(c, 9);
    const before = backend().heap.liveBytes;
    const w = tensor(d.w, c.filter);
    const op = createConv2d(w, { strides: c.strides, pad: "same", bias: d.b, activation: "relu6" });
    w.dispose();
    const want = conv2dRef(d.x, c, d.b, "relu6", d.w);
    const x = tensor(d.x, c.x);
    for (let i = 0; i < 2; i++) {
      const y = op.run(x);
      expect(y.shape).toEqual(want.shape);
      expect(worstError(y.dataSync(), want).err).toBeLessThanOrEqual(bound(c));
      y.dispose();
    }
    op.dispose();
    expect(() => op.run(d.x)).toThrow(TypeError);
    expect(() => createConv2d(d.w, { strides: 1, pad: "same" })).toThrow(/filter must be rank 4/);
    const w2 = tensor(d.w, c.filter);
    expect(() => createConv2d(w2, { strides: 1, pad: "same", bias: [1, 2] })).toThrow(RangeError);
    for (const t of [x, w2]) t.dispose();
    // Everything the operator held (filter copy, bias, packed blocks) is back in the heap.
    expect(backend().heap.liveBytes).toBe(before);
  });
});
