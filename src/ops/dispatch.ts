/**
 * Where kernels are called. Every row-parallel kernel takes its output range [r0, r1) as its
 * last two arguments, so work can be split into disjoint row ranges without changing the
 * result: each output element is computed by one call, in the same order, whatever the split.
 * Large ops are shared out to the worker threads when threads are on (src/threads/).
 */
import { backend, type Kernels } from "../loader/backend.js";
import { poolFor } from "../threads/threads.js";

type RowKernel = {
  [K in keyof Kernels]: Kernels[K] extends (...a: infer A) => void
    ? A extends [...infer _, number, number] ? K : never
    : never;
}[keyof Kernels];

/**
 * Runs `kernel(...args, r0, r1)` over rows [0, rows). `flopsPerRow` lets a scheduler decide
 * whether splitting pays for itself.
 */
export function runRows(kernel: RowKernel, args: number[], rows: number, flopsPerRow = 0): void {
  if (rows <= 0) return;
  const fn = backend().kernels[kernel] as (...a: number[]) => void;
  const pool = poolFor(rows, flopsPerRow);
  if (pool) pool.run(kernel, fn, args, rows, flopsPerRow);
  else fn(...args, 0, rows);
}
