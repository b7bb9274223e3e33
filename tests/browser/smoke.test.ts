/** The smoke suite in Chromium (vitest browser mode), on a cross-origin isolated page. */
import { expect, it } from "vitest";
import * as simdconv from "simdconv";
import { smoke } from "../runtimes/smoke.js";

it("runs on a cross-origin isolated page", () => {
  expect(globalThis.crossOriginIsolated).toBe(true);
});

it("passes the smoke suite", async () => {
  expect(await smoke(simdconv)).toHaveLength(11);
});
