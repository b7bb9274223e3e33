/**
 * runRows on one thread, once a kernel is warm: its large ops run in one call (split calls
 * restart a GEMM's cache blocking and end on part tiles), while a kernel of a new instance
 * (another function) starts cold and is split again.
 */
import { describe, expect, it, vi } from "vitest";

const calls: [number, number][] = [];
const record = () => (...a: number[]) => calls.push([a.at(-2)!, a.at(-1)!]);
let kernel = record();
vi.mock("../../src/loader/backend.js", () => ({ backend: () => ({ kernels: { f32_maxpool_nhwc_simd: kernel } }) }));
vi.mock("../../src/threads/threads.js", () => ({ poolFor: () => undefined }));

const { runRows } = await import("../../src/ops/dispatch.js");

function ranges(rows: number, flopsPerRow: number): [number, number][] {
  calls.length = 0;
  runRows("f32_maxpool_nhwc_simd", [1, 2, 3] as never, rows, flopsPerRow); // the mock takes any arguments
  return calls.slice();
}

describe("runRows on one thread, warm kernels", () => {
  it("splits a cold kernel's large ops until it has run about a GFLOP, then makes each op in one call", () => {
    kernel = record();
    const sizes: number[] = [];
    for (let op = 0; op < 9; op++) sizes.push(ranges(7, 20e6).length); // 140 MFLOP an op
    expect(sizes).toEqual([7, 7, 7, 7, 7, 7, 7, 7, 1]);
    expect(ranges(14, 1e9)).toEqual([[0, 14]]);
    expect(ranges(100, 1000)).toEqual([[0, 100]]);
  });

  it("starts a new instance's kernel cold", () => {
    kernel = record();
    expect(ranges(14, 1e9)).toHaveLength(14);
    expect(ranges(14, 1e9)).toEqual([[0, 14]]);
    kernel = record();
    expect(ranges(14, 1e9)).toHaveLength(14);
  });
});
