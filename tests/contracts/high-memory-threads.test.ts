import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { init, shutdownThreads } from "../../src/index.js";
import { testing } from "../../src/threads/threads.js";
import { everythingAbove, GiB } from "./high-memory.js";

// Two threads on the shared memory: workers compute rows at the same high addresses.
describe("memory past 2 GiB, two threads", () => {
  beforeAll(async () => {
    expect(await init({ threads: 2 })).toMatchObject({ threads: true, threadsCount: 2 });
    testing.splitEverything(true);
  });
  afterAll(async () => {
    testing.splitEverything(false);
    await shutdownThreads();
  });
  it("straddling 2 GiB", () => everythingAbove(2 * GiB - 200_000));
  it("next to 4 GiB", () => everythingAbove(4 * GiB - 48 * 2 ** 20));
  it("workers took part", () => expect(testing.pool()?.workerChunks ?? 0).toBeGreaterThan(0));
});
