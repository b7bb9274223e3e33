/**
 * The short kernel fuzz run of `npm test` (SIMDCONV_FUZZ_N configurations per build, 500 by
 * default: 1,000 over the two builds); `npm run fuzz -- --n 100000` runs the long one through
 * this same file. See tests/fuzz/kernels.ts.
 */
import { writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { shutdownThreads } from "../../src/index.js";
import { getThreadsCount } from "../../src/threads/threads.js";
import { fuzzKernels } from "./kernels.js";

const n = Number(process.env.SIMDCONV_FUZZ_N ?? 500);
const seed = Number(process.env.SIMDCONV_FUZZ_SEED ?? 1);

describe("kernel fuzzing with guard bytes around every block", () => {
  afterAll(() => shutdownThreads());

  it(`${n} random configurations: no canary damaged, every result matches the float64 reference`, async () => {
    const report = await fuzzKernels(n, seed, (line) => console.log(line));
    if (process.env.SIMDCONV_FUZZ_REPORT) writeFileSync(`${process.env.SIMDCONV_FUZZ_REPORT}.${report.build}.json`, JSON.stringify(report, null, 2));
    console.log(`fuzz (${report.build}, seed ${seed}): ${report.configurations} configurations, ${report.canaryFailures} canary failures, ` +
      `${report.wrongResults} wrong results, ${report.otherFailures} other failures; paths ${JSON.stringify(report.paths)}; threads ${JSON.stringify(report.threads)}`);
    // The second half ran on two threads (counted per configuration from getThreadsCount()).
    expect(getThreadsCount()).toBe(2);
    expect(report.threads["2"]).toBe(n - Math.ceil(n / 2));
    expect(report.failures).toEqual([]);
    expect(report.configurations).toBe(n);
    // Every kernel path ran, and every kind of block was guarded while an op ran.
    for (const path of ["direct1", "dot1", "dot4", "winograd", "gemm", "subsample", "im2col", "igemm", "maxPool 2x2", "maxPool", "clamp"]) {
      expect(report.paths[path], path).toBeGreaterThan(0);
    }
    expect(report.paths.none).toBeUndefined();
    for (const kind of ["conv2d packed weights", "conv2d winograd weights", "conv2d winograd scratch", "conv2d im2col scratch", "conv2d zero row", "conv2d", "fused.conv2d", "maxPool", "relu", "relu6", "tensor"]) {
      expect(report.guardedKinds).toContain(kind);
    }
  }, Math.max(120_000, n * 50));
});
