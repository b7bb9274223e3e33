/** The allocator on its own, over a small memory, so running out is cheap to test. */
import { describe, expect, it } from "vitest";
import { Heap, SLACK, WASM_PAGE } from "../../src/memory/heap.js";

const smallHeap = (initialPages = 1, maxPages = 4) =>
  new Heap(new WebAssembly.Memory({ initial: initialPages, maximum: maxPages }), maxPages);

describe("Heap", () => {
  it.each([0, 1, 15, 16, 17, 1000, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 5, 7.7e10])("the block for %i bytes is a 16-byte multiple plus the slack (above 2^31 bytes too)", (n) => {
    const size = Heap.blockSize(n);
    expect(size % 16).toBe(0);
    expect(size).toBeGreaterThanOrEqual(n + SLACK);
    expect(size).toBeLessThan(n + SLACK + 16);
  });

  it("refuses what could never fit, and allocates again after refusing", () => {
    const heap = smallHeap();
    expect(heap.canAllocate(4 * WASM_PAGE)).toBe(false);
    expect(heap.canAllocate(2 ** 33)).toBe(false);
    expect(heap.canAllocate(NaN)).toBe(false);
    const a = heap.alloc(3 * WASM_PAGE, "a");
    expect(() => heap.alloc(2 * WASM_PAGE, "b")).toThrow(RangeError);
    expect(() => heap.alloc(2 * WASM_PAGE, "b")).toThrow(/\bb\b/);
    heap.free(a, 3 * WASM_PAGE);
    const b = heap.alloc(2 * WASM_PAGE, "b");
    expect(b).toBe(a);
    expect(heap.liveBytes).toBe(Heap.blockSize(2 * WASM_PAGE));
  });

  it("grows the memory on demand, up to its maximum", () => {
    const heap = smallHeap(1, 4);
    expect(heap.wasmBytes).toBe(WASM_PAGE);
    heap.alloc(WASM_PAGE + 100, "x");
    expect(heap.wasmBytes).toBeGreaterThan(WASM_PAGE);
    expect(heap.wasmBytes).toBeLessThanOrEqual(4 * WASM_PAGE);
    // Views follow the growth.
    expect(heap.f32.length * 4).toBe(heap.wasmBytes);
    expect(heap.u8.length).toBe(heap.wasmBytes);
  });

  it("frees back to an empty heap whatever the order, and coalesces", () => {
    const heap = smallHeap(4, 8);
    const sizes = [100, 17, 4096, 1, 333, 64, 5000];
    const ptrs = sizes.map((n) => heap.alloc(n, "t"));
    for (const p of ptrs) expect(p % 16).toBe(0);
    // Blocks never overlap, slack included.
    const spans = ptrs.map((p, i) => [p, p + Heap.blockSize(sizes[i])]).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
    for (const i of [1, 3, 5, 0, 6, 2, 4]) heap.free(ptrs[i], sizes[i]);
    expect(heap.liveBytes).toBe(0);
    // All of it came back as one span: the first allocation lands where the first did.
    const again = heap.alloc(sizes.reduce((a, b) => a + Heap.blockSize(b), 0), "all");
    expect(again).toBe(Math.min(...ptrs));
  });
});

