/**
 * relu, relu6 and maxPool defer their result (DeferredJob in src/tensor.ts): dataSync() then
 * computes it a chunk of rows at a time and copies each chunk out. These tests read every
 * result both ways, across chunk boundaries, and check each event that must compute a
 * deferred result first: its own use as an input, its source being disposed or handed out
 * writable, reshape, clone and tidy; and that a source with a writable view makes ops compute
 * at once, so a result never sees writes made after its op returned.
 */
import { afterAll, describe, expect, it } from "vitest";
import { maxPoolRef, randomData, rng } from "../helpers/reference.js";
import { avgPool, init, maxPool, memory, relu, relu6, shutdownThreads, sigmoid, softmax, tensor, tidy, type Tensor } from "../../src/index.js";
import { isDeferred } from "../../src/tensor.js";
import { backend } from "../../src/loader/backend.js";

// A chunk of the read-back is 65,536 floats (CHUNK_FLOATS in src/tensor.ts).
const CHUNK = 65536;
const relu64 = (v: number) => (Number.isNaN(v) ? NaN : Math.max(v, 0));
const relu664 = (v: number) => (Number.isNaN(v) ? NaN : Math.min(Math.max(v, 0), 6));

function input(n: number, seed: number): Float32Array {
  const x = randomData(n, rng(seed)).map((v) => v * 8);
  if (n > 5) {
    x[1] = NaN;
    x[n - 2] = -Infinity;
    x[n - 1] = Infinity;
  }
  return x;
}

/** toEqual for long arrays, fast: the first element that differs (Object.is), with its index. */
function expectSame(got: Float32Array, want: Float32Array): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) expect({ at: i, got: got[i] }).toEqual({ at: i, got: want[i] });
  }
}

/** The value read back with dataSync() while deferred, and again after view() computed it in place. */
function bothWays(y: Tensor): [Float32Array, Float32Array] {
  expect(isDeferred(y)).toBe(true);
  const fused = y.dataSync();
  expect(isDeferred(y)).toBe(true); // reading does not compute it into its block
  const inPlace = y.view().slice();
  expect(isDeferred(y)).toBe(false);
  return [fused, inPlace];
}

describe("deferred relu and relu6, read back in chunks and computed in place", () => {
  // Below, at and across chunk boundaries, with tails that are not a multiple of 4.
  const lengths = [1, 3, 17, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 7, 3 * CHUNK + 4093];
  it.each(lengths)("%i values", (n) => {
    const x = input(n, 100 + n);
    const before = memory();
    const xt = tensor(x);
    const results: Tensor[] = [];
    for (const [op, ref] of [[relu, relu64], [relu6, relu664]] as const) {
      const want = Float32Array.from(x, ref);
      const y = op(xt);
      results.push(y);
      const [fused, inPlace] = bothWays(y);
      expectSame(fused, want);
      expectSame(inPlace, want);
    }
    expectSame(xt.dataSync(), x); // the input is untouched
    for (const t of [xt, ...results]) t.dispose();
    expect(memory().numBytes).toBe(before.numBytes);
    expect(memory().numTensors).toBe(before.numTensors);
  });
});

describe("deferred maxPool, read back in chunks of rows and computed in place", () => {
  // Rows of 7·5 floats (many per chunk), of 33·40 (a chunk ends mid-image) and of 70,000 floats
  // (one row is more than a chunk); windows with padding, overlap and a stride beyond the window.
  const cases: [[number, number, number, number], number, number, "same" | "valid"][] = [
    [[2, 9, 14, 5], 2, 2, "same"],
    [[3, 40, 66, 40], 2, 2, "valid"],
    [[2, 37, 33, 40], 3, 1, "same"],
    [[1, 5, 10, 17], 2, 4, "valid"],
    [[1, 4, 4, 70000], 2, 1, "valid"],
  ];
  it.each(cases)("x %j, window %i, stride %i, %s", (shape, k, s, pad) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const x = input(n, shape[3] + k);
    const want = Float32Array.from(maxPoolRef(x, shape, [k, k], [s, s], pad).y);
    const xt = tensor(x, shape);
    const [fused, inPlace] = bothWays(maxPool(xt, k, s, pad));
    expectSame(fused, want);
    expectSame(inPlace, want);
    xt.dispose();
  });
});

