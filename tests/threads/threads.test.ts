/**
 * Threads in Node: outputs are bit-identical for 1, 2 and 3 threads, tensors survive the
 * move to shared memory and later growth, and bad counts are rejected.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  capabilities, conv2d, fused, getThreadsCount, init, maxPool, memory, setThreadsCount, shutdownThreads, tensor,
  type Tensor,
} from "../../src/index.js";
import { testing } from "../../src/threads/threads.js";
import { conv2dRef, maxPoolRef, randomData, rng, worstError, type Conv2DCase } from "../helpers/reference.js";
import { bitsOf, expectSameBits } from "../helpers/same-bits.js";
import { conv2dCases } from "../helpers/cases.js";

/**
 * Cases to run on every thread count. The shared conformance grid (tests/helpers/cases.ts) can be
 * appended here; these cover row counts below, at and above the number of chunks.
 */
const grid: Conv2DCase[] = [
  { x: [1, 5, 5, 1], filter: [3, 3, 1, 1], strides: [1, 1], dilations: [1, 1], pad: "same" },
  { x: [2, 9, 7, 3], filter: [3, 3, 3, 5], strides: [2, 2], dilations: [1, 1], pad: "valid" },
  { x: [1, 17, 16, 8], filter: [5, 5, 8, 17], strides: [1, 1], dilations: [2, 2], pad: "same" },
  { x: [3, 40, 33, 4], filter: [3, 3, 4, 16], strides: [1, 2], dilations: [1, 1], pad: [2, 0, 1, 3] },
  { x: [1, 130, 20, 2], filter: [1, 1, 2, 4], strides: [1, 1], dilations: [1, 1], pad: "valid" },
  { x: [1, 2, 300, 3], filter: [2, 3, 3, 7], strides: [1, 1], dilations: [1, 1], pad: "same" },
  // The few-channel path (gather + GEMM, ci ≤ 4, co ≥ 64), with more rows than one chunk.
  { x: [2, 60, 120, 3], filter: [3, 3, 3, 65], strides: [1, 1], dilations: [1, 1], pad: "same" },
  // Winograd with large weights and too few tile-rows to share evenly, so its output channels
  // are cut into parts (2 on 2 threads, 3 on 3; see the winogradPlan test); then small weights,
  // whose groups shrink instead; then many groups.
  // (Winograd F(4×4,3×3) takes this one; F(2×2,3×3) the one after, with 40 output channels.)
  { x: [1, 6, 6, 128], filter: [3, 3, 128, 136], strides: [1, 1], dilations: [1, 1], pad: "same" },
  { x: [1, 6, 6, 512], filter: [3, 3, 512, 40], strides: [1, 1], dilations: [1, 1], pad: "same" },
  // F(4×4,3×3) with small weights (groups shrink) and edge tiles.
  { x: [2, 13, 11, 64], filter: [3, 3, 64, 72], strides: [1, 1], dilations: [1, 1], pad: "same" },
  { x: [1, 12, 10, 64], filter: [3, 3, 64, 40], strides: [1, 1], dilations: [1, 1], pad: "same" },
  { x: [2, 30, 9, 9], filter: [3, 3, 9, 17], strides: [1, 1], dilations: [1, 1], pad: "valid" },
];

function randomCase(rand: () => number): Conv2DCase {
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const kh = int(1, 4), kw = int(1, 4), dh = int(1, 2), dw = int(1, 2);
  return {
    x: [int(1, 3), int((kh - 1) * dh + 1, 40), int((kw - 1) * dw + 1, 40), int(1, 20)],
    filter: [kh, kw, 0, int(1, 36)],
    strides: [int(1, 3), int(1, 3)],
    dilations: [dh, dw],
    pad: rand() < 0.5 ? "same" : "valid",
  };
}

/** Every output the thread counts must agree on, as raw float32 bits. */
function outputs(c: Conv2DCase, seed: number): Uint32Array[] {
  const rand = rng(seed);
  const filterShape = [c.filter[0], c.filter[1], c.x[3], c.filter[3]];
  const x = tensor(randomData(c.x.reduce((a, b) => a * b), rand), c.x);
  const w = tensor(randomData(filterShape.reduce((a, b) => a * b), rand), filterShape);
  const bias = tensor(randomData(c.filter[3], rand));
  const pad = typeof c.pad === "string" ? c.pad : [[0, 0], [c.pad[0], c.pad[1]], [c.pad[2], c.pad[3]], [0, 0]];
  const ys: Tensor[] = [
    conv2d(x, w, c.strides, pad as "same", "NHWC", c.dilations),
    fused.conv2d({ x, filter: w, strides: c.strides, pad: pad as "same", dilations: c.dilations, bias, activation: "relu6" }),
    maxPool(x, [c.filter[0], c.filter[1]], c.strides, typeof c.pad === "string" ? c.pad : "same"),
  ];
  const bits = ys.map((y) => bitsOf(y.dataSync()));
  for (const t of [x, w, bias, ...ys]) t.dispose();
  return bits;
}

