/**
 * Changing the thread count: what capabilities() says after every transition, how soon ops
 * use the new count (in a synchronous loop, with no event loop turn), and counts above the cores.
 */
import { availableParallelism } from "node:os";
import { afterAll, describe, expect, it, vi } from "vitest";
import { capabilities, conv2d, getThreadsCount, init, setThreadsCount, shutdownThreads, tensor } from "../../src/index.js";
import { testing } from "../../src/threads/threads.js";
import { randomData, rng } from "../helpers/reference.js";
import { bitsOf, expectSameBits } from "../helpers/same-bits.js";

const rand = rng(3);
// 1×56×56×64, 3×3, 64→64: 231 MFLOP, long enough for a woken worker to join in.
const x = tensor(randomData(56 * 56 * 64, rand), [1, 56, 56, 64]);
const w = tensor(randomData(3 * 3 * 64 * 64, rand), [3, 3, 64, 64]);
const op = () => {
  const y = conv2d(x, w, 1, "same");
  const bits = bitsOf(y.dataSync());
  y.dispose();
  return bits;
};

/** Runs ops back to back, never yielding, until the workers have taken part; returns how many it took. */
function opsUntilWorkersJoin(pool: NonNullable<ReturnType<typeof testing.pool>>, want: Uint32Array, ms: number): number {
  const chunks = pool.workerChunks;
  const started = performance.now();
  let n = 0;
  while (pool.workerChunks === chunks && performance.now() - started < ms) {
    expectSameBits([want], [op()], "conv");
    n++;
  }
  return pool.workerChunks > chunks ? n : Infinity;
}

describe("switching the thread count", () => {
  const warn = vi.spyOn(console, "warn");
  afterAll(async () => {
    await shutdownThreads();
    warn.mockRestore();
  });

  it("says why threads are off after every transition", async () => {
    const reason = () => capabilities().reasonThreadsOff;
    expect(reason()).toMatch(/\(the default\)/);
    setThreadsCount(2);
    expect(capabilities()).toMatchObject({ threads: true, threadsCount: 2 });
    expect(reason()).toBeUndefined();
    setThreadsCount(1);
    expect(capabilities()).toMatchObject({ threads: false, threadsCount: 1 });
    expect(reason()).toMatch(/one thread was asked for \(setThreadsCount\(1\).*parked/);
    setThreadsCount(3);
    expect(capabilities()).toMatchObject({ threads: true, threadsCount: 3 });
    expect(reason()).toBeUndefined();
    await shutdownThreads();
    expect(capabilities()).toMatchObject({ threads: false, threadsCount: 1 });
    expect(reason()).toMatch(/shutdownThreads\(\) ended the worker threads/);
    setThreadsCount(1);
    expect(reason()).toMatch(/one thread was asked for/);
    expect(reason()).not.toMatch(/default|parked/);
    expect((await init({ threads: 2 })).reasonThreadsOff).toBeUndefined();
    expect((await init({ threads: 1 })).reasonThreadsOff).toMatch(/parked/);
    expect((await init({ threads: "auto" })).threadsCount).toBe(availableParallelism());
    await shutdownThreads();
    await shutdownThreads(); // twice: still accurate
    expect(reason()).toMatch(/shutdownThreads\(\) ended/);
    expect(getThreadsCount()).toBe(1);
  });

  it("uses the kept workers at once after setThreadsCount(1) then setThreadsCount(2)", async () => {
    testing.splitEverything(true);
    await init({ threads: 1 });
    const want = op();
    await init({ threads: 2 });
    const pool = testing.pool()!;
    for (let round = 0; round < 3; round++) {
      setThreadsCount(1);
      const chunks = pool.workerChunks;
      expectSameBits([want], [op()], "conv");
      expect(pool.workerChunks).toBe(chunks); // parked: it takes no part
      setThreadsCount(2);
      expect(testing.pool()).toBe(pool); // the same workers, no new threads
      expect(opsUntilWorkersJoin(pool, want, 10_000)).toBeLessThanOrEqual(3);
    }
    testing.splitEverything(false);
  });

  it("picks up new workers in a synchronous loop, without the event loop (Node starts threads on its own)", async () => {
    testing.splitEverything(true);
    await shutdownThreads();
    const want = op();
    setThreadsCount(2);
    const pool = testing.pool()!;
    const started = performance.now();
    const ops = opsUntilWorkersJoin(pool, want, 20_000);
    expect(ops).toBeLessThan(Infinity);
    console.log(`a new worker joined after ${ops} ops, ${(performance.now() - started).toFixed(0)} ms, with no event loop turn`);
    testing.splitEverything(false);
  });

  it("honours a count above the cores, and capabilities() says it exceeds them", async () => {
    const cores = availableParallelism();
    await init({ threads: 1 });
    const want = op();
    const caps = await init({ threads: cores + 2 });
    expect(caps).toMatchObject({ threads: true, threadsCount: cores + 2 });
    expect(caps.threadsOverCores).toMatch(new RegExp(`^${cores + 2} threads on ${cores} cores`));
    expect(testing.pool()!.ready).toBe(cores + 1);
    expectSameBits([want], [op()], "conv");
    if (cores > 1) expect((await init({ threads: cores })).threadsOverCores).toBeUndefined();
    setThreadsCount(1);
    expect(capabilities().threadsOverCores).toBeUndefined();
  });

  it("warns about nothing when all went well", () => {
    expect(warn).not.toHaveBeenCalled();
  });
});
