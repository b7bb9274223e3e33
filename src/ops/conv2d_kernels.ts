/**
 * Which kernel runs a conv2d, and the data it needs besides x and y: the filter packed into
 * the GEMM tile layout (bias first, zero-padded to the tile width), cached on the filter's
 * storage and freed with it, and one shared row of zeros that padding taps read.
 */
import { backend } from "../loader/backend.js";
import type { Heap } from "../memory/heap.js";
import type { Tensor } from "../tensor.js";
import { runRows } from "./dispatch.js";
import { getThreadsCount } from "../threads/threads.js";
import type { Window2D } from "./conv_util.js";

/** Output channels per packed block: the NR of every GEMM tile. */
const NR = 8;
/**
 * The tile of the general case (and of the plain GEMM with a long K): 6×8 with lane-shuffle broadcasts ran
 * bench shapes 2 and 6–8 7–27 % faster than the earlier 4×8 with broadcast loads, in
 * interleaved runs (README, performance; bench/tiles.mjs compares the tiles now built).
 */
const IGEMM = "f32_igemm_nhwc_minmax_6x8_splat_simd";
/**
 * The plain GEMM for K rows of weights: with a short K the 4×8 tile stepping 2 channels at a
 * time (fewer vectors live, so fewer register spills in V8's code) was as fast or up to 17 %
 * faster at K = 16–32 (bench shapes 2 and 6: K = 27 and 32), mixed at K = 48–64 (0.85–1.09×)
 * and slower from K = 96 (README, performance).
 */
const SPLAT2_MAX_K = 32;
export const gemmFor = (k: number) => (k <= SPLAT2_MAX_K ? "f32_gemm_minmax_4x8_splat2_simd" : "f32_gemm_minmax_6x8_splat_simd");

export interface ConvDims {
  n: number; h: number; w: number; ci: number; co: number; kh: number; kw: number;
}

interface PackedEntry {
  /** "gemm": f32_packw_hwio_x8 (bias first); "winograd": the 16 transformed matrices, no bias. */
  kind: "gemm" | "winograd";
  bias: object | null;
  k: number;
  co: number;
  ptr: number;
  bytes: number;
}

/** Packed weights per filter storage; a reshape shares the storage, so k and co are part of the key. */
const packCache = new WeakMap<object, PackedEntry[]>();

export function packedBytes(k: number, co: number): number {
  return Math.ceil(co / NR) * (NR + NR * k) * 4;
}

/** The filter (k = kh·kw·ci rows of co) and bias in the GEMM layout; packed once per filter and bias. */
export function packedWeights(filter: Tensor, bias: Tensor | undefined, k: number, co: number): number {
  const storage = filter.storage!;
  const biasStorage = bias?.storage ?? null;
  let entries = packCache.get(storage);
  const hit = entries?.find((e) => e.kind === "gemm" && e.bias === biasStorage && e.k === k && e.co === co);
  if (hit) return hit.ptr;
  const heap = storage.heap;
  const bytes = packedBytes(k, co);
  const ptr = heap.alloc(bytes, "conv2d packed weights", "packing");
  backend().kernels.f32_packw_hwio_x8(filter.ptr(), bias ? bias.ptr() : 0, ptr, k, co);
  const entry: PackedEntry = { kind: "gemm", bias: biasStorage, k, co, ptr, bytes };
  remember(storage, heap, entries, entry, bias);
  return ptr;
}

/** Keeps `entry` on the filter's storage (and its bias's), freed with whichever goes first. */
function remember(
  storage: NonNullable<Tensor["storage"]>, heap: Heap, entries: PackedEntry[] | undefined,
  entry: PackedEntry, bias: Tensor | undefined,
): void {
  if (!entries) {
    const list: PackedEntry[] = (entries = []);
    packCache.set(storage, list);
    storage.onFree.push(() => {
      for (const e of list.splice(0)) heap.free(e.ptr, e.bytes, "packing");
    });
  }
  entries.push(entry);
  if (bias) {
    const list = entries;
    bias.storage!.onFree.push(() => {
      const i = list.indexOf(entry);
      if (i >= 0) {
        list.splice(i, 1);
        heap.free(entry.ptr, entry.bytes, "packing");
      }
    });
  }
}

/**
 * The 3×3 filter (ci × co) as 16 Winograd F(2×2,3×3) GEMM matrices U = G g Gᵀ in 8-channel
 * blocks (f32_winograd_2x2_3x3_packw_hwio_x8); transformed once per filter, cached and freed
 * like packedWeights. The bias is not part of it (the output transform adds it).
 */
