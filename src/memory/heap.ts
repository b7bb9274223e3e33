/**
 * The only allocator of the wasm linear memory. Kernels never allocate, so the heap's
 * state lives here in TypeScript and one memory can be shared with worker threads.
 *
 * - Blocks are 16-byte aligned and carry at least 16 bytes of slack past their end, so
 *   a kernel may load one whole vector at a tail.
 * - Freed blocks go to an address-ordered free list and are coalesced with their
 *   neighbours; a free block at the top lowers the top, so a steady workload stops
 *   growing memory.
 * - Growth replaces `memory.buffer` (an ArrayBuffer is detached, a SharedArrayBuffer keeps
 *   its old length), so views are re-derived on every access, never cached by callers.
 */

export const WASM_PAGE = 65536;
/** Bytes past every block's end that kernels may read but never write. */
export const SLACK = 16;
/** Low memory kept unused: address 0 stays a null pointer for optional kernel inputs. */
const HEAP_BASE = 64;

/** What a block holds, counted apart so that an out-of-memory error can say where memory went. */
export type BlockKind = "tensor" | "packing" | "scratch";

interface FreeBlock {
  ptr: number;
  size: number;
}

export class Heap {
  memory: WebAssembly.Memory;
  maxBytes: number;
  private top = HEAP_BASE;
  private readonly freeList: FreeBlock[] = [];
  private f32Cache: Float32Array;
  private u8Cache: Uint8Array;
  /** Bytes in live blocks, slack included. */
  liveBytes = 0;
  /** Spans skipped by `placeAbove`: never allocated, never touched. */
  private readonly holes: FreeBlock[] = [];
  private reserved = 0;
  /** `liveBytes` by kind: tensors, cached packed weights, and scratch (the zero row included). */
  readonly inUse: Record<BlockKind, number> = { tensor: 0, packing: 0, scratch: 0 };

  constructor(memory: WebAssembly.Memory, maxPages: number) {
    this.memory = memory;
    this.maxBytes = maxPages * WASM_PAGE;
    this.f32Cache = new Float32Array(memory.buffer);
    this.u8Cache = new Uint8Array(memory.buffer);
  }

  /** The block size that `alloc(byteLength)` takes: aligned, plus the tail slack. */
  static blockSize(byteLength: number): number {
    // Arithmetic, not `& ~15`: bitwise ops wrap above 2^31 and would make a huge request tiny.
    return Math.ceil(byteLength / 16) * 16 + SLACK;
  }

  /** A Float32Array over all of memory, re-derived after any growth. */
  get f32(): Float32Array {
    const buf = this.memory.buffer;
    if (this.f32Cache.buffer !== buf || this.f32Cache.byteLength !== buf.byteLength) {
      this.f32Cache = new Float32Array(buf);
      this.u8Cache = new Uint8Array(buf);
    }
    return this.f32Cache;
  }

  get u8(): Uint8Array {
    this.f32;
    return this.u8Cache;
  }

  get wasmBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Whether `byteLength` more bytes could ever be allocated (before trying). */
  canAllocate(byteLength: number): boolean {
    return Number.isFinite(byteLength) &&
      Heap.blockSize(byteLength) + HEAP_BASE + this.reserved <= this.maxBytes - this.liveBytes;
  }

  /**
   * @internal For tests: makes every later block start at or above byte `address`, so code
   * paths can be exercised on addresses past 2 GiB (where a signed `ptr >> 2` goes negative)
   * and next to 4 GiB without holding gigabytes: the skipped pages are never written, so
   * they cost address space, not RAM. Blocks already allocated stay where they are.
   */
  placeAbove(address: number): void {
    const at = Math.ceil(address / 16) * 16;
    if (at <= this.top) return;
    this.ensure(at, "placeAbove", at - this.top);
    // Free blocks below would be reused by best fit; forget them (they were never written
    // by a live tensor, and the skipped span is counted as reserved instead).
    for (const b of this.freeList) this.holes.push(b);
    this.freeList.length = 0;
    this.holes.push({ ptr: this.top, size: at - this.top });
    this.reserved = this.holes.reduce((n, b) => n + b.size, 0);
    this.top = at;
  }

  /**
   * The RangeError for a request of `byteLength` bytes that cannot be met: it names `what`,
   * the bytes in use by kind and the maximum, so the reader can tell a request that could
   * never fit from memory held by live tensors (which disposing them frees).
   */
  outOfMemory(what: string, byteLength: number, refused?: { from: number; to: number }): RangeError {
    const shared = typeof SharedArrayBuffer !== "undefined" && this.memory.buffer instanceof SharedArrayBuffer;
    const { tensor, packing, scratch } = this.inUse;
    let message = `${what} needs ${byteLength} bytes, but ${this.liveBytes} bytes are in use ` +
      `(${tensor} by live tensors, ${packing} by cached packed weights, ${scratch} by scratch) ` +
      `of the ${shared ? "shared " : ""}WebAssembly memory's ${this.maxBytes} bytes at most`;
    if (!(Heap.blockSize(byteLength) + HEAP_BASE <= this.maxBytes)) {
      return new RangeError(`${message}; the request alone is larger than that`);
    }
    if (refused) {
      message += `; the engine refused to grow it from ${refused.from} to ${refused.to} bytes`;
    } else if (Heap.blockSize(byteLength) + HEAP_BASE + this.reserved <= this.maxBytes - this.liveBytes) {
      const largest = this.freeList.reduce((m, b) => Math.max(m, b.size), this.maxBytes - this.top);
      message += `; the free bytes are split, the largest free span being ${largest} bytes`;
    }
    return new RangeError(`${message}. Disposing tensors frees their memory (and a filter's packed weights)`);
  }

