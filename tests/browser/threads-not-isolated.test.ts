/** Chromium, page served without COOP/COEP: threads cannot run, and capabilities() says why. */
import { describe, expect, it, vi } from "vitest";
import { capabilities, conv2d, getThreadsCount, init, setThreadsCount, tensor } from "../../src/index.js";

describe("threads in a page that is not cross-origin isolated", () => {
  it("falls back to one thread, names the missing headers and warns once", async () => {
    expect(globalThis.crossOriginIsolated).toBe(false);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const caps = await init({ threads: 4 });
    expect(caps.threads).toBe(false);
    expect(caps.threadsCount).toBe(1);
    expect(caps.reasonThreadsOff).toMatch(/not cross-origin isolated/);
    expect(caps.reasonThreadsOff).toMatch(/Cross-Origin-Opener-Policy: same-origin/);
    expect(caps.reasonThreadsOff).toMatch(/Cross-Origin-Embedder-Policy: require-corp/);
    setThreadsCount(2);
    expect(getThreadsCount()).toBe(1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/not cross-origin isolated/);
    // Ops still run, on the one thread.
    const y = conv2d(tensor([1, 2, 3, 4], [1, 2, 2, 1]), tensor([1, 1, 1, 1], [2, 2, 1, 1]), 1, "valid");
    expect(Array.from(y.dataSync())).toEqual([10]);
    expect(capabilities().threads).toBe(false);
    warn.mockRestore();
  });
});
