/**
 * Where simdconv checks what tfjs checks, its message is tfjs's, word for word: the same bad
 * call is made on TensorFlow.js (tfjs-core + tfjs-backend-cpu) and on simdconv. simdconv keeps
 * its own classes (TypeError for a wrong kind of value, RangeError for a wrong size or rank).
 */
import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as sc from "../../src/index.js";

type Lib = typeof sc;
const x4 = (lib: Lib) => lib.tensor(new Float32Array(32), [1, 4, 4, 2]);
const w4 = (lib: Lib) => lib.tensor(new Float32Array(54), [3, 3, 2, 3]);

const cases: [string, (lib: Lib) => unknown, typeof TypeError | typeof RangeError][] = [
  ["conv2d: x is an object", (l) => l.conv2d({} as never, w4(l), 1, "same"), TypeError],
  ["conv2d: x is a string", (l) => l.conv2d("image" as never, w4(l), 1, "same"), TypeError],
  ["conv2d: filter is null", (l) => l.conv2d(x4(l), null as never, 1, "same"), TypeError],
  ["conv2d: x of rank 2", (l) => l.conv2d(l.tensor([1, 2, 3, 4], [2, 2]), w4(l), 1, "same"), RangeError],
  ["conv2d: x of rank 5", (l) => l.conv2d(l.tensor(new Float32Array(32), [1, 1, 4, 4, 2]), w4(l), 1, "same"), RangeError],
  ["conv2d: filter of rank 3", (l) => l.conv2d(x4(l), l.tensor(new Float32Array(18), [3, 3, 2]), 1, "same"), RangeError],
  ["conv2d: input depth ≠ filter's", (l) => l.conv2d(x4(l), l.tensor(new Float32Array(27), [3, 3, 3, 1]), 1, "same"), RangeError],
  ["conv2d: stride 0", (l) => l.conv2d(x4(l), w4(l), 0, "same"), RangeError],
  ["conv2d: stride -1", (l) => l.conv2d(x4(l), w4(l), [-1, -1], "same"), RangeError],
  ["conv2d: dilation 0", (l) => l.conv2d(x4(l), w4(l), 1, "same", "NHWC", 0), RangeError],
  ["conv2d: dimRoundingMode with 'same'", (l) => l.conv2d(x4(l), w4(l), 1, "same", "NHWC", 1, "floor"), TypeError],
  ["conv2d: dimRoundingMode with pad 0.5", (l) => l.conv2d(x4(l), w4(l), 1, 0.5, "NHWC", 1, "ceil"), RangeError],
  ["conv2d: unknown pad string", (l) => l.conv2d(x4(l), w4(l), 1, "full" as never), TypeError],
  ["conv2d: unknown roundingMode", (l) => l.conv2d(x4(l), w4(l), 1, 1, "NHWC", 1, "up" as never), TypeError],
  ["fused conv2d: x is an object", (l) => l.fused.conv2d({ x: {} as never, filter: w4(l), strides: 1, pad: "same" }), TypeError],
  ["fused conv2d: x of rank 2", (l) => l.fused.conv2d({ x: l.tensor([1, 2, 3, 4], [2, 2]), filter: w4(l), strides: 1, pad: "same" }), RangeError],
  ["fused conv2d: filter of rank 3", (l) => l.fused.conv2d({ x: x4(l), filter: l.tensor(new Float32Array(18), [3, 3, 2]), strides: 1, pad: "same" }), RangeError],
  ["fused conv2d: input depth ≠ filter's", (l) => l.fused.conv2d({ x: x4(l), filter: l.tensor(new Float32Array(27), [3, 3, 3, 1]), strides: 1, pad: "same" }), RangeError],
  // (fused conv2d with stride 0: tfjs does not check, and fails later with an unrelated message.)
  ["maxPool: x is an object", (l) => l.maxPool({} as never, 2, 2, "same"), TypeError],
  ["maxPool: x of rank 2", (l) => l.maxPool(l.tensor([1, 2, 3, 4], [2, 2]), 2, 1, "same"), RangeError],
  ["maxPool: dimRoundingMode with 'same'", (l) => l.maxPool(x4(l), 2, 2, "same", "floor"), TypeError],
  ["relu: x is an object", (l) => l.relu({} as never), TypeError],
  ["relu6: x is undefined", (l) => l.relu6(undefined as never), TypeError],
  ["tensor: shape size ≠ values", (l) => l.tensor([1, 2, 3], [2, 2]), RangeError],
  ["tensor1d: nested values", (l) => l.tensor1d([[1, 2]] as never), RangeError],
  ["tensor1d: null", (l) => l.tensor1d(null as never), TypeError],
  ["tensor2d: flat values without a shape", (l) => l.tensor2d([1, 2]), RangeError],
  ["tensor2d: a rank-3 shape", (l) => l.tensor2d([1, 2], [1, 2, 1] as never), RangeError],
  ["tensor3d: rank-2 values", (l) => l.tensor3d([[1, 2]]), RangeError],
  ["tensor4d: a rank-3 shape", (l) => l.tensor4d([1, 2], [1, 2, 1] as never), RangeError],
  ["scalar: an array", (l) => l.scalar([1] as never), TypeError],
];

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("did not throw");
}

describe("error messages match tfjs's", () => {
  it.each(cases)("%s", (_name, call, cls) => {
    const theirs = thrown(() => tf.tidy(() => { call(tf as unknown as Lib); }));
    const ours = sc.tidy(() => thrown(() => call(sc)));
    expect(ours).toBeInstanceOf(cls);
    expect(ours.message).toBe(theirs.message);
  });
});

describe("tfjs's creation signatures", () => {
  it("tensor1d(values, dtype), tensorNd(values, shape, dtype) and scalar(value, dtype) take float32", () => {
    sc.tidy(() => {
      expect(sc.tensor1d([1, -2, 0], "float32").dataSync()).toEqual(new Float32Array([1, -2, 0]));
      expect(sc.tensor2d([1, 2, 3, 4], [2, 2], "float32").arraySync()).toEqual([[1, 2], [3, 4]]);
      expect(sc.tensor3d([[[1], [2]]], undefined, "float32").shape).toEqual([1, 2, 1]);
      expect(sc.tensor4d([1, 2], [1, 1, 2, 1], "float32").shape).toEqual([1, 1, 2, 1]);
      expect(sc.scalar(3, "float32").arraySync()).toBe(3);
    });
  });
  const makers: [string, (dtype: never) => unknown][] = [
    ["tensor", (dtype) => sc.tensor([1, 2], [2], dtype)],
    ["tensor1d", (dtype) => sc.tensor1d([1, 2], dtype)],
    ["tensor2d", (dtype) => sc.tensor2d([[1, 2]], [1, 2], dtype)],
    ["tensor3d", (dtype) => sc.tensor3d([1, 2], [1, 1, 2], dtype)],
    ["tensor4d", (dtype) => sc.tensor4d([1, 2], [1, 1, 1, 2], dtype)],
    ["scalar", (dtype) => sc.scalar(1, dtype)],
  ];
  const dtypes = ["int32", "bool", "complex64", "string"];
  it.each(dtypes.flatMap((dtype) => makers.map(([name, make]) => [name, dtype, make] as const)))("%s refuses dtype %s instead of converting", (_name, dtype, make) => {
    const before = sc.memory().numTensors;
    expect(() => make(dtype as never)).toThrow(TypeError);
    expect(() => make(dtype as never)).toThrow(/dtype must be 'float32'/);
    expect(sc.memory().numTensors).toBe(before);
  });
});
