/**
 * The decoders under seeded mutation (tests/image/fuzz.ts). `npm test` runs 1,000 cases;
 * `npm run fuzz:images` runs 100,000 (FUZZ_CASES, FUZZ_SEED change them).
 */
import { describe, expect, it } from "vitest";
import { fuzzDecoders } from "./fuzz.js";
import { initCodecs } from "../../src/image/node.js";

const cases = Number(process.env.FUZZ_CASES ?? 1000);
const seed = Number(process.env.FUZZ_SEED ?? 1);

describe("decoders under mutated files", () => {
  // First with jpeg-js (decodeRaster's decoder until initCodecs runs), then with the wasm libjpeg.
  for (const decoder of ["jpeg-js", "libjpeg (wasm)"]) {
    it(`${cases} mutated PNGs and JPEGs each end in an image or a documented error, quickly: JPEG by ${decoder}`, async () => {
      if (decoder !== "jpeg-js") expect(await initCodecs()).toBe(true);
      const rss = process.memoryUsage().rss;
      const report = fuzzDecoders(cases, seed);
      if (report.failures.length || cases > 1000) console.log(JSON.stringify({ ...report, failures: report.failures.slice(0, 20) }, null, 1));
      expect(report.failures).toEqual([]);
      expect(report.decoded).toBeGreaterThan(cases * 0.05); // the mutations leave some files readable…
      expect(Object.keys(report.errors).length).toBeGreaterThan(3); // …and reach many kinds of damage
      expect(report.slowest.ms).toBeLessThan(2000);
      expect(process.memoryUsage().rss - rss).toBeLessThan(500e6);
    }, cases * 50 + 30_000);
  }
});
