/**
 * The Winograd planner: how f32_winograd_2x2_3x3_nhwc_minmax_4x8_simd's and
 * f32_winograd_4x4_3x3_nhwc_minmax_4x8_simd's work is cut into units for a given input shape and
 * thread count (XNNPACK's reshape step for these paths). Which convs take Winograd at all, and
 * which tile, is the plan's decision (conv2d_plan.ts).
 */

/** Output tile size: 2 for F(2×2,3×3) (16 transformed positions), 4 for F(4×4,3×3) (36). */
export type WinogradTile = 2 | 4;

/** Transformed positions of a tile: (m + 2)². */
const positions = (m: WinogradTile) => (m + 2) * (m + 2);

/** Transformed inputs a Winograd group keeps hot while the weights stream past (half an L2). */
const WINOGRAD_GROUP_BYTES = 1 << 20;

/** F(4×4): one position's transformed inputs and outputs (V[p], M[p]) a group keeps hot. */
const WINOGRAD4_POSITION_BYTES = 128 << 10;

/** How the Winograd kernel's work is cut into units (see f32_winograd_2x2_3x3_nhwc_minmax_4x8_simd). */
export interface WinogradPlan {
  /** Tile-rows (m output rows each) per group. */
  groupRows: number;
  /** Ranges the 8-channel output blocks are cut into. */
  parts: number;
  /** Work units: groups × parts. */
  units: number;
  /** F(4×4): 8-channel blocks per chunk (the kernel's `chunk`); 1 for F(2×2). */
  chunk: number;
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
export function winogradPlan(n: number, ho: number, wo: number, ci: number, co: number, threads: number, m: WinogradTile = 2): WinogradPlan {
  const tw = Math.ceil(wo / m);
  const tileRows = n * Math.ceil(ho / m);
  const ciPad = Math.ceil(ci / 4) * 4;
  const blocks = Math.ceil(co / 8);
  const pos = positions(m);
  // F(2×2): a group's whole V stays hot while each block's weights stream past. F(4×4) goes
  // position by position, so only one position's V and M (all blocks) need to stay hot.
  let groupRows = Math.max(1, Math.min(tileRows, m === 2
    ? Math.floor(WINOGRAD_GROUP_BYTES / (pos * tw * ciPad * 4))
    : Math.floor(WINOGRAD4_POSITION_BYTES / (tw * (ciPad + 8 * blocks) * 4))));
  // Weights that stay cached cost nothing to stream again, so on threads a small conv takes
  // smaller groups, enough for 4 units per thread, rather than one group cut into parts.
  if (threads > 1 && pos * blocks * ci * 32 <= WINOGRAD_GROUP_BYTES) {
    groupRows = Math.min(groupRows, Math.max(1, Math.floor(tileRows / (4 * threads))));
  }
  const groups = Math.ceil(tileRows / groupRows);
  let parts = 1;
  const even = (p: number) => Math.ceil((groups * p) / threads) <= 1.1 * ((groups * p) / threads);
  while (threads > 1 && !even(parts) && parts < Math.min(blocks, 8)) parts++;
  if (!even(parts)) parts = 1; // no better cut: keep the scratch small
  const chunk = m === 4 ? Math.ceil(blocks / parts) : 1;
  return { groupRows, parts, units: groups * parts, chunk, unitBytes: winogradUnitBytes(groupRows, wo, ci, m, chunk) };
}

/**
 * Scratch bytes of one Winograd unit of `groupRows` tile-rows (the kernel's unitBytes); F(4×4)'s M
 * holds a chunk of `chunk` 8-channel blocks, F(2×2)'s one.
 */
export function winogradUnitBytes(groupRows: number, wo: number, ci: number, m: WinogradTile = 2, chunk = 1): number {
  const tiles = groupRows * Math.ceil(wo / m);
  const pos = positions(m);
  return (pos * tiles * Math.ceil(ci / 4) * 4 + pos * (m === 4 ? chunk : 1) * Math.ceil(tiles / 4) * 4 * 8) * 4;
}
