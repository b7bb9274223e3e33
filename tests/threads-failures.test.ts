/**
 * Threads when things go wrong: a worker killed from outside, workers that cannot start,
 * and a script that ends without shutting the workers down.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { capabilities, conv2d, getThreadsCount, init, shutdownThreads, tensor } from "../src/index.js";
import { testing } from "../src/threads/threads.js";
import { workerProgram } from "../src/threads/pool.js";
import { randomData, rng } from "./reference.js";
import { bitsOf } from "./same-bits.js";

function convBits(seed: number): Uint32Array {
  const rand = rng(seed);
  const x = tensor(randomData(2 * 30 * 30 * 8, rand), [2, 30, 30, 8]);
  const w = tensor(randomData(3 * 3 * 8 * 24, rand), [3, 3, 8, 24]);
  const y = conv2d(x, w, 1, "same");
  const bits = bitsOf(y.dataSync());
  for (const t of [x, w, y]) t.dispose();
  return bits;
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("threads when workers fail", () => {
  afterEach(async () => {
    vi.restoreAllMocks();
    await shutdownThreads();
    testing.splitEverything(false);
  });

  it("replaces a killed worker with a warning, and results stay right meanwhile", async () => {
    testing.splitEverything(true);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await init({ threads: 1 });
    const want = convBits(1);
    await init({ threads: 3 });
    const pool = testing.pool()!;
    await pool.kill(0);
    await until(() => warn.mock.calls.length > 0, "the death is noticed");
    expect(String(warn.mock.calls[0][0])).toMatch(/worker thread \d died .*starting a new one/);
    expect(convBits(1)).toEqual(want); // whichever workers are up share the rows
    await until(() => pool.ready === 2, "the replacement is ready");
    // The new worker takes part (it may wake too late for any one small op, not for twenty).
    const chunksBefore = pool.workerChunks;
    for (let i = 0; i < 20 && pool.workerChunks === chunksBefore; i++) expect(convBits(1)).toEqual(want);
    expect(pool.workerChunks).toBeGreaterThan(chunksBefore);
    expect(getThreadsCount()).toBe(3);
  });

  it("falls back to one thread, says why and warns once, when workers cannot start", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const program = workerProgram.source;
    workerProgram.source = "throw new Error('no workers today')";
    try {
      const want = convBits(2);
      const caps = await init({ threads: 2 });
      expect(caps.threads).toBe(false);
      expect(caps.threadsCount).toBe(1);
      expect(caps.reasonThreadsOff).toMatch(/failed to start: .*no workers today/);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(convBits(2)).toEqual(want);
      await init({ threads: 2 }); // asking again neither retries nor warns again
      expect(capabilities().threads).toBe(false);
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      workerProgram.source = program;
    }
  });
});

describe("a script that never shuts the workers down", () => {
  it("exits on its own", async () => {
    const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));
    const script = `
      const sc = await import(${JSON.stringify(dist)});
      const caps = await sc.init({ threads: 3 });
      const x = sc.tensor(new Float32Array(64 * 64 * 16).fill(1), [1, 64, 64, 16]);
      const w = sc.tensor(new Float32Array(3 * 3 * 16 * 16).fill(1), [3, 3, 16, 16]);
      console.log(caps.threadsCount, sc.conv2d(x, w, 1, "valid").dataSync()[0]);
    `;
    const started = Date.now();
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ["--input-type=module", "-e", script], { timeout: 20_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      );
    });
    expect(out.trim()).toBe(`3 ${3 * 3 * 16}`);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