  /**
   * Returns a 16-byte-aligned pointer to `byteLength` bytes (contents undefined), or throws
   * `outOfMemory(what)` when the memory cannot hold it (the heap is then unchanged).
   */
  alloc(byteLength: number, what: string, kind: BlockKind = "scratch"): number {
    if (!this.canAllocate(byteLength)) throw this.outOfMemory(what, byteLength);
    const size = Heap.blockSize(byteLength);
    // Best fit keeps large free blocks intact for large tensors.
    let best = -1;
    for (let i = 0; i < this.freeList.length; i++) {
      const b = this.freeList[i];
      if (b.size >= size && (best < 0 || b.size < this.freeList[best].size)) {
        best = i;
        if (b.size === size) break;
      }
    }
    if (best >= 0) {
      const b = this.freeList[best];
      const ptr = b.ptr;
      if (b.size === size) this.freeList.splice(best, 1);
      else {
        b.ptr += size;
        b.size -= size;
      }
      this.liveBytes += size;
      this.inUse[kind] += size;
      return ptr;
    }
    const ptr = this.top;
    const end = ptr + size;
    this.ensure(end, what, byteLength);
    this.top = end;
    this.liveBytes += size;
    this.inUse[kind] += size;
    return ptr;
  }

  /** Returns a block; `byteLength` and `kind` are the values that were passed to `alloc`. */
  free(ptr: number, byteLength: number, kind: BlockKind = "scratch"): void {
    const size = Heap.blockSize(byteLength);
    this.liveBytes -= size;
    this.inUse[kind] -= size;
    const list = this.freeList;
    // Insert in address order (binary search), then merge with neighbours.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].ptr < ptr) lo = mid + 1;
      else hi = mid;
    }
    let i = lo;
    list.splice(i, 0, { ptr, size });
    if (i + 1 < list.length && list[i].ptr + list[i].size === list[i + 1].ptr) {
      list[i].size += list[i + 1].size;
      list.splice(i + 1, 1);
    }
    if (i > 0 && list[i - 1].ptr + list[i - 1].size === list[i].ptr) {
      list[i - 1].size += list[i].size;
      list.splice(i, 1);
      i--;
    }
    if (list[i].ptr + list[i].size === this.top) {
      this.top = list[i].ptr;
      list.splice(i, 1);
    }
  }

  /**
   * Moves to another memory, copying every block so pointers stay valid. Views of the old
   * memory are detached (they read as empty), as after growth.
   */
  adopt(memory: WebAssembly.Memory, maxPages: number): void {
    const old = this.memory;
    const have = memory.buffer.byteLength;
    if (have < this.top) memory.grow(Math.ceil((this.top - have) / WASM_PAGE));
    // Copy only what may hold data: free blocks and skipped spans are left untouched, so
    // moving a sparse heap does not write (and commit) every page below its top.
    const to = new Uint8Array(memory.buffer);
    const from = new Uint8Array(old.buffer);
    let at = 0;
    for (const gap of [...this.freeList, ...this.holes].sort((a, b) => a.ptr - b.ptr)) {
      to.set(from.subarray(at, gap.ptr), at);
      at = gap.ptr + gap.size;
    }
    to.set(from.subarray(at, this.top), at);
    this.memory = memory;
    this.maxBytes = maxPages * WASM_PAGE;
    if (!(old.buffer instanceof SharedArrayBuffer)) old.grow(0);
  }

  /** Grows memory so that [0, end) is addressable. */
  private ensure(end: number, what: string, byteLength: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    if (end > this.maxBytes) throw this.outOfMemory(what, byteLength);
    // Grow geometrically (at least 1/8 more) so a growing workload does not grow on every op.
    const needPages = Math.ceil((end - have) / WASM_PAGE);
    const pages = Math.min(
      Math.max(needPages, Math.ceil(have / WASM_PAGE / 8)),
      this.maxBytes / WASM_PAGE - have / WASM_PAGE,
    );
    try {
      this.memory.grow(pages);
    } catch {
      try {
        this.memory.grow(needPages);
      } catch {
        // Below the maximum, the engine (or the OS behind it) could not supply the pages.
        throw this.outOfMemory(what, byteLength, { from: have, to: have + needPages * WASM_PAGE });
      }
    }
  }
}
