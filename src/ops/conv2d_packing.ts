/**
 * The data a conv path needs besides x and y, made once and cached: the filter packed into
 * the GEMM tile layout (bias first, zero-padded to the tile width) or into Winograd's 16
 * transformed matrices, on the filter's storage and freed with it (or with the bias a GEMM
 * packing folds in); and one shared row of zeros that padding taps read.
 */
import { backend } from "../loader/backend.js";
import { runRows } from "./dispatch.js";
import type { Heap } from "../memory/heap.js";
import type { Tensor } from "../tensor.js";

/** Output channels per packed block: the NR of every GEMM tile. */
export const NR = 8;

/**
 * What a path packs: f32_packw_hwio_x8's GEMM blocks, the Winograd matrices,
 * f32_packw_hwio_dot4's per-channel filter rows, or nothing.
 */
export type Packing = "gemm" | "winograd" | "winograd4" | "dot4" | "none";

interface PackedEntry {
  /** "gemm": f32_packw_hwio_x8 (bias first); "winograd": the 16 transformed matrices, no bias; "winograd4": F(4×4,3×3)'s 36; "dot4": f32_packw_hwio_dot4 (bias first). */
  kind: Exclude<Packing, "none">;
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
  const entries = packCache.get(storage);
  const hit = entries?.find((e) => e.kind === "gemm" && e.bias === biasStorage && e.k === k && e.co === co);
  if (hit) return hit.ptr;
  const heap = storage.heap;
  const bytes = packedBytes(k, co);
  const ptr = heap.alloc(bytes, "conv2d packed weights", "packing");
  backend().kernels.f32_packw_hwio_x8(filter.ptr(), bias ? bias.ptr() : 0, ptr, k, co);
  remember(storage, heap, entries, { kind: "gemm", bias: biasStorage, k, co, ptr, bytes }, bias);
  return ptr;
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
  const bytes = winogradBytes(ci, co);
  const ptr = heap.alloc(bytes, "conv2d winograd weights", "packing");
  packWinograd(filter.ptr(), ptr, ci, co);
  remember(storage, heap, entries, { kind: "winograd", bias: null, k, co, ptr, bytes }, undefined);
  return ptr;
}

/**
 * The 3×3 filter as 36 Winograd F(4×4,3×3) GEMM matrices in 8-channel blocks
 * (f32_winograd_4x4_3x3_packw_hwio_x8), 4× the HWIO filter's bytes; cached and freed like
 * winogradWeights.
 */
export function winograd4Weights(filter: Tensor, ci: number, co: number): number {
  const storage = filter.storage!;
  const entries = packCache.get(storage);
  const k = 9 * ci;
  const hit = entries?.find((e) => e.kind === "winograd4" && e.k === k && e.co === co);
  if (hit) return hit.ptr;
  const heap = storage.heap;
  const bytes = winograd4Bytes(ci, co);
  const ptr = heap.alloc(bytes, "conv2d winograd weights", "packing");
  packWinograd4(filter.ptr(), ptr, ci, co);
  remember(storage, heap, entries, { kind: "winograd4", bias: null, k, co, ptr, bytes }, undefined);
  return ptr;
}

/** Bytes of the Winograd F(4×4,3×3) packing of a 3×3 filter from ci to co channels. */
export function winograd4Bytes(ci: number, co: number): number {
  return 36 * Math.ceil(co / NR) * NR * ci * 4;
}

/** Floats of f32_packw_hwio_dot4's layout: per group of 4 channels, the bias, then 4 channels of kh zero-padded filter rows. */
export const dot4Floats = (kh: number, kw: number, ci: number, co = 4) => Math.ceil(co / 4) * (4 + 4 * kh * Math.ceil((kw * ci) / 4) * 4);

