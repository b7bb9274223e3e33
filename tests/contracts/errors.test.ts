/**
 * Every bad input gets a TypeError or RangeError whose message names the parameter, thrown
 * before any wasm runs; afterwards nothing has leaked and the library still computes.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  conv2d, dispose, fused, maxPool, memory, relu, relu6, scalar, tensor, tensor1d, tensor2d, tensor3d, tensor4d, tidy, type MemoryInfo, type Tensor,
} from "../../src/index.js";

let baseline: MemoryInfo;
let x: Tensor; // [1, 4, 4, 2]
let filter: Tensor; // [3, 3, 2, 3]

beforeAll(() => {
  x = tensor(Array.from({ length: 32 }, (_, i) => (i % 7) - 3), [1, 4, 4, 2]);
  filter = tensor(Array.from({ length: 54 }, (_, i) => ((i * 5) % 11) / 10 - 0.5), [3, 3, 2, 3]);
  baseline = memory();
});

/** conv2d(x, filter, 1, 'same') computed in float64 here, to check the library still works. */
function expectStillWorks(): void {
  const want: number[] = [];
  const xd = x.dataSync();
  const fd = filter.dataSync();
  for (let oy = 0; oy < 4; oy++)
    for (let ox = 0; ox < 4; ox++)
      for (let o = 0; o < 3; o++) {
        let s = 0;
        for (let ky = 0; ky < 3; ky++)
          for (let kx = 0; kx < 3; kx++) {
            const iy = oy + ky - 1;
            const ix = ox + kx - 1;
            if (iy < 0 || iy >= 4 || ix < 0 || ix >= 4) continue;
            for (let i = 0; i < 2; i++) s += xd[(iy * 4 + ix) * 2 + i] * fd[((ky * 3 + kx) * 2 + i) * 3 + o];
          }
        want.push(s);
      }
  const y = conv2d(x, filter, 1, "same");
  const got = Array.from(y.dataSync());
  y.dispose();
  got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
}

afterEach(() => {
  dispose(made.splice(0));
  expect(memory().numTensors).toBe(baseline.numTensors);
  expect(memory().numBytes).toBe(baseline.numBytes);
  expectStillWorks();
  expect(memory()).toEqual(baseline);
});

type Case = [string, () => unknown, typeof TypeError | typeof RangeError, RegExp];

/** A fresh tensor disposed before use. */
function disposed(shape = [1, 4, 4, 2]): Tensor {
  const t = tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);
  t.dispose();
  return t;
}

/** Arguments built for a case; disposed after it, so only the op under test could leak. */
const made: Tensor[] = [];
function mk(values: number[] | Float32Array, shape?: number[]): Tensor {
  const t = tensor(values, shape);
  made.push(t);
  return t;
}

