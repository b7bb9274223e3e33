/**
 * The Winograd planner: how f32_winograd_2x2_3x3_nhwc_minmax_4x8_simd's work is cut into units
 * for a given input shape and thread count (XNNPACK's reshape step for this path). Which convs
 * take Winograd at all is the plan's decision (conv2d_plan.ts).
 */

/** Transformed inputs a Winograd group keeps hot while the weights stream past (half an L2). */
const WINOGRAD_GROUP_BYTES = 1 << 20;

/** How the Winograd kernel's work is cut into units (see f32_winograd_2x2_3x3_nhwc_minmax_4x8_simd). */
export interface WinogradPlan {
  /** Tile-rows (pairs of output rows) per group. */
  groupRows: number;
  /** Ranges the 8-channel output blocks are cut into. */
  parts: number;
  /** Work units: groups × parts. */
  units: number;
  /** Scratch bytes per unit (its unitBytes). */
  unitBytes: number;
}

/**
 * Groups hold about 1 MB of transformed inputs. On threads, a conv whose transformed weights
 * fit in that too takes smaller groups, 4 units per thread. Output channels are cut into parts
 * only when the groups still do not share out evenly over `threads` (within 10 %): 512→512 on
 * 28×28 has 7 groups, which 2 threads would split 4 : 3. Groups and parts change only who
 * computes an output, not how, so results are the same for any `threads`.
 */
export function winogradPlan(n: number, ho: number, wo: number, ci: number, co: number, threads: number): WinogradPlan {
  const tw = Math.ceil(wo / 2);
  const tileRows = n * Math.ceil(ho / 2);
  const ciPad = Math.ceil(ci / 4) * 4;
  const blocks = Math.ceil(co / 8);
  let groupRows = Math.max(1, Math.min(tileRows, Math.floor(WINOGRAD_GROUP_BYTES / (16 * tw * ciPad * 4))));
  // Weights that stay cached cost nothing to stream again, so on threads a small conv takes
  // smaller groups, enough for 4 units per thread, rather than one group cut into parts.
  if (threads > 1 && 16 * blocks * ci * 32 <= WINOGRAD_GROUP_BYTES) {
    groupRows = Math.min(groupRows, Math.max(1, Math.floor(tileRows / (4 * threads))));
  }
  const groups = Math.ceil(tileRows / groupRows);
  let parts = 1;
  const even = (p: number) => Math.ceil((groups * p) / threads) <= 1.1 * ((groups * p) / threads);
  while (threads > 1 && !even(parts) && parts < Math.min(blocks, 8)) parts++;
  if (!even(parts)) parts = 1; // no better cut: keep the scratch small
  return { groupRows, parts, units: groups * parts, unitBytes: winogradUnitBytes(groupRows, wo, ci) };
}

/** Scratch bytes of one Winograd unit of `groupRows` tile-rows (the kernel's unitBytes). */
export function winogradUnitBytes(groupRows: number, wo: number, ci: number): number {
  const tiles = groupRows * Math.ceil(wo / 2);
  return (16 * tiles * Math.ceil(ci / 4) * 4 + 16 * Math.ceil(tiles / 4) * 4 * 8) * 4;
}
