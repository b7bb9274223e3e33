/**
 * Running out of memory: the RangeError names the op, the bytes it needs, the bytes in use by
 * live tensors, cached packed weights and scratch, and the maximum; nothing allocated before is
 * lost or changed, nothing is left held, and the next op works. A small budget (the heap's
 * maxBytes lowered over an already-grown memory) makes each failure cheap; the real 4 GiB limit
 * is reached with a block that is reserved but never written, so it costs address space, not RAM.
 */
import { afterAll, describe, expect, it } from "vitest";
import {
  avgPool, batchNorm, conv2d, createConv2d, fused, init, matMul, maxPool, memory, prelu, relu, relu6, shutdownThreads,
  sigmoid, softmax, tensor, tidy, type Tensor,
} from "../../src/index.js";
import { empty } from "../../src/tensor.js";
import { backend } from "../../src/loader/backend.js";
import { randomData, rng } from "../helpers/reference.js";

const MiB = 1 << 20;
const BUDGET = 16 << 10;

/** The message's figures, parsed: everything an out-of-memory error must state. */
function parse(e: unknown) {
  expect(e).toBeInstanceOf(RangeError);
  const msg = (e as Error).message;
  const m = /^(.+?) needs (\d+) bytes, but (\d+) bytes are in use \((\d+) by live tensors, (\d+) by cached packed weights, (\d+) by scratch\) of the (shared )?WebAssembly memory's (\d+) bytes at most/.exec(msg);
  expect(m, msg).not.toBeNull();
  const [, what, needs, inUse, tensors, packings, scratch, shared, max] = m!;
  return { what, needs: +needs, inUse: +inUse, tensors: +tensors, packings: +packings, scratch: +scratch, shared: !!shared, max: +max, msg };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected an out-of-memory RangeError");
}

/** Runs `fn` with at most `budget` more bytes allocatable, in memory that needs no growth. */
function withBudget<T>(budget: number, fn: () => T): T {
  const heap = backend().heap;
  // A block allocated and freed at the top leaves the memory grown, so the budget alone decides.
  empty([Math.ceil((heap.liveBytes + budget) / 4) + MiB], "grow").dispose();
  const max = heap.maxBytes;
  heap.maxBytes = heap.liveBytes + budget;
  try {
    return fn();
  } finally {
    heap.maxBytes = max;
  }
}

const rand = rng(5);
const xData = randomData(32 * 32 * 16, rand);
const fData = randomData(3 * 3 * 16 * 24, rand);
const pwData = randomData(16 * 24, rand);

type Run = (x: Tensor, f: Tensor, pw: Tensor) => unknown;
// The op's output (64 KB; 96 KB for the convs) or its packed weights do not fit in 16 KB.
const ops: [string, Run][] = [
  ["tensor", () => tensor(new Float32Array(65536))],
  ["clone", (x) => x.clone()],
  ["relu", (x) => relu(x)],
  ["relu6", (x) => relu6(x)],
  ["maxPool", (x) => maxPool(x, 2, 1, "same")],
  ["conv2d", (x, f) => conv2d(x, f, 1, "same")], // Winograd weights first
  ["conv2d", (x, _, pw) => conv2d(x, pw, 1, "valid")], // 1×1: packed weights, then the output
  ["fused.conv2d", (x, f) => fused.conv2d({ x, filter: f, strides: 2, pad: "same", activation: "relu" })], // IGEMM
  ["createConv2d", (_, f) => createConv2d(f, { strides: 1, pad: "same" })], // its own Winograd weights (24 KB)
  ["avgPool", (x) => avgPool(x, 2, 1, "same")],
  ["sigmoid", (x) => sigmoid(x)],
  ["softmax", (x) => softmax(x)],
  ["prelu", (x) => prelu(x, [0.5])],
  ["batchNorm", (x) => batchNorm(x, [0.5], [2])],
  // Packed b, then the output; tidy disposes the reshapes, also when the op throws.
  ["matMul", (x, _, pw) => tidy(() => matMul(x.reshape([1024, 16]), pw.reshape([16, 24])))],
  ["fused.matMul", (x, _, pw) => tidy(() => fused.matMul({ a: x.reshape([1024, 16]), b: pw.reshape([16, 24]), activation: "sigmoid" }))],
];

