/**
 * The lesson's show_kernel: each cell coloured on a reversed blue ramp (low = dark blue,
 * high = white), its value written in the colour from the other end of the ramp.
 */
import { BLUES, ramp } from "./colormap.js";
import { drawText, GLYPH_HEIGHT, textWidth } from "./font.js";
import { checkKernel, type KernelValues } from "./kernels.js";
import { fillRect, newRaster, type Raster } from "./raster.js";

export interface KernelPictureOptions {
  /** Round values to this many decimals. Default: 4 significant digits (0.0625, 0.1111, -12.25). */
  digits?: number;
  /** Write the values in the cells. Default true. */
  label?: boolean;
  /** Cell side in pixels. Default: 64, or more so the longest value is written at twice the font's size. */
  cellSize?: number;
}

interface Cell {
  row: number;
  col: number;
  /** Background colour. */
  fill: [number, number, number];
  /** Text colour, contrasting with the background. */
  ink: [number, number, number];
  text: string;
}

const BLUES_REVERSED = BLUES.slice().reverse();

export function formatValue(v: number, digits?: number): string {
  if (digits !== undefined) {
    if (!Number.isInteger(digits) || digits < 0 || digits > 10) throw new RangeError(`digits must be an integer in [0, 10], got ${digits}`);
    return String(Number(v.toFixed(digits)));
  }
  return String(Number(v.toPrecision(4)));
}

function layout(values: KernelValues, options: KernelPictureOptions): { cells: Cell[]; rows: number; cols: number; cellSize: number } {
  const rowsOf = checkKernel(values);
  const texts = rowsOf.map((row) => row.map((v) => (options.label === false ? "" : formatValue(v, options.digits))));
  const longest = Math.max(0, ...texts.flat().map((t) => textWidth(t, 2)));
  const cellSize = options.cellSize ?? Math.max(64, Math.ceil(longest / 0.8));
  if (!Number.isInteger(cellSize) || cellSize < 8 || cellSize > 1024) throw new RangeError(`cellSize must be an integer in [8, 1024], got ${cellSize}`);
  const flat = rowsOf.flat();
  const lo = Math.min(...flat), hi = Math.max(...flat);
  const threshold = (lo + hi) / 2;
  const cells: Cell[] = [];
  rowsOf.forEach((row, i) =>
    row.forEach((v, j) => {
      cells.push({
        row: i,
        col: j,
        fill: ramp(BLUES_REVERSED, hi > lo ? (v - lo) / (hi - lo) : 0.5),
        // The lesson's rule: cells above the midpoint are light, so they get the dark end.
        ink: ramp(BLUES_REVERSED, v > threshold ? 0 : 1),
        text: texts[i][j],
      });
    }),
  );
  return { cells, rows: rowsOf.length, cols: rowsOf[0].length, cellSize };
}

/** The kernel picture as pixels (encode it with encodePng, or put it on a canvas). */
export function kernelRaster(values: KernelValues, options: KernelPictureOptions = {}): Raster {
  const { cells, rows, cols, cellSize } = layout(values, options);
  const out = newRaster(cols * cellSize, rows * cellSize, [255, 255, 255, 255]);
  const longest = Math.max(1, ...cells.map((c) => textWidth(c.text, 1)));
  // The largest whole scale at which every value fits in 80% of a cell.
  const scale = Math.max(1, Math.min(Math.floor((cellSize * 0.8) / longest), Math.floor((cellSize * 0.5) / GLYPH_HEIGHT)));
  for (const c of cells) {
    const x = c.col * cellSize, y = c.row * cellSize;
    fillRect(out, x, y, cellSize, cellSize, c.fill);
    const w = textWidth(c.text, scale);
    drawText(out, c.text, x + Math.round((cellSize - w) / 2), y + Math.round((cellSize - GLYPH_HEIGHT * scale) / 2), scale, c.ink);
  }
  return out;
}

/** The kernel picture as an SVG document. */
export function kernelSvg(values: KernelValues, options: KernelPictureOptions = {}): string {
  const { cells, rows, cols, cellSize } = layout(values, options);
  const css = (c: number[]) => `rgb(${c.join(",")})`;
  const fontSize = Math.round(cellSize * 0.32);
  const parts = cells.map((c) => {
    const x = c.col * cellSize, y = c.row * cellSize;
    const rect = `<rect x="${x}" y="${y}" width="${cellSize}" height="${cellSize}" fill="${css(c.fill)}"/>`;
    if (!c.text) return rect;
    return `${rect}<text x="${x + cellSize / 2}" y="${y + cellSize / 2}" fill="${css(c.ink)}" font-size="${fontSize}" ` +
      `font-family="sans-serif" text-anchor="middle" dominant-baseline="central">${c.text}</text>`;
  });
  const w = cols * cellSize, h = rows * cellSize;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${parts.join("")}</svg>\n`;
}