export function winogradWeights(filter: Tensor, ci: number, co: number): number {
  const storage = filter.storage!;
  const entries = packCache.get(storage);
  const k = 9 * ci;
  const hit = entries?.find((e) => e.kind === "winograd" && e.k === k && e.co === co);
  if (hit) return hit.ptr;
  const heap = storage.heap;
  const bytes = 16 * Math.ceil(co / NR) * NR * ci * 4;
  const ptr = heap.alloc(bytes, "conv2d winograd weights", "packing");
  backend().kernels.f32_winograd_2x2_3x3_packw_hwio_x8(filter.ptr(), ptr, ci, co);
  remember(storage, heap, entries, { kind: "winograd", bias: null, k, co, ptr, bytes }, undefined);
  return ptr;
}

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

let zeroRow: { heap: Heap; ptr: number; floats: number } | undefined;

/** A row of at least `floats` zeros, shared by every conv; kernels only read it. */
function zeros(heap: Heap, floats: number): number {
  if (!zeroRow || zeroRow.heap !== heap || zeroRow.floats < floats) {
    if (zeroRow && zeroRow.heap === heap) heap.free(zeroRow.ptr, zeroRow.floats * 4);
    const n = Math.max(floats, 256);
    const ptr = heap.alloc(n * 4, "conv2d zero row");
    heap.f32.fill(0, ptr >>> 2, (ptr >>> 2) + n);
    zeroRow = { heap, ptr, floats: n };
  }
  return zeroRow.ptr;
}

type Path = "direct1" | "gemm" | "igemm" | "im2col" | "winograd";

/**
 * Winograd F(2×2,3×3) is chosen for 3×3 stride-1 undilated convs with at least this many input
 * channels; from 8 on it beat the 4×8 IGEMM at every output channel count measured, and
 * with 4 or fewer it lost on most (bench/winograd.mjs; README, performance).
 */
export const WINOGRAD_MIN_CI = 8;

type WinogradMode = "auto" | "on" | "off";

/** SIMDCONV_WINOGRAD=0 / =1 in Node's environment (read once) turns the path off / forces it (benchmarks). */
function modeFromEnv(): WinogradMode {
  try {
    const g = globalThis as { Deno?: unknown; process?: { env?: Record<string, string | undefined> } };
    if (g.Deno !== undefined) return "auto"; // reading the environment needs a permission there
    const v = g.process?.env?.SIMDCONV_WINOGRAD;
    return v === "0" ? "off" : v === "1" ? "on" : "auto";
  } catch {
    return "auto";
  }
}

let winogradMode: WinogradMode = modeFromEnv();

/** For tests and benchmarks: "on" uses Winograd for every eligible shape, "off" never. Returns the previous mode. */
export function setWinogradMode(mode: WinogradMode): WinogradMode {
  const was = winogradMode;
  winogradMode = mode;
  return was;
}


/**
 * Few input channels and enough output channels to share the gather: copying a chunk of rows
 * into contiguous K-float rows and running the plain GEMM over them beat the IGEMM's kh short
 * runs of kw·ci per tile for ci ≤ 4 from co = 16 (5–13 %; 3×3 over RGB to 64 channels, bench
 * shape 2, 10–25 %; the 7×7 stride-2 stem, shape 7, 25 %) and for ci ≤ 8 from co = 64
 * (14–18 %). At ci = 8 with co ≤ 24, and from ci = 16 on, the two tie or the IGEMM wins
 * (README, performance).
 */
const im2colPays = (ci: number, co: number) => (ci <= 4 && co >= 16) || (ci <= 8 && co >= 64);
/**
 * Output rows gathered per chunk, per thread: each thread's share of a chunk's columns
 * (rows·wo·K floats) stays in its L2, and each chunk is one split across the threads.
 */
const IM2COL_CHUNK_BYTES = 256 << 10;

function pathOf(d: ConvDims, win: Window2D): Path {
  if (d.ci === 1 && d.co === 1 && win.sw === 1) return "direct1";
  if (d.kh === 3 && d.kw === 3 && win.sh === 1 && win.sw === 1 && win.dh === 1 && win.dw === 1) {
    if (winogradMode === "on" || (winogradMode === "auto" && d.ci >= WINOGRAD_MIN_CI)) return "winograd";
  }
  const pointwise = d.kh === 1 && d.kw === 1 && win.sh === 1 && win.sw === 1 &&
    win.padTop === 0 && win.padLeft === 0 && win.ho === d.h && win.wo === d.w;
  if (pointwise) return "gemm";
  if (im2colPays(d.ci, d.co)) return "im2col";
  return "igemm";
}

/**
 * Makes the long-lived data a conv needs (packed weights, the zero row) before the caller
 * allocates its output, so that freeing the output leaves no hole below them.
 */
export function prepareConv2d(filter: Tensor, bias: Tensor | undefined, d: ConvDims, win: Window2D): void {
  const path = pathOf(d, win);
  if (path === "direct1") return;
  if (path === "winograd") {
    winogradWeights(filter, d.ci, d.co);
    zeros(backend().heap, d.ci + 3);
    return;
  }
  packedWeights(filter, bias, d.kh * d.kw * d.ci, d.co);
  if (path === "igemm") zeros(backend().heap, d.ci);
}