const f = () => filter;
const conv2dCases: Case[] = [
  ["x of rank 2", () => conv2d(mk([1, 2, 3, 4], [2, 2]), f(), 1, "same"), RangeError, /^Error in conv2d: input must be rank 4, but got rank 2\.$/],
  ["x of rank 5", () => conv2d(mk(new Float32Array(32), [1, 1, 4, 4, 2]), f(), 1, "same"), RangeError, /input must be rank 4, but got rank 5/],
  ["filter of rank 3", () => conv2d(x, mk(new Float32Array(18), [3, 3, 2]), 1, "same"), RangeError, /filter.*rank/],
  ["in-channels ≠ filter in-channels", () => conv2d(x, mk(new Float32Array(27), [3, 3, 3, 1]), 1, "same"), RangeError, /^Error in conv2d: depth of input \(2\) must match input depth for filter 3\.$/],
  ["NCHW in-channels ≠ filter in-channels", () => conv2d(x, f(), 1, "same", "NCHW"), RangeError, /depth of input \(4\)/],
  ["filter of height 0", () => conv2d(x, mk([], [0, 3, 2, 3]), 1, "same"), RangeError, /filter/],
  ["stride 0", () => conv2d(x, f(), 0, "same"), RangeError, /^Error in conv2D: Strides should be larger than 0\.$/],
  ["stride -1", () => conv2d(x, f(), -1, "same"), RangeError, /Strides should be larger than 0/],
  ["stride NaN", () => conv2d(x, f(), NaN, "same"), RangeError, /Strides should be larger than 0/],
  ["stride 1.5", () => conv2d(x, f(), 1.5, "same"), RangeError, /strides/],
  ["stride [1, 0]", () => conv2d(x, f(), [1, 0], "same"), RangeError, /Strides should be larger than 0/],
  ["stride Infinity", () => conv2d(x, f(), Infinity, "same"), RangeError, /strides/],
  ["strides of 3 values", () => conv2d(x, f(), [1, 1, 1] as never, "same"), TypeError, /strides/],
  ["stride as a string", () => conv2d(x, f(), "2" as never, "same"), TypeError, /strides/],
  ["dilation 0", () => conv2d(x, f(), 1, "same", "NHWC", 0), RangeError, /^Error in conv2D: Dilated rates should be larger than 0\.$/],
  ["dilation -2", () => conv2d(x, f(), 1, "same", "NHWC", -2), RangeError, /Dilated rates should be larger than 0/],
  ["dilation NaN", () => conv2d(x, f(), 1, "same", "NHWC", NaN), RangeError, /Dilated rates should be larger than 0/],
  ["dilation 0.5", () => conv2d(x, f(), 1, "same", "NHWC", [1, 0.5]), RangeError, /dilations/],
  ["unknown pad string", () => conv2d(x, f(), 1, "full" as never), TypeError, /pad/],
  ["pad as an object", () => conv2d(x, f(), 1, {} as never), TypeError, /pad/],
  ["negative numeric pad", () => conv2d(x, f(), 1, -1), RangeError, /pad/],
  ["fractional numeric pad", () => conv2d(x, f(), 1, 0.5), RangeError, /pad/],
  ["NaN numeric pad", () => conv2d(x, f(), 1, NaN), RangeError, /pad/],
  ["negative explicit pad", () => conv2d(x, f(), 1, [[0, 0], [-1, 1], [1, 1], [0, 0]]), RangeError, /pad/],
  ["explicit pad with a NaN", () => conv2d(x, f(), 1, [[0, 0], [1, 1], [NaN, 1], [0, 0]]), RangeError, /pad/],
  ["explicit pad of the wrong shape", () => conv2d(x, f(), 1, [[1, 1], [1, 1]] as never), TypeError, /pad/],
  ["explicit pad on the channel dimension", () => conv2d(x, f(), 1, [[0, 0], [1, 1], [1, 1], [0, 1]]), RangeError, /pad/],
  ["VALID with a kernel larger than the input", () => conv2d(x, mk(new Float32Array(50), [5, 5, 2, 1]), 1, "valid"), RangeError, /output.*empty.*filter/],
  ["VALID with a dilated kernel larger than the input", () => conv2d(x, f(), 1, "valid", "NHWC", 2), RangeError, /output.*dilated/],
  ["explicit pads too small for the kernel", () => conv2d(x, mk(new Float32Array(12), [6, 1, 2, 1]), 1, [[0, 0], [1, 0], [0, 0], [0, 0]]), RangeError, /output/],
  ["a pad beyond 32-bit indexing", () => conv2d(x, f(), 2 ** 32, 2 ** 32 - 1), RangeError, /pad, strides and dilations/],
  ["a dilation beyond 32-bit indexing (SAME)", () => conv2d(x, f(), 1, "same", "NHWC", 2 ** 32 + 1), RangeError, /pad, strides and dilations/],
  ["an explicit pad beyond 32-bit indexing", () => conv2d(x, f(), [2 ** 31, 1], [[0, 0], [2 ** 31, 0], [0, 0], [0, 0]]), RangeError, /pad, strides and dilations/],
  ["unknown dataFormat", () => conv2d(x, f(), 1, "same", "NWHC" as never), TypeError, /dataFormat/],
  ["unknown dimRoundingMode with a numeric pad", () => conv2d(x, f(), 1, 1, "NHWC", 1, "up" as never), TypeError, /^Unknown roundingMode up$/],
  ["unknown dimRoundingMode with a pad string", () => conv2d(x, f(), 1, "same", "NHWC", 1, "up" as never), TypeError, /dimRoundingMode/],
  ["dimRoundingMode with a pad string (as tfjs)", () => conv2d(x, f(), 1, "valid", "NHWC", 1, "ceil"), TypeError, /dimRoundingMode.*pad/],
  ["disposed x", () => conv2d(disposed(), f(), 1, "same"), TypeError, /\bx\b.*disposed/],
  ["disposed filter", () => conv2d(x, disposed([3, 3, 2, 3]), 1, "same"), TypeError, /filter.*disposed/],
  ["x that is not a tensor", () => conv2d("image" as never, f(), 1, "same"), TypeError, /\bx\b/],
  ["x that is ragged", () => conv2d([[[1], [2]], [[3]]] as never, f(), 1, "same"), RangeError, /values|ragged/],
  ["filter that is null", () => conv2d(x, null as never, 1, "same"), TypeError, /filter/],
  ["an output too large to allocate", () => conv2d(x, f(), 1, 40000), RangeError, /conv2d.*bytes/],
];