describe("a deferred result is computed before anything could change what it reads", () => {
  const n = 2 * CHUNK + 3;
  const x = input(n, 7);
  const want = Float32Array.from(x, relu64);

  it("its source is disposed first", () => {
    const xt = tensor(x);
    const y = relu(xt);
    xt.dispose();
    expect(isDeferred(y)).toBe(false);
    expectSame(y.dataSync(), want);
    y.dispose();
  });

  it("its source is disposed by tidy, and it is returned", () => {
    const y = tidy(() => relu(tensor(x)));
    expectSame(y.dataSync(), want);
    y.dispose();
  });

  it("its source is handed out writable by view() and then overwritten", () => {
    const xt = tensor(x);
    const row = xt.reshape([1, 1, n, 1]);
    const y = relu(xt);
    const p = maxPool(row, [1, 2], [1, 2], "valid");
    xt.view().fill(-1);
    expectSame(y.dataSync(), want);
    expectSame(p.dataSync(), Float32Array.from(maxPoolRef(x, [1, 1, n, 1], [1, 2], [1, 2], "valid").y));
    for (const t of [xt, row, y, p]) t.dispose();
  });

  it("it is an input to another op, a reshape or a clone", () => {
    const xt = tensor(x);
    const twice = relu6(relu(xt));
    expectSame(twice.dataSync(), Float32Array.from(x, relu664));
    const y = relu(xt);
    const r = y.reshape([n, 1]);
    const c = relu(xt).clone();
    expectSame(r.dataSync(), want);
    expectSame(c.dataSync(), want);
    for (const t of [xt, twice, y, r, c]) t.dispose();
  });

  it("disposing it unread frees it, and its source is freed normally after", () => {
    const before = memory();
    const xt = tensor(x);
    const row = xt.reshape([1, 1, n, 1]);
    relu(xt).dispose();
    maxPool(row, [1, 3], [1, 3], "same").dispose();
    xt.dispose();
    row.dispose();
    expect(memory()).toEqual(before);
    // The freed blocks are reused: the same work again does not grow memory.
    const xt2 = tensor(x);
    relu(xt2).dispose();
    xt2.dispose();
    expect(memory().wasmBytes).toBe(before.wasmBytes);
  });

  it("a TensorLike input (a temporary tensor) computes the result before it is freed", () => {
    const before = memory();
    const y = relu(x);
    expect(isDeferred(y)).toBe(false);
    expectSame(y.dataSync(), want);
    y.dispose();
    expect(memory()).toEqual(before);
  });
});

describe("computing a result writes nothing past its end", () => {
  // Blocks carry 16 bytes of slack that kernels may read but never write. Channel counts that
  // end in a 1-, 2- or 3-float tail, for each maxPool kernel and for relu, read back both ways.
  const cases: [string, [number, number, number, number], (x: Tensor) => Tensor][] = [];
  for (const c of [1, 5, 6, 7, 19]) {
    cases.push([`maxPool 2×2 valid, c = ${c}`, [2, 6, 8, c], (x) => maxPool(x, 2, 2, "valid")]);
    cases.push([`maxPool 3×3 same, c = ${c}`, [2, 6, 8, c], (x) => maxPool(x, 3, 2, "same")]);
    cases.push([`relu, c = ${c}`, [1, 3, 3, c], (x) => relu(x)]);
  }
  it.each(cases)("%s", (_, shape, op) => {
    const x = tensor(input(shape.reduce((a, b) => a * b, 1), shape[3]), shape);
    const y = op(x);
    const heap = backend().heap;
    const end = (y.storage!.ptr >> 2) + y.size; // the block's slack, read without computing y
    const slack = () => Array.from(heap.f32.subarray(end, end + 4));
    heap.f32.fill(12345, end, end + 4);
    y.dataSync();
    expect(slack()).toEqual([12345, 12345, 12345, 12345]);
    y.view();
    expect(slack()).toEqual([12345, 12345, 12345, 12345]);
    x.dispose();
    y.dispose();
  });
});

