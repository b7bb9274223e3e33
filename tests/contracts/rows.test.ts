/**
 * The row-range contract every row-parallel kernel keeps (src/ops/dispatch.ts): a call over
 * output rows [r0, r1) writes those rows and nothing else, so any split of the rows, run in
 * any order or at once on several threads, gives the same bytes as one call.
 *
 * runRows is replaced here by a checker that knows nothing of the kernels' arguments: it
 * snapshots the whole memory, runs each chunk alone from the snapshot and records which bytes
 * it changed, then runs the chunks in reverse order and compares with a single call.
 */
import { describe, expect, it, vi } from "vitest";
import { conv2dCases, convInputs, maxPoolCases, poolInput, runConvCase, runPoolCase } from "../helpers/cases.js";
import { conv2dRef, maxPoolRef, worstError } from "../helpers/reference.js";
import { winogradUnitBytes } from "../../src/ops/conv2d_winograd.js";

const report = { calls: 0, splitCalls: 0 };
const problems: string[] = [];

/**
 * Kernels with per-call scratch: [first word, words per row] of the scratch a call may use (its
 * own rows' slots only). The checker verifies that, then restores the scratch, so the rest of the
 * contract (disjoint output writes, same bytes for any split) is checked as for every kernel.
 */
const SCRATCH: Record<string, (args: number[]) => [number, number]> = {
  // args: x, u, bias, zero, scratch, y, n, h, wd, ci, ho, wo, co, padTop, padLeft, groupRows, …; one slot per unit.
  f32_winograd_2x2_3x3_nhwc_minmax_4x8_simd: (a) => [a[4] >> 2, winogradUnitBytes(a[15], a[11], a[9]) >> 2],
  // The same, then parts, chunk.
  f32_winograd_4x4_3x3_nhwc_minmax_4x8_simd: (a) => [a[4] >> 2, winogradUnitBytes(a[15], a[11], a[9], 4, a[17]) >> 2],
};

vi.mock("../../src/ops/dispatch.js", async () => {
  const { backend } = await import("../../src/loader/backend.js");
  return {
    runRows(kernel: string, args: number[], rows: number): void {
      if (rows <= 0) return;
      const raw = (backend().kernels as unknown as Record<string, (...a: number[]) => void>)[kernel];
      const scratch = SCRATCH[kernel]?.(args);
      const fn = !scratch ? raw : (...a: number[]) => {
        const [r0, r1] = a.slice(-2);
        const [at, perRow] = scratch;
        const words = rows * perRow;
        const before = mem().slice(at, at + words);
        raw(...a);
        const now = mem();
        for (let i = 0; i < words; i++) {
          if (now[at + i] !== before[i]) {
            const row = Math.floor(i / perRow);
            if (row < r0 || row >= r1) {
              problems.push(`${kernel}: call [${r0}, ${r1}) wrote scratch of row ${row}`);
              break;
            }
          }
        }
        now.set(before, at);
      };
      const mem = () => new Uint32Array(backend().memory.buffer); // words: 4× fewer compares
      report.calls++;
      // Uneven cut points: a first row alone, then the rest in two.
      const cuts = [...new Set([0, Math.min(1, rows), Math.floor((rows + 1) / 2), rows])].sort((a, b) => a - b);
      const chunks = cuts.slice(1).map((r1, i) => [cuts[i], r1] as const);
      const start = mem().slice();
      // Which chunk (1-based) changed each word: a chunk's words need not be one span (the
      // Winograd filter packings interleave their blocks' positions), only disjoint from the others'.
      const owner = new Uint8Array(start.length);
      chunks.forEach(([r0, r1], c) => {
        mem().set(start);
        fn(...args, r0, r1);
        const now = mem();
        for (let i = 0; i < start.length; i++) {
          if (now[i] !== start[i]) {
            if (owner[i] !== 0) {
              problems.push(`${kernel}: chunks ${owner[i] - 1} and ${c} of ${JSON.stringify(chunks)} both wrote word ${i}`);
              break;
            }
            owner[i] = c + 1;
          }
        }
      });
      mem().set(start);
      fn(...args, 0, rows);
      const whole = mem().slice();
      mem().set(start);
      for (const [r0, r1] of [...chunks].reverse()) fn(...args, r0, r1);
      if (chunks.length > 1) report.splitCalls++;
      const split = mem();
      for (let i = 0; i < whole.length; i++) {
        if (split[i] !== whole[i]) {
          problems.push(`${kernel}: split run differs from one call at byte ${i * 4}`);
          break;
        }
      }
    },
  };
});

describe("row ranges: split runs equal one call and chunks write disjoint bytes", () => {
  it.each(conv2dCases.map((c, i) => [c.name, c, i] as const))("conv2d %s", (_name, c, i) => {
    problems.length = 0;
    const inputs = convInputs(c, 1000 + i);
    const got = runConvCase(c, inputs);
    expect(problems).toEqual([]);
    expect(worstError(got.data, conv2dRef(inputs.x, c, inputs.bias, c.activation, inputs.filter)).err).toBeLessThan(16);
  });

  it.each(maxPoolCases.map((c, i) => [c.name, c, i] as const))("maxPool %s", (_name, c, i) => {
    problems.length = 0;
    const x = poolInput(c, 2000 + i);
    const got = runPoolCase(c, x);
    expect(problems).toEqual([]);
    expect(got.data).toEqual(Float32Array.from(maxPoolRef(x, c.x, c.filterSize, c.strides, c.pad).y));
  });

  it("the checker really split the work", () => {
    expect(report.calls).toBeGreaterThan(300);
    expect(report.splitCalls).toBeGreaterThan(250);
  });
});