describe("an op that runs out of memory", () => {
  it.each(ops)("%s: a RangeError naming it and the figures; everything held stays valid", (op, run) => {
    const x = tensor(xData, [1, 32, 32, 16]);
    const f = tensor(fData, [3, 3, 16, 24]);
    const pw = tensor(pwData, [1, 1, 16, 24]);
    const before = memory();
    const heap = backend().heap;
    const held = { ...heap.inUse };
    const m = parse(withBudget(BUDGET, () => thrown(() => run(x, f, pw))));
    expect(m.what.startsWith(op)).toBe(true);
    // The figures as they were when the request failed (the op may have allocated before it).
    expect(m.needs).toBeGreaterThan(m.max - m.inUse);
    expect(m.max).toBe(held.tensor + held.packing + held.scratch + BUDGET);
    expect(m.tensors).toBeGreaterThanOrEqual(held.tensor);
    expect(m.packings).toBeGreaterThanOrEqual(held.packing);
    expect(m.tensors + m.packings + m.scratch).toBe(m.inUse);
    expect(m.shared).toBe(false);
    // Nothing is left held but packed weights, cached on the filter (freed with it, and
    // reused by the next call); nothing held changed; the op runs once memory allows.
    expect(memory().numTensors).toBe(before.numTensors);
    expect(memory().numBytes).toBe(before.numBytes);
    expect(heap.inUse.tensor).toBe(held.tensor);
    expect(heap.inUse.scratch).toBe(held.scratch);
    expect(x.dataSync()).toEqual(xData);
    expect(f.dataSync()).toEqual(fData);
    const r = run(x, f, pw) as Tensor | { dispose(): void };
    r.dispose();
    for (const t of [x, f, pw]) t.dispose();
  });

  it("scratch that does not fit after the output did frees the output too", () => {
    // Winograd: weights and output fit, the transformed-input scratch (about 1 MB) does not.
    const x = tensor(randomData(64 * 64 * 16, rand), [1, 64, 64, 16]);
    const f = tensor(randomData(3 * 3 * 16 * 8, rand), [3, 3, 16, 8]);
    const before = memory();
    const heap = backend().heap;
    const want = conv2d(x, f, 1, "same");
    const wantData = want.dataSync();
    want.dispose();
    const held = { ...heap.inUse };
    const m = parse(withBudget(64 * 64 * 8 * 4 + 4096, () => thrown(() => conv2d(x, f, 1, "same"))));
    expect(m.what).toBe("conv2d: conv2d winograd scratch");
    expect(memory()).toEqual({ ...before, wasmBytes: memory().wasmBytes });
    expect({ ...heap.inUse }).toEqual(held);
    expect(held.packing).toBeGreaterThan(0); // the Winograd weights, cached by the call above
    const y = conv2d(x, f, 1, "same");
    expect(y.dataSync()).toEqual(wantData);
    for (const t of [x, f, y]) t.dispose();
  });

  it("at the real 4 GiB maximum: a 3.6 GB input's relu names the memory held, not the size", () => {
    const before = memory();
    const big = empty([1, 30001, 30001, 1], "test"); // reserved, never written
    const small = tensor([-1, 2, -3]);
    const m = parse(thrown(() => relu(big)));
    expect(m.what).toBe("relu: shape [1,30001,30001,1]");
    expect(m.needs).toBe(3600240004);
    expect(m.tensors).toBeGreaterThanOrEqual(3600240004);
    expect(m.max).toBe(4294967296);
    const y = relu(small);
    expect(y.dataSync()).toEqual(Float32Array.from([0, 2, 0]));
    y.dispose();
    big.dispose();
    // Its space is free again: the same size fits now.
    const again = empty([1, 30001, 30001, 1], "test");
    again.dispose();
    small.dispose();
    expect(memory().numBytes).toBe(before.numBytes);
  });
});

describe("with threads on, the shared memory's maximum", () => {
  afterAll(() => shutdownThreads());

  it("is reported the same way, and the pool keeps working", async () => {
    await init({ threads: 2 });
    const heap = backend().heap;
    expect(heap.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    const x = tensor(xData, [1, 32, 32, 16]);
    const f = tensor(fData, [3, 3, 16, 24]);
    const before = memory();
    const m = parse(withBudget(BUDGET, () => thrown(() => conv2d(x, f, 1, "same"))));
    expect(m.shared).toBe(true);
    expect(m.what.startsWith("conv2d")).toBe(true);
    // The real maximum of the shared memory, whatever size could be reserved.
    const real = parse(thrown(() => empty([heap.maxBytes / 4], "tensor")));
    expect(real.shared).toBe(true);
    expect(real.max).toBe(heap.maxBytes);
    expect(memory().numBytes).toBe(before.numBytes);
    const y = conv2d(x, f, 1, "same");
    expect(y.shape).toEqual([1, 32, 32, 24]);
    for (const t of [x, f, y]) t.dispose();
  });
});
