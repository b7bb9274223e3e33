/** Synthetic test pictures with edges at known places. */
import type { Raster } from "../../src/image/raster.js";

/** Bright horizontal bars on black: rows where `isBar(row)` holds are 1, the rest 0. */
export function barsValues(height: number, width: number, isBar: (row: number) => boolean): Float32Array {
  const a = new Float32Array(height * width);
  for (let y = 0; y < height; y++) if (isBar(y)) a.fill(1, y * width, (y + 1) * width);
  return a;
}

/** The same bars as gray RGBA pixels (255 on 0). */
export function barsRaster(height: number, width: number, isBar: (row: number) => boolean): Raster {
  const values = barsValues(height, width, isBar);
  const data = new Uint8Array(width * height * 4);
  values.forEach((v, i) => data.set([v * 255, v * 255, v * 255, 255], i * 4));
  return { width, height, data };
}

/** Rows 2–5 and 10–13 of 16 are bright: bars four rows thick, so each has an inside. */
export const BARS_16 = (row: number): boolean => (row >= 2 && row <= 5) || (row >= 10 && row <= 13);