const fusedCases: Case[] = [
  ["no argument object", () => fused.conv2d(undefined as never), TypeError, /fused\.conv2d/],
  ["unknown activation", () => fused.conv2d({ x, filter: f(), strides: 1, pad: "same", activation: "gelu" as never }), TypeError, /activation/],
  ["bias with the wrong number of values", () => fused.conv2d({ x, filter: f(), strides: 1, pad: "same", bias: mk([1, 2]) }), RangeError, /bias/],
  ["bias of rank 2 that would not broadcast", () => fused.conv2d({ x, filter: f(), strides: 1, pad: "same", bias: mk([1, 2, 3], [3, 1]) }), RangeError, /bias/],
  ["disposed bias", () => fused.conv2d({ x, filter: f(), strides: 1, pad: "same", bias: disposed([3]) }), TypeError, /bias.*disposed/],
  ["bias that is a string", () => fused.conv2d({ x, filter: f(), strides: 1, pad: "same", bias: "b" as never }), TypeError, /bias/],
  ["stride 0", () => fused.conv2d({ x, filter: f(), strides: 0, pad: "same" }), RangeError, /Strides should be larger than 0/],
  ["unknown dataFormat", () => fused.conv2d({ x, filter: f(), strides: 1, pad: "same", dataFormat: "nhwc" as never }), TypeError, /dataFormat/],
  ["missing filter", () => fused.conv2d({ x, strides: 1, pad: "same" } as never), TypeError, /filter/],
];

const maxPoolCases: Case[] = [
  ["x of rank 2", () => maxPool(mk([1, 2, 3, 4], [2, 2]), 2, 1, "same"), RangeError, /^Error in maxPool: input must be rank 4 but got rank 2\.$/],
  ["filterSize 0", () => maxPool(x, 0, 1, "same"), RangeError, /filterSize/],
  ["filterSize NaN", () => maxPool(x, NaN, 1, "same"), RangeError, /filterSize/],
  ["filterSize [2, 1.5]", () => maxPool(x, [2, 1.5], 1, "same"), RangeError, /filterSize/],
  ["stride -1", () => maxPool(x, 2, -1, "same"), RangeError, /strides/],
  ["stride 2.5", () => maxPool(x, 2, 2.5, "same"), RangeError, /strides/],
  ["unknown pad string", () => maxPool(x, 2, 2, "SAMEISH" as never), TypeError, /pad/],
  ["negative pad", () => maxPool(x, 2, 2, -3), RangeError, /pad/],
  ["VALID with a window larger than the input", () => maxPool(x, 5, 1, "valid"), RangeError, /output/],
  ["dimRoundingMode with a pad string (as tfjs)", () => maxPool(x, 2, 2, "same", "floor"), TypeError, /dimRoundingMode.*pad/],
  ["a pad beyond 32-bit indexing", () => maxPool(x, 1, 2 ** 32, 2 ** 32 - 1), RangeError, /pad, strides and dilations/],
  ["disposed x", () => maxPool(disposed(), 2, 2, "same"), TypeError, /\bx\b.*disposed/],
  ["an output too large to allocate", () => maxPool(x, 1, 1, 40000), RangeError, /maxPool.*bytes/],
];

const reluCases: Case[] = [
  ["relu of a disposed tensor", () => relu(disposed()), TypeError, /\bx\b.*disposed/],
  ["relu6 of a disposed tensor", () => relu6(disposed()), TypeError, /\bx\b.*disposed/],
  ["relu of a string", () => relu("x" as never), TypeError, /^Argument 'x' passed to 'relu' must be float32 tensor, but got string tensor$/],
  ["relu of an object", () => relu({} as never), TypeError, /^Argument 'x' passed to 'relu' must be a Tensor or TensorLike, but got 'Object'$/],
  ["relu6 of undefined", () => relu6(undefined as never), TypeError, /^Argument 'x' passed to 'relu6' must be a Tensor or TensorLike, but got 'null'$/],
];

