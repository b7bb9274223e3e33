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
/** The general-case tile; 4×8 measured faster than 6×8 here (see README, performance). */
const IGEMM = "f32_igemm_nhwc_minmax_4x8_simd";
const GEMM = "f32_gemm_minmax_4x8_simd";

export interface ConvDims {
  n: number; h: number; w: number; ci: number; co: number; kh: number; kw: number;
}

interface PackedEntry {
  bias: object | null;
  k: number;
  co: number;
  ptr: number;
  bytes: number;
}

/** Packed weights per filter storage; a reshape shares the storage, so k and co are part of the key. */
const packCache = new WeakMap<object, PackedEntry[]>();

function packedBytes(k: number, co: number): number {
  return Math.ceil(co / NR) * (NR + NR * k) * 4;
}

/** The filter (k = kh·kw·ci rows of co) and bias in the GEMM layout; packed once per filter and bias. */
export function packedWeights(filter: Tensor, bias: Tensor | undefined, k: number, co: number): number {
  const storage = filter.storage!;
  const biasStorage = bias?.storage ?? null;
  let entries = packCache.get(storage);
  const hit = entries?.find((e) => e.bias === biasStorage && e.k === k && e.co === co);
  if (hit) return hit.ptr;
  const heap = storage.heap;
  const bytes = packedBytes(k, co);
  const ptr = heap.alloc(bytes, "conv2d packed weights");
  backend().kernels.f32_packw_hwio_x8(filter.ptr(), bias ? bias.ptr() : 0, ptr, k, co);
  const entry: PackedEntry = { bias: biasStorage, k, co, ptr, bytes };
  if (!entries) {
    const list: PackedEntry[] = (entries = []);
    packCache.set(storage, list);
    storage.onFree.push(() => {
      for (const e of list.splice(0)) heap.free(e.ptr, e.bytes);
    });
  }
  entries.push(entry);
  if (bias) {
    const list = entries;
    bias.storage!.onFree.push(() => {
      const i = list.indexOf(entry);
      if (i >= 0) {
        list.splice(i, 1);
        heap.free(entry.ptr, entry.bytes);
      }
    });
  }
  return ptr;
}

let zeroRow: { heap: Heap; ptr: number; floats: number } | undefined;

/** A row of at least `floats` zeros, shared by every conv; kernels only read it. */
function zeros(heap: Heap, floats: number): number {
  if (!zeroRow || zeroRow.heap !== heap || zeroRow.floats < floats) {
    if (zeroRow && zeroRow.heap === heap) heap.free(zeroRow.ptr, zeroRow.floats * 4);
    const n = Math.max(floats, 256);
    const ptr = heap.alloc(n * 4, "conv2d zero row");
    heap.f32.fill(0, ptr >> 2, (ptr >> 2) + n);
    zeroRow = { heap, ptr, floats: n };
  }
  return zeroRow.ptr;
}

type Path = "direct1" | "gemm" | "igemm" | "im2col";

/**
 * Few input channels, a small filter (K = kh·kw·ci ≤ 36, e.g. 3×3 over RGB) and many output
 * channels: gathering a chunk of rows into contiguous K-float rows and running the plain GEMM
 * beat the IGEMM's kh short runs per tile by 10–25 % at co = 64 (bench shape 2), but lost at
 * co ≤ 32, where the gather is shared by too few 8-channel blocks (README, performance).
 */
const IM2COL_MAX_CI = 4;
const IM2COL_MAX_K = 36;
const IM2COL_MIN_CO = 64;
/**
 * Output rows gathered per chunk, per thread: each thread's share of a chunk's columns
 * (rows·wo·K floats) stays in its L2, and each chunk is one split across the threads.
 */
const IM2COL_CHUNK_BYTES = 256 << 10;

function pathOf(d: ConvDims, win: Window2D): Path {
  if (d.ci === 1 && d.co === 1 && win.sw === 1) return "direct1";
  const pointwise = d.kh === 1 && d.kw === 1 && win.sh === 1 && win.sw === 1 &&
    win.padTop === 0 && win.padLeft === 0 && win.ho === d.h && win.wo === d.w;
  if (pointwise) return "gemm";
  const k = d.kh * d.kw * d.ci;
  if (d.ci <= IM2COL_MAX_CI && k <= IM2COL_MAX_K && d.co >= IM2COL_MIN_CO) return "im2col";
  return "igemm";
}

/**
 * Makes the long-lived data a conv needs (packed weights, the zero row) before the caller
 * allocates its output, so that freeing the output leaves no hole below them.
 */
export function prepareConv2d(filter: Tensor, bias: Tensor | undefined, d: ConvDims, win: Window2D): void {
  const path = pathOf(d, win);
  if (path === "direct1") return;
  packedWeights(filter, bias, d.kh * d.kw * d.ci, d.co);
  if (path === "igemm") zeros(backend().heap, d.ci);
}

/**
 * Runs the conv on NHWC `input` into `out` with the fastest kernel that fits:
 * one channel in and out with unit width stride → the direct width-vectorised kernel;
 * 1×1, stride 1, no padding → a plain GEMM; anything else → the indirect GEMM.
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
    const b = bias ? heap.f32[bias.ptr() >> 2] : 0;
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
  const packed = packedWeights(filter, bias, d.kh * d.kw * d.ci, d.co);
  if (path === "im2col") {
    runIm2col(input, packed, out, d, win, rows, lo, hi);
    return;
  }
  if (path === "gemm") {
    runRows(GEMM, [input.ptr(), packed, out.ptr(), d.ci, d.co, win.wo, lo, hi], rows, flopsPerRow);
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
      runRows(GEMM, [col, packed, out.ptr() + r * outRowBytes, k, d.co, win.wo, lo, hi], n, 2 * win.wo * d.co * k);
    }
  } finally {
    heap.free(col, bytes);
  }
}
