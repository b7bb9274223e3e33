/**
 * The short soak of `npm test` (SIMDCONV_SOAK_N random ops per build, 2,000 by default);
 * `npm run soak` runs the long one (100,000) through this same file. See tests/soak/soak.ts.
 */
import { writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { shutdownThreads } from "../../src/index.js";
import { soak } from "./soak.js";

const n = Number(process.env.SIMDCONV_SOAK_N ?? 2000);
const seed = Number(process.env.SIMDCONV_SOAK_SEED ?? 1);

describe("soak: random ops and dispose orders, threads on and off", () => {
  afterAll(() => shutdownThreads());

  it(`${n} ops leave nothing behind, corrupt nothing, and memory stops growing`, async () => {
    const report = await soak(n, seed, (line) => console.log(line));
    if (process.env.SIMDCONV_SOAK_REPORT) writeFileSync(`${process.env.SIMDCONV_SOAK_REPORT}.${report.build}.json`, JSON.stringify(report, null, 2));
    console.log(`soak (${report.build}, seed ${seed}): ${report.ops} ops in ${report.seconds.toFixed(1)} s, ` +
      `${report.leakedTensors} tensors / ${report.leakedBytes} bytes leaked, ${report.corrupted} corrupted, ` +
      `wasm ${report.wasmBytes[0]} → ${report.wasmBytes[report.wasmBytes.length - 1]} bytes (${report.growthSecondHalf} in the second half; peak live ${report.peakLiveBytes}; ${report.steadyGrowth} growth on repeating ${report.steadyOps} ops); ` +
      `threads ${JSON.stringify(report.threads)}; ops ${JSON.stringify(report.counts)}`);
    expect(report.threads["2"]).toBeGreaterThan(0);
    expect(report.leakedTensors).toBe(0);
    expect(report.leakedBytes).toBe(0);
    expect(report.leakedHeapTensorBytes).toBe(0);
    expect(report.leakedHeapPackingBytes).toBe(0);
    expect(report.scratchGrowth).toBeLessThanOrEqual(4096); // the zero row, grown to the widest ci
    expect(report.corrupted).toBe(0);
    // The memory is bounded by what is live at once, not by how many ops ran (within twice the
    // peak plus the growth step), and a workload run again does not grow it at all.
    expect(report.wasmBytes[report.wasmBytes.length - 1]).toBeLessThanOrEqual(2 * report.peakLiveBytes + 4 * 2 ** 20);
    expect(report.steadyGrowth).toBe(0);
  }, Math.max(120_000, n * 20));
});
