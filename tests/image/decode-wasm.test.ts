/** The JPEG cases again with the wasm libjpeg decoder (what readImage and the CLI use). */
import { beforeAll, expect, it } from "vitest";
import { decodeRaster, initCodecs } from "../../src/image/node.js";
import { jpegOf, quadrants } from "./files.js";
import { jpegCases } from "./jpeg-cases.js";

beforeAll(async () => {
  expect(await initCodecs()).toBe(true);
});

jpegCases("libjpeg (wasm)");

it("the wasm decoder and jpeg-js agree on a good file within JPEG's IDCT differences", async () => {
  const bytes = jpegOf(quadrants(64, 32), 90);
  const a = decodeRaster(bytes);
  const { default: jpeg } = await import("jpeg-js");
  const b = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
  let worst = 0;
  a.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b.data[i]))));
  expect(worst).toBeLessThanOrEqual(8);
});
