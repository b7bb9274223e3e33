/**
 * Where kernels are called. Every row-parallel kernel takes its output range [r0, r1) as its
 * last two arguments, so work can be split into disjoint row ranges without changing the
 * result: each output element is computed by one call, in the same order, whatever the split.
 * Large ops are shared out to the worker threads when threads are on (src/threads/).
 */
import { backend } from "../loader/backend.js";
import type { Kernels, RowKernel } from "../loader/kernels.gen.js";
import { poolFor } from "../threads/threads.js";

/** A row kernel's parameters without its trailing range: what runRows is given. */
export type RowArgs<K extends RowKernel> = Parameters<Kernels[K]> extends [...infer A extends number[], number, number] ? A : never;

/**
 * On one thread, an op of at least this much work is still made in several calls while its
 * kernel is cold. V8 starts a wasm function in its baseline compiler and swaps in the optimised
 * code only for later calls, never for a call in flight, so a large first op done in one call
 * ran 2.5–3× slower from end to end (bench shape 3: 258–292 ms against about 100). Pieces after
 * the first pick up the optimised code as soon as it is ready; a call costs about a microsecond.
 */
const PIECE_FLOPS = 16e6;
const MAX_PIECES = 16;
/**
 * Work after which a kernel counts as warm and runs an op in one call. Split calls cost a warm
 * kernel: each restarts its cache blocking (re-reading all the packed weights) and ends on a
 * part tile, so the 1×1 GEMMs of ResNet-50 ran 7–41 % slower in the pieces than in one call
 * (2026-11-29, plain SIMD, 14×14×1024→512 1.07×, 28×28×512→256 1.17×, 7×7×2048→512 1.41×).
 * A few times the first op's pieces: V8 has tiered the kernel up long before.
 */
const WARM_FLOPS = 4 * MAX_PIECES * PIECE_FLOPS;
/** Flops each kernel (function of an instance: a new instance starts cold) has run on one thread. */
const flopsRun = new WeakMap<object, number>();

/**
 * Runs `kernel(...args, r0, r1)` over rows [0, rows). `flopsPerRow` lets a scheduler decide
 * whether splitting pays for itself.
 */
export function runRows<K extends RowKernel>(kernel: K, args: RowArgs<K>, rows: number, flopsPerRow = 0): void {
  if (rows <= 0) return;
  const fn = backend().kernels[kernel] as (...a: number[]) => void; // typed by RowArgs<K> above
  const pool = poolFor(rows, flopsPerRow);
  if (pool) return pool.run(kernel, fn, args, rows, flopsPerRow);
  const done = flopsRun.get(fn) ?? 0;
  flopsRun.set(fn, done + rows * flopsPerRow);
  const pieces = done >= WARM_FLOPS ? 1 : Math.min(rows, MAX_PIECES, Math.floor((rows * flopsPerRow) / PIECE_FLOPS)) || 1;
  const step = Math.ceil(rows / pieces);
  for (let r0 = 0; r0 < rows; r0 += step) fn(...args, r0, Math.min(rows, r0 + step));
}