/** A filter and its bias in f32_packw_hwio_dot4's layout (groups of 4 channels); packed once per filter and bias. */
export function dot4Weights(filter: Tensor, bias: Tensor | undefined, kh: number, kw: number, ci: number, co: number): number {
  const storage = filter.storage!;
  const biasStorage = bias?.storage ?? null;
  const entries = packCache.get(storage);
  const k = kh * kw * ci;
  const hit = entries?.find((e) => e.kind === "dot4" && e.bias === biasStorage && e.k === k && e.co === co);
  if (hit) return hit.ptr;
  const heap = storage.heap;
  const bytes = dot4Floats(kh, kw, ci, co) * 4;
  const ptr = heap.alloc(bytes, "conv2d packed weights", "packing");
  backend().kernels.f32_packw_hwio_dot4(filter.ptr(), bias ? bias.ptr() : 0, ptr, kh, kw, ci, co);
  remember(storage, heap, entries, { kind: "dot4", bias: biasStorage, k, co, ptr, bytes }, bias);
  return ptr;
}

/**
 * f32_winograd_2x2_3x3_packw_hwio_x8 over all 8-channel blocks, shared out to the worker
 * threads when threads are on (a model's load packs 100 MB for VGG16's base).
 */
function packWinograd(filter: number, dst: number, ci: number, co: number): void {
  runRows("f32_winograd_2x2_3x3_packw_hwio_x8", [filter, dst, ci, co], Math.ceil(co / NR), 3 * 16 * NR * ci);
}

/** F(4×4,3×3)'s transform of the filter at `filter` into `dst`, its 8-channel blocks shared out as packWinograd's. */
function packWinograd4(filter: number, dst: number, ci: number, co: number): void {
  runRows("f32_winograd_4x4_3x3_packw_hwio_x8", [filter, dst, ci, co], Math.ceil(co / NR), 3 * 36 * NR * ci);
}

/** Bytes of the Winograd packing of a 3×3 filter from ci to co channels. */
export function winogradBytes(ci: number, co: number): number {
  return 16 * Math.ceil(co / NR) * NR * ci * 4;
}

/** Bytes of `kind`'s packing of a [kh, kw, ci, co] filter. */
export function packingBytes(kind: Exclude<Packing, "none">, kh: number, kw: number, ci: number, co: number): number {
  if (kind === "winograd4") return winograd4Bytes(ci, co);
  return kind === "gemm" ? packedBytes(kh * kw * ci, co) : kind === "dot4" ? dot4Floats(kh, kw, ci) * 4 : winogradBytes(ci, co);
}

/**
 * Packs the HWIO filter at `filter` (and the bias at `bias`, 0 for none: the GEMM layout holds
 * it) into the block at `dst` of packingBytes(kind, ...) bytes, outside the cache: for
 * operators that own their packing and keep no HWIO copy (create_conv2d.ts).
 */
export function packInto(kind: Exclude<Packing, "none">, filter: number, bias: number, dst: number, kh: number, kw: number, ci: number, co: number): void {
  const k = backend().kernels;
  if (kind === "gemm") k.f32_packw_hwio_x8(filter, bias, dst, kh * kw * ci, co);
  else if (kind === "dot4") k.f32_packw_hwio_dot4(filter, bias, dst, kh, kw, ci, co);
  else if (kind === "winograd4") packWinograd4(filter, dst, ci, co);
  else packWinograd(filter, dst, ci, co);
}

/** @internal The packings cached on `filter`'s storage, in the order they were made (for tests). */
export function packingsOf(filter: Tensor): Exclude<Packing, "none">[] {
  return (packCache.get(filter.storage!) ?? []).map((e) => e.kind);
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

let zeroRow: { heap: Heap; ptr: number; floats: number } | undefined;

/** A row of at least `floats` zeros, shared by every conv; kernels only read it. */
export function zeros(heap: Heap, floats: number): number {
  if (!zeroRow || zeroRow.heap !== heap || zeroRow.floats < floats) {
    if (zeroRow && zeroRow.heap === heap) heap.free(zeroRow.ptr, zeroRow.floats * 4);
    const n = Math.max(floats, 256);
    const ptr = heap.alloc(n * 4, "conv2d zero row");
    heap.f32.fill(0, ptr >>> 2, (ptr >>> 2) + n);
    zeroRow = { heap, ptr, floats: n };
  }
  return zeroRow.ptr;
}
