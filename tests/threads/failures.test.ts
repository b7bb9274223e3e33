/**
 * Threads when things go wrong: a worker killed from outside, workers that cannot start,
 * and a script that ends without shutting the workers down.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { capabilities, conv2d, getThreadsCount, init, maxPool, setThreadsCount, shutdownThreads, tensor } from "../../src/index.js";
import { testing } from "../../src/threads/threads.js";
import { workerProgram } from "../../src/threads/pool.js";
import { randomData, rng } from "../helpers/reference.js";
import { bitsOf, expectSameBits } from "../helpers/same-bits.js";

function convBits(seed: number): Uint32Array {
  const rand = rng(seed);
  const x = tensor(randomData(2 * 30 * 30 * 8, rand), [2, 30, 30, 8]);
  const w = tensor(randomData(3 * 3 * 8 * 24, rand), [3, 3, 8, 24]);
  const y = conv2d(x, w, 1, "same");
  const bits = bitsOf(y.dataSync());
  for (const t of [x, w, y]) t.dispose();
  return bits;
}

/**
 * Ops on each kernel path (GEMM, Winograd, one-channel direct, few-channel im2col, max pooling),
 * as raw bits, so a worker can die inside any of them.
 */
function pathBits(seed: number): Uint32Array[] {
  const rand = rng(seed);
  const shapes: [number[], number[]][] = [
    [[2, 30, 30, 8], [3, 3, 8, 24]],
    [[1, 24, 20, 32], [3, 3, 32, 40]],
    [[1, 96, 90, 1], [3, 3, 1, 1]],
    [[1, 40, 60, 3], [3, 3, 3, 64]],
  ];
  const out: Uint32Array[] = [];
  for (const [xs, fs] of shapes) {
    const x = tensor(randomData(xs.reduce((a, b) => a * b), rand), xs);
    const w = tensor(randomData(fs.reduce((a, b) => a * b), rand), fs);
    const y = conv2d(x, w, 1, "same");
    const p = maxPool(x, 3, 1, "same");
    out.push(bitsOf(y.dataSync()), bitsOf(p.dataSync()));
    for (const t of [x, w, y, p]) t.dispose();
  }
  return out;
}

/** Worker deaths these tests made and the ops survived (printed at the end). */
let deathsSurvived = 0;

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
    testing.reset();
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
    deathsSurvived++;
    expect(convBits(1)).toEqual(want); // whichever workers are up share the rows
    await until(() => pool.ready === 2, "the replacement is ready");
    // The new worker takes part (it may wake too late for any one small op, not for twenty).
    const chunksBefore = pool.workerChunks;
    for (let i = 0; i < 20 && pool.workerChunks === chunksBefore; i++) expect(convBits(1)).toEqual(want);
    expect(pool.workerChunks).toBeGreaterThan(chunksBefore);
    expect(getThreadsCount()).toBe(3);
  });

  it("finishes the chunks of a worker that dies inside one, exactly, on every kernel path", async () => {
    testing.splitEverything(true);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await init({ threads: 1 });
    const want = pathBits(4);
    await init({ threads: 3 });
    const pool = testing.pool()!;
    // A worker runs half of the next chunk it claims and exits there, on each op in turn; no
    // await in between, so only the watchdog can tell the op that the worker is gone.
    for (let round = 0; round < 3; round++) {
      await until(() => pool.ready === 2, "both workers are up");
      const before = pool.deaths;
      pool.dieInNextChunk();
      // Ops until a worker takes a chunk and dies; a busy host can keep workers out of the first few.
      for (let i = 0; i < 100 && pool.deaths === before; i++) expectSameBits(want, pathBits(4), `round ${round}`);
      expect(pool.deaths, `round ${round}`).toBe(before + 1);
    }
    const deaths = pool.deaths;
    expect(deaths).toBe(3);
    expect(pool.recoveredChunks).toBeGreaterThan(0);
    expect(warn).toHaveBeenCalledTimes(deaths); // once per death, however it was noticed
    for (const call of warn.mock.calls) expect(String(call[0])).toMatch(/worker thread \d died .*starting a new one/);
    deathsSurvived += deaths;
    // Replaced: the pool is whole again and its workers take part.
    await until(() => pool.ready === 2, "the replacements are ready");
    const chunks = pool.workerChunks;
    expectSameBits(want, pathBits(4), "afterwards");
    expect(pool.workerChunks).toBeGreaterThan(chunks);
    expect(getThreadsCount()).toBe(3);
    await new Promise((r) => setTimeout(r, 50)); // the dead threads' exit events arrive: no second warning
    expect(warn).toHaveBeenCalledTimes(deaths);
  });

  it("survives a worker that dies in a synchronous loop of ops, with no event loop turn", async () => {
    testing.splitEverything(true);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await init({ threads: 1 });
    const want = convBits(6);
    await init({ threads: 2 });
    const pool = testing.pool()!;
    const before = pool.deaths;
    // Two deaths, the second in a worker that came up during the loop (Node starts threads
    // without the event loop); no await until both are survived.
    const started = performance.now();
    while (pool.deaths < before + 2 && performance.now() - started < 20_000) {
      if (pool.ready === 1) pool.dieInNextChunk();
      expect(convBits(6)).toEqual(want);
    }
    const deaths = pool.deaths - before;
    expect(deaths).toBe(2);
    expect(warn).toHaveBeenCalledTimes(deaths);
    deathsSurvived += deaths;
    expect(getThreadsCount()).toBe(2);
  });

  it("replaces a parked worker that dies, and the count rises afterwards", async () => {
    testing.splitEverything(true);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await init({ threads: 1 });
    const want = convBits(9);
    await init({ threads: 2 });
    const pool = testing.pool()!;
    setThreadsCount(1);
    await pool.kill(0);
    await until(() => warn.mock.calls.length > 0, "the death is noticed");
    deathsSurvived++;
    expect(capabilities().reasonThreadsOff).toMatch(/parked/);
    expect(convBits(9)).toEqual(want);
    await init({ threads: 2 });
    expect(pool.ready).toBe(1);
    const chunks = pool.workerChunks;
    for (let i = 0; i < 20 && pool.workerChunks === chunks; i++) expect(convBits(9)).toEqual(want);
    expect(pool.workerChunks).toBeGreaterThan(chunks);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it("turns threads off, saying why, after a fourth death", async () => {
    testing.splitEverything(true);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await init({ threads: 1 });
    const want = convBits(8);
    await init({ threads: 2 });
    const pool = testing.pool()!;
    for (let i = 0; i < 200 && pool.deaths < 4 && capabilities().threads; i++) {
      if (pool.ready === 1) pool.dieInNextChunk();
      expect(convBits(8)).toEqual(want);
      await new Promise((r) => setTimeout(r, 1));
    }
    deathsSurvived += pool.deaths + 1;
    expect(capabilities().threads).toBe(false);
    expect(capabilities().reasonThreadsOff).toMatch(/kept dying/);
    expect(convBits(8)).toEqual(want);
    expect(warn.mock.calls.at(-1)![0]).toMatch(/running on one thread: worker threads kept dying/);
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

afterAll(() => console.log(`worker deaths survived: ${deathsSurvived}`));

describe("a script that never shuts the workers down", () => {
  it("exits on its own", async () => {
    const dist = fileURLToPath(new URL("../../dist/index.js", import.meta.url));
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
