/** The allocator on its own, over a small memory, so running out is cheap to test. */
import { describe, expect, it } from "vitest";
import { Heap, SLACK, WASM_PAGE } from "../src/memory/heap.js";

const smallHeap = (initialPages = 1, maxPages = 4) =>
  new Heap(new WebAssembly.Memory({ initial: initialPages, maximum: maxPages }), maxPages);

describe("Heap", () => {
  it("block sizes are 16-byte multiples plus the slack, even above 2^31 bytes", () => {
    for (const n of [0, 1, 15, 16, 17, 1000, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 5, 7.7e10]) {
      const size = Heap.blockSize(n);
      expect(size % 16).toBe(0);
      expect(size).toBeGreaterThanOrEqual(n + SLACK);
      expect(size).toBeLessThan(n + SLACK + 16);
    }
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