describe("a result never sees writes made after its op returned", () => {
  // Every op that may defer, with its float64 reference on a [1, 8, 8, 4] input.
  const shape: [number, number, number, number] = [1, 8, 8, 4];
  const n = 256;
  const ops: [string, (x: Tensor) => Tensor, (x: Float32Array) => Float32Array][] = [
    ["relu", (x) => relu(x), (x) => Float32Array.from(x, relu64)],
    ["relu6", (x) => relu6(x), (x) => Float32Array.from(x, relu664)],
    ["maxPool 2×2", (x) => maxPool(x, 2, 2, "valid"), (x) => Float32Array.from(maxPoolRef(x, shape, [2, 2], [2, 2], "valid").y)],
    ["maxPool 3×3 same", (x) => maxPool(x, 3, 1, "same"), (x) => Float32Array.from(maxPoolRef(x, shape, [3, 3], [1, 1], "same").y)],
    // The other deferring ops, against themselves on a fresh copy of the frame (tests/ops/unary,
    // softmax and avg_pool check their values).
    ...([
      ["avgPool 3×3 same", (x: Tensor) => avgPool(x, 3, 1, "same")],
      ["softmax", (x: Tensor) => softmax(x)],
      ["sigmoid (unary.ts)", (x: Tensor) => sigmoid(x)],
    ] as const).map(([name, op]) => [name, op, (x: Float32Array) => op(tensor(x, shape)).dataSync()] as [string, (x: Tensor) => Tensor, (x: Float32Array) => Float32Array]),
  ];

  it("covers every op that defers", async () => {
    // An op that calls defer() must be listed above; a new deferring op fails here until it is.
    const { readdirSync, readFileSync } = await import("node:fs");
    const dir = new URL("../../src/ops/", import.meta.url);
    const deferring = readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith(".ts") && /\bdefer\(/.test(readFileSync(new URL(f, dir), "utf8")));
    expect(deferring.sort()).toEqual(["avg_pool.ts", "max_pool.ts", "relu.ts", "softmax.ts", "unary.ts"]);
  });

  it.each(ops)("%s: the streaming pattern (one tensor, written through a view, frame after frame)", (_, op, ref) => {
    const frame1 = input(n, 31);
    const frame2 = input(n, 32);
    const x = tensor(new Float32Array(n), shape);
    const buf = x.view();
    buf.set(frame1);
    const y1 = op(x);
    expect(isDeferred(y1)).toBe(false); // a view may still write to x, so it was computed at once
    buf.set(frame2);
    const y2 = op(x);
    buf.set(frame1);
    expectSame(y1.dataSync(), ref(frame1));
    expectSame(y2.dataSync(), ref(frame2));
    for (const t of [x, y1, y2]) t.dispose();
  });

  it.each(ops)("%s: a view of a reshape counts as a view of its source", (_, op, ref) => {
    const frame1 = input(n, 33);
    const x = tensor(frame1, shape);
    const flat = x.reshape([n]);
    const buf = flat.view();
    const y = op(x);
    buf.fill(-3);
    expectSame(y.dataSync(), ref(frame1));
    for (const t of [x, flat, y]) t.dispose();
  });

  it.each(ops)("%s: defers again once growth has detached every view", (_, op, ref) => {
    const heap = backend().heap;
    const frame = input(n, 34);
    const x = tensor(frame, shape);
    const stale = x.view();
    expect(isDeferred(op(x))).toBe(false);
    if (heap.memory.buffer instanceof SharedArrayBuffer) return; // shared views stay writable forever
    // Grow the memory: the private ArrayBuffer under `stale` is detached and can write nothing.
    const big = tensor(new Float32Array(heap.wasmBytes / 4 + 1));
    expect(stale.length).toBe(0);
    const y = op(x);
    expect(isDeferred(y)).toBe(true); // the chunked read-back is kept where no view can write
    expectSame(y.dataSync(), ref(frame));
    for (const t of [x, big, y]) t.dispose();
  });
});

describe("with threads on, a view of shared memory never detaches", () => {
  afterAll(() => shutdownThreads());

  it("the streaming pattern gives each frame's own result", async () => {
    await init({ threads: 2 });
    expect(backend().heap.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    const shape: [number, number, number, number] = [1, 64, 64, 8];
    const n = 64 * 64 * 8;
    const frames = [input(n, 41), input(n, 42), input(n, 43)];
    const x = tensor(new Float32Array(n), shape);
    const buf = x.view();
    const ys: [Tensor, Tensor][] = [];
    for (const f of frames) {
      buf.set(f);
      ys.push([relu(x), maxPool(x, 2, 2, "same")]);
    }
    for (const [i, f] of frames.entries()) {
      expectSame(ys[i][0].dataSync(), Float32Array.from(f, relu64));
      expectSame(ys[i][1].dataSync(), Float32Array.from(maxPoolRef(f, shape, [2, 2], [2, 2], "same").y));
    }
    for (const t of [x, ...ys.flat()]) t.dispose();
  });
});
