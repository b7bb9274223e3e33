import { describe, it } from "vitest";
import { everythingAbove, GiB } from "./high-memory.js";

// One thread. The order matters: each run places blocks above the last.
describe("memory past 2 GiB, one thread", () => {
  it("straddling 2 GiB", () => everythingAbove(2 * GiB - 200_000));
  it("above 2 GiB", () => everythingAbove(2 * GiB + 16 * 2 ** 20));
  it("next to 4 GiB", () => everythingAbove(4 * GiB - 48 * 2 ** 20));
});