const tensorCases: Case[] = [
  ["data length ≠ shape", () => tensor([1, 2, 3], [2, 2]), RangeError, /^Based on the provided shape, \[2,2\], the tensor should have 4 values but has 3$/],
  ["Float32Array length ≠ shape", () => tensor(new Float32Array(5), [1, 2, 2, 1]), RangeError, /shape.*should have 4 values but has 5/],
  ["negative dimension", () => tensor([], [2, -1]), RangeError, /shape/],
  ["fractional dimension", () => tensor([1, 2, 3], [1.5, 2]), RangeError, /shape/],
  ["NaN dimension", () => tensor([1], [NaN]), RangeError, /shape/],
  ["shape that is not an array", () => tensor([1, 2], 2 as never), TypeError, /shape/],
  ["ragged nested values", () => tensor([[1, 2], [3]]), RangeError, /values.*ragged/],
  ["a string among the values", () => tensor([1, "2"] as never), TypeError, /values/],
  ["values that are an object", () => tensor({ a: 1 } as never), TypeError, /values/],
  ["values in a DataView", () => tensor(new DataView(new ArrayBuffer(8)) as never), TypeError, /values/],
  ["dtype int32", () => tensor([1, 2], [2], "int32" as never), TypeError, /dtype/],
  ["tensor1d given rank 2", () => tensor1d([[1, 2]] as never), RangeError, /^tensor1d\(\) requires values to be a flat\/TypedArray$/],
  ["tensor1d with dtype int32", () => tensor1d([1, 2], "int32" as never), TypeError, /dtype must be 'float32'.*"int32"/],
  ["tensor1d with a shape in place of the dtype", () => tensor1d([1, 2], [2] as never), TypeError, /dtype/],
  ["tensor2d with flat values and no shape", () => tensor2d([1, 2]), RangeError, /^tensor2d\(\) requires shape to be provided when `values` are a flat\/TypedArray$/],
  ["tensor3d of rank-2 values", () => tensor3d([[1, 2]]), RangeError, /^tensor3d\(\) requires values to be number\[\]\[\]\[\] or flat\/TypedArray$/],
  ["tensor4d with dtype int32", () => tensor4d([1], [1, 1, 1, 1], "int32" as never), TypeError, /dtype/],
  ["scalar with dtype int32", () => scalar(1, "int32" as never), TypeError, /dtype/],
  ["scalar of an array", () => scalar([1] as never), TypeError, /^Error creating a new Scalar: value must be a primitive \(number\|boolean\|string\)$/],
  ["tensor of null", () => tensor(null as never), TypeError, /^The input to the tensor constructor must be a non-null value\.$/],
  ["a boolean tensor", () => tensor([true, false] as never), TypeError, /values/],
  ["tensor4d with a rank-3 shape", () => tensor4d([1, 2], [1, 2, 1] as never), RangeError, /^tensor4d\(\) requires shape to have four numbers$/],
  ["a 16 GiB shape given too few values (checked before any allocation)", () => tensor(new Float32Array(0), [65536, 65536]), RangeError, /shape.*should have 4294967296 values but has 0/],
  ["reshape to a size that does not fit", () => tidy(() => x.reshape([3, 3])), RangeError, /shape/],
  ["reshape with two -1", () => tidy(() => x.reshape([-1, -1])), RangeError, /shape/],
  ["reshape of a disposed tensor", () => disposed().reshape([32]), TypeError, /disposed/],
  ["dataSync of a disposed tensor", () => disposed().dataSync(), TypeError, /disposed/],
  ["arraySync of a disposed tensor", () => disposed().arraySync(), TypeError, /disposed/],
  ["view of a disposed tensor", () => disposed().view(), TypeError, /disposed/],
  ["clone of a disposed tensor", () => disposed().clone(), TypeError, /disposed/],
  ["tidy without a function", () => tidy(42 as never), TypeError, /fn/],
];

describe.each([
  ["conv2d", conv2dCases],
  ["fused.conv2d", fusedCases],
  ["maxPool", maxPoolCases],
  ["relu / relu6", reluCases],
  ["tensors", tensorCases],
] as const)("%s: bad input", (_group, cases) => {
  it.each(cases)("%s", (_name, fn, errorClass, message) => {
    let thrown: unknown;
    try {
      dispose(fn()); // a wrong success must not leak into the next case's memory check
    } catch (e) {
      thrown = e;
    }
    expect(thrown, "no error was thrown").toBeInstanceOf(errorClass);
    expect((thrown as Error).message).toMatch(message);
  });
});

describe("errors inside tidy", () => {
  it("a throw inside tidy disposes what the scope made, then rethrows", () => {
    expect(() =>
      tidy(() => {
        const a = relu(x);
        const b = tensor([1, 2, 3]);
        maxPool(a, 2, 0, "same");
        return b;
      }),
    ).toThrow(/strides/);
  });

  it("a failing op given arrays disposes the tensors it made from them", () => {
    expect(() => conv2d(Array.from({ length: 2 }, () => [[[1, 2]]]), [[[[1], [2]]]], 1, "valid", "NHWC", 0)).toThrow(RangeError);
    expect(() => fused.conv2d({ x: [[[1]]], filter: [[[[1, 2]]]], strides: 1, pad: "same", bias: [1, 2, 3] })).toThrow(/bias/);
  });

  it("async reads of a disposed tensor reject with the same TypeError", async () => {
    await expect(disposed().data()).rejects.toThrow(TypeError);
    await expect(disposed().array()).rejects.toThrow(/disposed/);
  });

  it("dispose of a container with a disposed tensor is harmless", () => {
    const t = disposed();
    dispose([t, { t }]);
    t.dispose();
  });
});