describe("Heap out-of-memory errors", () => {
  const figures = /^(.+) needs (\d+) bytes, but (\d+) bytes are in use \((\d+) by live tensors, (\d+) by cached packed weights, (\d+) by scratch\) of the WebAssembly memory's (\d+) bytes at most/;
  const messageOf = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(RangeError);
      return (e as Error).message;
    }
    throw new Error("expected a RangeError");
  };

  it("counts blocks by kind and names the request, the use and the maximum", () => {
    const heap = smallHeap(1, 4);
    const t = heap.alloc(1000, "t", "tensor");
    const p = heap.alloc(2000, "p", "packing");
    const s = heap.alloc(3000, "s");
    expect(heap.inUse).toEqual({ tensor: Heap.blockSize(1000), packing: Heap.blockSize(2000), scratch: Heap.blockSize(3000) });
    const msg = messageOf(() => heap.alloc(4 * WASM_PAGE - 4000, "relu: shape [9]", "tensor"));
    const m = figures.exec(msg)!;
    expect(m.slice(1).map((v, i) => (i === 0 ? v : +v))).toEqual([
      "relu: shape [9]", 4 * WASM_PAGE - 4000, heap.liveBytes, Heap.blockSize(1000), Heap.blockSize(2000), Heap.blockSize(3000), 4 * WASM_PAGE,
    ]);
    expect(msg).toMatch(/Disposing tensors frees/);
    heap.free(t, 1000, "tensor");
    heap.free(p, 2000, "packing");
    heap.free(s, 3000);
    expect(heap.inUse).toEqual({ tensor: 0, packing: 0, scratch: 0 });
    expect(heap.liveBytes).toBe(0);
  });

  it("says when the request alone exceeds the maximum", () => {
    const msg = messageOf(() => smallHeap(1, 4).alloc(5 * WASM_PAGE, "x"));
    expect(msg).toMatch(figures);
    expect(msg).toMatch(/the request alone is larger than that$/);
  });

  it("says when the free bytes would suffice but are split", () => {
    const heap = smallHeap(4, 4);
    const quarter = WASM_PAGE - 64;
    const blocks = [0, 1, 2, 3].map(() => heap.alloc(quarter - SLACK, "b"));
    heap.free(blocks[0], quarter - SLACK);
    heap.free(blocks[2], quarter - SLACK);
    const msg = messageOf(() => heap.alloc(quarter + 4096, "y"));
    expect(msg).toMatch(figures);
    expect(msg).toMatch(/the free bytes are split, the largest free span being \d+ bytes/);
    // The heap is unchanged: both gaps are still there to reuse.
    expect(heap.alloc(quarter - SLACK, "z")).toBe(blocks[0]);
  });

  it("says when the engine refused to grow the memory below the maximum", () => {
    // A memory whose own maximum (2 pages) is below the heap's (8): growth fails early.
    const heap = new Heap(new WebAssembly.Memory({ initial: 1, maximum: 2 }), 8);
    const msg = messageOf(() => heap.alloc(3 * WASM_PAGE, "w"));
    expect(msg).toMatch(figures);
    expect(msg).toMatch(/the engine refused to grow it from 65536 to 262144 bytes/);
    expect(heap.alloc(1000, "after")).toBeGreaterThan(0);
  });
});

describe("Heap guard mode", () => {
  it("finds a write one byte past a block's end, one byte before its start, and in a freed block's guard", () => {
    const heap = smallHeap(1, 4);
    heap.setGuards(32);
    const a = heap.alloc(10, "a");
    const b = heap.alloc(64, "b", "tensor");
    expect(a % 16).toBe(0);
    expect(b - a).toBeGreaterThanOrEqual(32 + Heap.blockSize(10) + 32);
    expect(heap.checkGuards()).toEqual([]);
    // Writing inside the blocks touches no guard.
    heap.u8.fill(1, a, a + 10);
    heap.u8.fill(1, b, b + 64);
    expect(heap.checkGuards()).toEqual([]);
    heap.u8[a + 10] = 0; // the first byte past a's end: its slack, where kernels may only read
    heap.u8[b - 1] = 0;
    expect(heap.checkGuards()).toEqual([
      { what: "a", side: "after", offset: 10, when: "live" },
      { what: "b", side: "before", offset: -1, when: "live" },
    ]);
    heap.u8[b + 64 + 16 + 31] = 0; // the last byte of b's guard after the slack
    heap.free(b, 64, "tensor");
    expect(heap.checkGuards()).toEqual([
      { what: "b", side: "before", offset: -1, when: "freed" },
      { what: "b", side: "after", offset: 64 + 16 + 31, when: "freed" },
      { what: "a", side: "after", offset: 10, when: "live" },
    ]);
    heap.free(a, 10);
    expect(heap.liveBytes).toBe(0);
    expect(heap.inUse).toEqual({ tensor: 0, packing: 0, scratch: 0 });
    expect([...heap.guardedKinds]).toEqual(["a", "b"]);
  });

  it("the canary reads as NaN, and blocks made before the mode are freed as before", () => {
    const heap = smallHeap(1, 4);
    const plain = heap.alloc(100, "plain");
    heap.setGuards(16);
    const g = heap.alloc(8, "g");
    expect(Number.isNaN(heap.f32[(g + 8) / 4])).toBe(true);
    heap.setGuards(0);
    heap.free(plain, 100);
    heap.free(g, 8);
    expect(heap.liveBytes).toBe(0);
    expect(() => heap.setGuards(8)).toThrow(RangeError);
  });
});