/**
 * Runs the conv on NHWC `input` into `out` with the kernel pathOf() picks: the direct
 * 1-channel kernel, Winograd, the plain GEMM (1×1), the few-channel gather + GEMM, or the
 * indirect GEMM.
 */
export function runConv2d(
  input: Tensor, filter: Tensor, bias: Tensor | undefined, out: Tensor,
  d: ConvDims, win: Window2D, lo: number, hi: number,
): void {
  const rows = d.n * win.ho;
  const flopsPerRow = 2 * win.wo * d.co * d.kh * d.kw * d.ci;
  const heap = backend().heap;
  const path = pathOf(d, win);
  if (path === "direct1") {
    const b = bias ? heap.f32[bias.ptr() >>> 2] : 0;
    runRows(
      "f32_conv2d_nhwc_c1_minmax_w8_simd",
      [
        input.ptr(), filter.ptr(), b, out.ptr(), d.h, d.w, win.ho, win.wo,
        d.kh, d.kw, win.sh, win.dh, win.dw, win.padTop, win.padLeft, lo, hi,
      ],
      rows, flopsPerRow,
    );
    return;
  }
  if (path === "winograd") {
    const plan = winogradPlan(d.n, win.ho, win.wo, d.ci, d.co, getThreadsCount());
    const u = winogradWeights(filter, d.ci, d.co);
    const zero = zeros(heap, d.ci + 3);
    const bytes = plan.units * plan.unitBytes;
    const scratch = heap.alloc(bytes, "conv2d winograd scratch");
    try {
      runRows(
        "f32_winograd_2x2_3x3_nhwc_minmax_4x8_simd",
        [
          input.ptr(), u, bias ? bias.ptr() : 0, zero, scratch, out.ptr(), d.n, d.h, d.w, d.ci,
          win.ho, win.wo, d.co, win.padTop, win.padLeft, plan.groupRows, plan.parts, lo, hi,
        ],
        plan.units, (2 * flopsPerRow * plan.groupRows) / plan.parts, // a tile-row is two output rows
      );
    } finally {
      heap.free(scratch, bytes);
    }
    return;
  }
  const packed = packedWeights(filter, bias, d.kh * d.kw * d.ci, d.co);
  if (path === "im2col") {
    runIm2col(input, packed, out, d, win, rows, lo, hi);
    return;
  }
  if (path === "gemm") {
    runRows(gemmFor(d.ci), [input.ptr(), packed, out.ptr(), d.ci, d.co, win.wo, lo, hi], rows, flopsPerRow);
    return;
  }
  runRows(
    IGEMM,
    [
      input.ptr(), packed, zeros(heap, d.ci), out.ptr(), d.h, d.w, d.ci, win.ho, win.wo, d.co,
      d.kh, d.kw, win.sh, win.sw, win.dh, win.dw, win.padTop, win.padLeft, lo, hi,
    ],
    rows, flopsPerRow,
  );
}

/**
 * Few-channel path: per chunk of output rows, f32_im2col_nhwc gathers each pixel's K inputs
 * into a scratch block, then the GEMM runs over it with one unbroken K loop. Both are
 * row-parallel, and each output is one GEMM dot product of the same gathered values, so
 * the result does not depend on the split.
 */
function runIm2col(
  input: Tensor, packed: number, out: Tensor, d: ConvDims, win: Window2D,
  rows: number, lo: number, hi: number,
): void {
  const heap = backend().heap;
  const k = d.kh * d.kw * d.ci;
  const rowFloats = win.wo * k;
  const perThread = Math.max(1, Math.floor(IM2COL_CHUNK_BYTES / (rowFloats * 4)));
  const chunk = Math.min(rows, perThread * getThreadsCount());
  const bytes = chunk * rowFloats * 4 + 16;
  const col = heap.alloc(bytes, "conv2d im2col scratch");
  try {
    const outRowBytes = win.wo * d.co * 4;
    for (let r = 0; r < rows; r += chunk) {
      const n = Math.min(chunk, rows - r);
      runRows(
        "f32_im2col_nhwc",
        [
          input.ptr(), col, d.h, d.w, d.ci, win.ho, win.wo,
          d.kh, d.kw, win.sh, win.sw, win.dh, win.dw, win.padTop, win.padLeft, r,
        ],
        n, rowFloats,
      );
      runRows(gemmFor(k), [col, packed, out.ptr() + r * outRowBytes, k, d.co, win.wo, lo, hi], n, 2 * win.wo * d.co * k);
    }
  } finally {
    heap.free(col, bytes);
  }
}
