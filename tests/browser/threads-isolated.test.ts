/** Chromium, page served with COOP/COEP: threads run in module Workers and match one thread. */
import { describe, expect, it, vi } from "vitest";
import {
  capabilities, conv2d, fused, getThreadsCount, init, maxPool, setThreadsCount, shutdownThreads, tensor,
} from "../../src/index.js";
import { testing } from "../../src/threads/threads.js";
import { randomData, rng } from "../helpers/reference.js";
import { bitsOf, expectSameBits } from "../helpers/same-bits.js";

function outputs(seed: number): Uint32Array[] {
  const rand = rng(seed);
  const x = tensor(randomData(2 * 37 * 29 * 6, rand), [2, 37, 29, 6]);
  const w = tensor(randomData(3 * 3 * 6 * 20, rand), [3, 3, 6, 20]);
  const bias = tensor(randomData(20, rand));
  const ys = [
    conv2d(x, w, [2, 1], "same", "NHWC", 1),
    fused.conv2d({ x, filter: w, strides: 1, pad: "valid", dilations: 2, bias, activation: "relu" }),
    maxPool(x, 3, 2, "same"),
  ];
  const bits = ys.map((y) => bitsOf(y.dataSync()));
  for (const t of [x, w, bias, ...ys]) t.dispose();
  return bits;
}

async function until(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("threads in a cross-origin isolated page", () => {
  it("runs on worker threads, with outputs bit-identical to one thread", async () => {
    expect(globalThis.crossOriginIsolated).toBe(true);
    testing.splitEverything(true);
    const one = outputs(11);
    const caps = await init({ threads: 3 });
    expect(caps).toMatchObject({ threads: true, threadsCount: 3, build: expect.stringMatching(/-threads$/) });
    expect(caps.reasonThreadsOff).toBeUndefined();
    const pool = testing.pool()!;
    expect(pool.ready).toBe(2);
    const before = pool.workerChunks;
    for (let i = 0; i < 5; i++) expectSameBits(one, outputs(11), `run ${i}`);
    expect(pool.workerChunks).toBeGreaterThan(before);
    await shutdownThreads();
    expect(getThreadsCount()).toBe(1);
    expect(pool.stopped).toBe(true);
    testing.splitEverything(false);
  });

  it("says threads are off again after shutdownThreads()", () => {
    expect(capabilities().threads).toBe(false);
    expect(capabilities().reasonThreadsOff).toMatch(/shutdownThreads\(\) ended the worker threads/);
  });

  it("finishes the chunks of a worker that dies inside one, exactly, and replaces it", async () => {
    testing.splitEverything(true);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const one = outputs(12);
    await init({ threads: 3 });
    const pool = testing.pool()!;
    // The main thread may not block, so it spins; only the watchdog (a Web Lock the worker
    // held, released as it ends) can tell it that the worker is gone.
    for (let round = 0; round < 2; round++) {
      await until(() => pool.ready === 2);
      const before = pool.deaths;
      pool.dieInNextChunk();
      // Ops until a worker takes a chunk and dies; a busy host can keep workers out of the first few.
      for (let i = 0; i < 100 && pool.deaths === before; i++) expectSameBits(one, outputs(12), `round ${round}`);
      expect(pool.deaths, `round ${round}`).toBe(before + 1);
    }
    expect(pool.recoveredChunks).toBeGreaterThan(0);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(String(warn.mock.calls[0][0])).toMatch(/worker thread \d died .*starting a new one/);
    await until(() => pool.ready === 2);
    const chunks = pool.workerChunks;
    for (let i = 0; i < 5; i++) expectSameBits(one, outputs(12), `afterwards ${i}`);
    expect(pool.workerChunks).toBeGreaterThan(chunks);
    expect(getThreadsCount()).toBe(3);
    console.log(`worker deaths survived in Chromium: ${pool.deaths}`);
    await shutdownThreads();
    testing.splitEverything(false);
    warn.mockRestore();
  });

  it("stops workers that are still starting (browsers send no exit event)", async () => {
    setThreadsCount(3);
    const pool = testing.pool()!;
    await shutdownThreads();
    expect(pool.stopped).toBe(true);
  });
});