describe("threads in Node", () => {
  let warn: ReturnType<typeof vi.spyOn>;
  beforeAll(() => {
    warn = vi.spyOn(console, "warn");
    testing.splitEverything(true); // so that even the small cases go through the pool
  });
  afterAll(async () => {
    testing.splitEverything(false);
    await shutdownThreads();
    warn.mockRestore();
  });

  it("is off until asked for, and capabilities() says how to ask", () => {
    const caps = capabilities();
    expect(caps.threads).toBe(false);
    expect(caps.threadsCount).toBe(1);
    expect(caps.reasonThreadsOff).toMatch(/setThreadsCount|threads: 'auto'/);
    expect(getThreadsCount()).toBe(1);
  });

  it("keeps tensors made before threads start, and detaches views of the old memory", async () => {
    const rand = rng(7);
    const data = randomData(1000, rand);
    const t = tensor(data, [10, 100]);
    const view = t.view();
    const caps = await init({ threads: 2 });
    expect(caps).toMatchObject({ threads: true, threadsCount: 2, build: expect.stringMatching(/-threads$/) });
    expect(caps.reasonThreadsOff).toBeUndefined();
    expect(t.dataSync()).toEqual(data);
    expect(view.length).toBe(0); // stale, but never wrong numbers
    t.dispose();
  });

  describe("gives bit-identical outputs on 1, 2 and 3 threads over the grid and random shapes", () => {
    const rand = rng(42);
    const cases = [...grid, ...conv2dCases, ...Array.from({ length: 12 }, () => randomCase(rand))];
    const perCount = new Map<number, Uint32Array[][]>();
    beforeAll(async () => {
      for (const n of [1, 2, 3]) {
        await init({ threads: n });
        expect(getThreadsCount()).toBe(n);
        const before = testing.pool()?.workerChunks ?? 0;
        perCount.set(n, cases.map((c, i) => outputs(c, 1000 + i)));
        // Workers took part (on a busy machine they may miss a few small ops, not all).
        if (n > 1) expect(testing.pool()!.workerChunks).toBeGreaterThan(before);
      }
    });
    const name = (c: Conv2DCase, i: number) =>
      `#${i} x=${c.x.join("x")} k=${c.filter[0]}x${c.filter[1]} co=${c.filter[3]} s=${c.strides.join("x")} d=${c.dilations.join("x")} pad=${c.pad}`;
    it.each(cases.map((c, i) => [name(c, i), c, i] as const))("%s", (_name, c, i) => {
      expectSameBits(perCount.get(1)![i], perCount.get(2)![i], `2 threads, case ${JSON.stringify(c)}`);
      expectSameBits(perCount.get(1)![i], perCount.get(3)![i], `3 threads, case ${JSON.stringify(c)}`);
    });
  });

  it("computes the right values on threads, not merely the same ones", async () => {
    await init({ threads: 3 });
    const c = grid[3];
    const rand = rng(3);
    const xs = randomData(c.x.reduce((a, b) => a * b), rand);
    const ws = randomData(3 * 3 * 4 * 16, rand);
    const y = conv2d(tensor(xs, c.x), tensor(ws, [3, 3, 4, 16]), c.strides, [[0, 0], [2, 0], [1, 3], [0, 0]]);
    const ref = conv2dRef(xs, c, undefined, "linear", ws);
    expect(y.shape).toEqual(ref.shape);
    expect(worstError(y.dataSync(), ref).err).toBeLessThan(1);
    const p = maxPool(tensor(xs, c.x), 3, 2, "same");
    expect(Array.from(p.dataSync())).toEqual(Array.from(maxPoolRef(xs, c.x, [3, 3], [2, 2], "same").y));
  });

  it("sees memory grown while the workers run", async () => {
    await init({ threads: 3 });
    const c = grid[2];
    const before = outputs(c, 5);
    const grownFrom = memory().wasmBytes;
    const ballast = tensor(new Float32Array(24 << 20), [24 << 20]); // 96 MiB: the tensors below land past it
    expect(memory().wasmBytes).toBeGreaterThan(grownFrom);
    const after = outputs(c, 5);
    expectSameBits(before, after, "after growth");
    await init({ threads: 1 });
    expectSameBits(outputs(c, 5), after, "1 thread after growth");
    ballast.dispose();
  });

  it("is safe under ops from many async tasks while the count changes", async () => {
    await init({ threads: 1 });
    const c = grid[3];
    const want = outputs(c, 9);
    const task = async (k: number) => {
      for (let i = 0; i < 4; i++) {
        await new Promise((r) => setTimeout(r, (k * 7 + i) % 3));
        if (k === 2 && i === 1) setThreadsCount(3);
        if (k === 4 && i === 2) setThreadsCount(2);
        expectSameBits(want, outputs(c, 9), `task ${k} step ${i}`);
      }
    };
    await Promise.all([0, 1, 2, 3, 4, 5].map(task));
  });

  it("ends its workers on shutdownThreads()", async () => {
    await init({ threads: 2 });
    const pool = testing.pool()!;
    await shutdownThreads();
    expect(pool.stopped).toBe(true);
    expect(getThreadsCount()).toBe(1);
    expect(capabilities().threads).toBe(false);
  });

  it("takes 'auto' to mean one thread per core", async () => {
    const { availableParallelism } = await import("node:os");
    await init({ threads: "auto" });
    expect(getThreadsCount()).toBe(Math.max(1, availableParallelism()));
  });

  it("stops workers that are still starting", async () => {
    setThreadsCount(3);
    const pool = testing.pool()!;
    expect(pool.ready).toBeLessThan(2); // they cannot have started synchronously
    await shutdownThreads();
    expect(pool.stopped).toBe(true);
  });

  it("rejects bad thread counts, naming the parameter", async () => {
    expect(() => setThreadsCount(0)).toThrow(RangeError);
    expect(() => setThreadsCount(0)).toThrow(/numThreads/);
    expect(() => setThreadsCount(2.5)).toThrow(/numThreads/);
    expect(() => setThreadsCount("2" as unknown as number)).toThrow(TypeError);
    await expect(init({ threads: -1 })).rejects.toThrow(/threads/);
    await expect(init({ threads: "all" as "auto" })).rejects.toThrow(TypeError);
    expect(getThreadsCount()).toBe(1);
  });

  it("warns about nothing when all went well", () => {
    expect(warn).not.toHaveBeenCalled();
  });
});
