/**
 * runRows on one thread: a large op is made in several calls over disjoint, covering row
 * ranges (so V8's optimised code, which only later calls can use, takes over early in the
 * first op); a small op stays one call.
 */
import { describe, expect, it, vi } from "vitest";

const calls: [number, number][] = [];
vi.mock("../../src/loader/backend.js", () => ({
  backend: () => ({ kernels: { f32_maxpool_nhwc_simd: (...a: number[]) => calls.push([a.at(-2)!, a.at(-1)!]) } }),
}));
vi.mock("../../src/threads/threads.js", () => ({ poolFor: () => undefined }));

const { runRows } = await import("../../src/ops/dispatch.js");

function ranges(rows: number, flopsPerRow: number): [number, number][] {
  calls.length = 0;
  runRows("f32_maxpool_nhwc_simd", [1, 2, 3] as never, rows, flopsPerRow); // the mock takes any arguments
  return calls.slice();
}

describe("runRows on one thread", () => {
  it.each([[100, 1e6], [480, 4e6], [7, 1e9], [17, 2e6]])("makes a large op (%i rows, %d flops a row) in up to 16 calls that cover every row once, in order", (rows, flops) => {
    const got = ranges(rows, flops);
    expect(got.length, `${rows} rows`).toBeGreaterThan(1);
    expect(got.length).toBeLessThanOrEqual(16);
    expect(got[0][0]).toBe(0);
    expect(got.at(-1)![1]).toBe(rows);
    got.forEach(([r0, r1], i) => {
      expect(r1).toBeGreaterThan(r0);
      if (i > 0) expect(r0).toBe(got[i - 1][1]);
    });
  });

  it("gives each of 7 costly rows its own call", () => {
    expect(ranges(7, 1e9)).toHaveLength(7);
  });

  it("makes a small op in one call", () => {
    expect(ranges(100, 1000)).toEqual([[0, 100]]);
    expect(ranges(1, 1e9)).toEqual([[0, 1]]);
    expect(ranges(0, 1e9)).toEqual([]);
  });
});
