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

/** A guard that no longer holds its canary: a write outside the block it surrounds. */
export interface GuardDamage {
  /** The block's `what` (the op, or the kind of scratch). */
  what: string;
  /** Which guard: before the block's start, or after its end (slack included). */
  side: "before" | "after";
  /** Offset of the first damaged byte from the block's start (negative: before it). */
  offset: number;
  /** Whether the block was still live or was found damaged when freed. */
  when: "live" | "freed";
}

/** Canary bytes, repeated as a little-endian word by address: 0x7FA5A5A5, a NaN as a float. */
const CANARY = [0xa5, 0xa5, 0xa5, 0x7f];

interface GuardedBlock {
  byteLength: number;
  what: string;
  /** Guard bytes on each side (the mode's setting when the block was made). */
  guard: number;
}

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
  /** Debug mode (`setGuards`): canary bytes before and after every block allocated since. */
  private guardBytes = 0;
  private readonly guarded = new Map<number, GuardedBlock>();
  private damage: GuardDamage[] = [];

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
      Heap.blockSize(byteLength) + 2 * this.guardBytes + HEAP_BASE + this.reserved <= this.maxBytes - this.liveBytes;
  }

  /**
   * Debug mode: from now on every block gets `bytes` of canary before its start and canary
   * from its end to the end of its slack and a guard as long after it; `checkGuards` finds any
   * that changed. The canary reads as NaN, so a kernel that lets the slack it may read reach a
   * result shows up as a wrong result too. 0 turns it off for later blocks.
   */
  setGuards(bytes: number): void {
    if (!Number.isInteger(bytes) || bytes < 0 || bytes % 16 !== 0) {
      throw new RangeError(`guard bytes must be a non-negative multiple of 16, got ${bytes}`);
    }
    this.guardBytes = bytes;
  }

  /**
   * Every guard found damaged since the last call: in live blocks now, and in blocks when
   * they were freed (scratch an op allocates and frees inside itself).
   */
  checkGuards(): GuardDamage[] {
    const found = this.damage;
    this.damage = [];
    for (const [ptr, g] of this.guarded) this.inspect(ptr, g, "live", found);
    return found;
  }

  /** Every `what` that got a guarded block (for tests: each kind of block must be covered). */
  readonly guardedKinds = new Set<string>();

  /** The canary spans: the guard before the block, and from its end through its slack and guard. */
  private guardSpans(ptr: number, g: GuardedBlock): [number, number, "before" | "after"][] {
    return [[ptr - g.guard, ptr, "before"], [ptr + g.byteLength, ptr + Heap.blockSize(g.byteLength) + g.guard, "after"]];
  }

  private inspect(ptr: number, g: GuardedBlock, when: "live" | "freed", out: GuardDamage[]): void {
    const u8 = this.u8;
    for (const [from, to, side] of this.guardSpans(ptr, g)) {
      for (let a = from; a < to; a++) {
        if (u8[a] !== CANARY[a & 3]) {
          out.push({ what: g.what, side, offset: a - ptr, when });
          break;
        }
      }
    }
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
    const guard = this.guardBytes;
    if (guard === 0) return this.take(Heap.blockSize(byteLength), what, byteLength, kind);
    const ptr = this.take(Heap.blockSize(byteLength) + 2 * guard, what, byteLength, kind) + guard;
    const g: GuardedBlock = { byteLength, what, guard };
    this.guarded.set(ptr, g);
    this.guardedKinds.add(what);
    const u8 = this.u8;
    for (const [from, to] of this.guardSpans(ptr, g)) for (let a = from; a < to; a++) u8[a] = CANARY[a & 3];
    return ptr;
  }

  /** Takes a block of `size` bytes (already aligned, slack and guards included). */
  private take(size: number, what: string, byteLength: number, kind: BlockKind): number {
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
    const g = this.guarded.get(ptr);
    if (!g) return this.release(ptr, Heap.blockSize(byteLength), kind);
    this.inspect(ptr, g, "freed", this.damage);
    this.guarded.delete(ptr);
    this.release(ptr - g.guard, Heap.blockSize(byteLength) + 2 * g.guard, kind);
  }

  private release(ptr: number, size: number, kind: BlockKind): void {
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
