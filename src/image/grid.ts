/**
 * Grids for looking inside a model: every channel of a layer's output as a small map, and a
 * first layer's kernels as small pictures (RGB when they read an RGB image).
 */
import type { Tensor } from "../index.js";
import {
  checkColormap, colormapTable, mapDims, mapLevels, readValues, resolveDrawing, valueRange, level,
  type ColormapName, type Normalization,
} from "./colormap.js";
import { drawText, GLYPH_HEIGHT, textWidth } from "./font.js";
import { base64, storedDeflate, writePngFile, type Deflate } from "./png.js";
import { blit, newRaster, resizeRaster, type Raster } from "./raster.js";

export interface GridOptions {
  /** Cells per row. Default: about square. */
  columns?: number;
  /** The longer side of each cell in pixels. Default: the map's, kept between 48 and 192. */
  cellSize?: number;
  /** Write each cell's channel number above it (or the given texts). Default true. */
  labels?: boolean | string[];
  /** Pixels between cells. Default 4. */
  gap?: number;
}

export interface FeatureMapGridOptions extends GridOptions {
  /** Default 'magma'. */
  colormap?: ColormapName;
  /** Default 'percentile' (see ToRasterOptions.normalize). */
  normalize?: Normalization;
  /** One range for all maps (their brightness compares across channels), instead of one per map. Default false. */
  shared?: boolean;
  /** Pixels at each edge left out of the range statistics; see ToRasterOptions.border. */
  border?: number;
  /** Which channels to draw. Default: all. */
  channels?: number[];
}

export interface KernelGridOptions extends GridOptions {
  /** One range for all kernels, instead of min–max per kernel. Default false. */
  shared?: boolean;
}

/** A grid's cells, before they are placed: pictures and their labels. */
interface Cell {
  raster: Raster;
  label: string;
}

const INK = [24, 24, 24];

function checkGrid(options: GridOptions, count: number, side: number): { columns: number; cellSize: number; gap: number } {
  const columns = options.columns ?? Math.ceil(Math.sqrt(count));
  const cellSize = options.cellSize ?? Math.min(192, Math.max(48, side));
  const gap = options.gap ?? 4;
  if (!Number.isInteger(columns) || columns < 1) throw new RangeError(`columns must be a positive integer, got ${JSON.stringify(columns)}`);
  if (!Number.isInteger(cellSize) || cellSize < 1 || cellSize > 4096) throw new RangeError(`cellSize must be an integer in [1, 4096], got ${JSON.stringify(cellSize)}`);
  if (!Number.isInteger(gap) || gap < 0) throw new RangeError(`gap must be a non-negative integer, got ${JSON.stringify(gap)}`);
  if (Array.isArray(options.labels) && options.labels.length !== count) {
    throw new RangeError(`labels must have one text per cell (${count}), got ${options.labels.length}`);
  }
  return { columns, cellSize, gap };
}

/** Scales a cell so its longer side is `size` (box-averaged down, nearest-pixel up, so kernels keep their squares). */
function fit(r: Raster, size: number): Raster {
  const s = size / Math.max(r.width, r.height);
  return resizeRaster(r, Math.max(1, Math.round(r.width * s)), Math.max(1, Math.round(r.height * s)));
}

interface Placed {
  raster: Raster;
  label: string;
  x: number;
  y: number;
}

/** Places cells row by row on white, each label above its cell. */
function layout(cells: Cell[], options: GridOptions, side: number): { width: number; height: number; placed: Placed[]; labelH: number } {
  const { columns, cellSize, gap } = checkGrid(options, cells.length, side);
  const showLabels = options.labels !== false;
  const labelH = showLabels ? GLYPH_HEIGHT + 4 : 0;
  const scaled = cells.map((c, i) => ({
    raster: fit(c.raster, cellSize),
    label: showLabels ? (Array.isArray(options.labels) ? options.labels[i] : c.label) : "",
  }));
  const cellW = Math.max(cellSize, ...scaled.map((c) => textWidth(c.label, 1)));
  const cellH = Math.max(...scaled.map((c) => c.raster.height), 1) + labelH;
  const cols = Math.min(columns, Math.max(1, cells.length));
  const rows = Math.ceil(cells.length / cols);
  const placed = scaled.map((c, i) => ({ ...c, x: gap + (i % cols) * (cellW + gap), y: gap + Math.floor(i / cols) * (cellH + gap) }));
  return { width: gap + cols * (cellW + gap), height: gap + rows * (cellH + gap), placed, labelH };
}

function gridRaster(cells: Cell[], options: GridOptions, side: number): Raster {
  const { width, height, placed, labelH } = layout(cells, options, side);
  const out = newRaster(width, height, [255, 255, 255, 255]);
  for (const p of placed) {
    if (p.label) drawText(out, p.label, p.x, p.y, 1, INK);
    blit(out, p.raster, p.x, p.y + labelH);
  }
  return out;
}

/** The same grid as an SVG document: each cell an embedded PNG, each label text. */
function gridSvg(cells: Cell[], options: GridOptions, side: number, deflate: Deflate): string {
  const { width, height, placed, labelH } = layout(cells, options, side);
  const parts = placed.map((p) => {
    const png = writePngFile({ width: p.raster.width, height: p.raster.height, colorType: 6, data: p.raster.data }, deflate);
    const text = p.label ? `<text x="${p.x}" y="${p.y + GLYPH_HEIGHT}" font-size="9" font-family="sans-serif">${escapeXml(p.label)}</text>` : "";
    return `${text}<image x="${p.x}" y="${p.y + labelH}" width="${p.raster.width}" height="${p.raster.height}" ` +
      `style="image-rendering:pixelated" href="data:image/png;base64,${base64(png)}"/>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<rect width="100%" height="100%" fill="white"/>${parts.join("")}</svg>\n`;
}

const escapeXml = (s: string) => s.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);

function featureCells(t: Tensor, options: FeatureMapGridOptions): { cells: Cell[]; side: number } {
  const [height, width, c] = mapDims(t, "t");
  const channels = options.channels ?? Array.from({ length: c }, (_, i) => i);
  for (const ch of channels) {
    if (!Number.isInteger(ch) || ch < 0 || ch >= c) throw new RangeError(`channels must hold integers in [0, ${c - 1}], got ${JSON.stringify(ch)}`);
  }
  const { normalize, border } = resolveDrawing({ normalize: options.normalize ?? "percentile", border: options.border }, false, height, width);
  const table = colormapTable(checkColormap(options.colormap ?? "magma"));
  const values = readValues(t);
  const shared = options.shared ? valueRange(values, normalize, { height, width, stride: c, border }) : undefined;
  const levels = new Uint8Array(height * width);
  const cells = channels.map((channel) => {
    const l = { height, width, stride: c, channel, border };
    mapLevels(values, l, shared ?? valueRange(values, normalize, l), levels);
    const raster = newRaster(width, height);
    for (let p = 0; p < levels.length; p++) raster.data.set(table.subarray(levels[p] * 3, levels[p] * 3 + 3), p * 4);
    return { raster, label: String(channel) };
  });
  return { cells, side: Math.max(height, width) };
}

/** Every channel (or the chosen ones) of a feature map [h, w, c] or [1, h, w, c] as a grid of colour-mapped pictures. */
export function featureMapGridRaster(t: Tensor, options: FeatureMapGridOptions = {}): Raster {
  const { cells, side } = featureCells(t, options);
  return gridRaster(cells, options, side);
}

export function featureMapGridSvg(t: Tensor, options: FeatureMapGridOptions = {}, deflate: Deflate = storedDeflate): string {
  const { cells, side } = featureCells(t, options);
  return gridSvg(cells, options, side, deflate);
}

function kernelCells(weights: Tensor, options: KernelGridOptions): { cells: Cell[]; side: number } {
  const shape = weights?.shape;
  if (!Array.isArray(shape) || shape.length !== 4) throw new RangeError(`weights must be an HWIO filter [kh, kw, in, out], got shape [${shape}]`);
  const [kh, kw, ci, co] = shape;
  const w = weights.dataSync();
  const at = (y: number, x: number, i: number, o: number) => w[((y * kw + x) * ci + i) * co + o];
  const range = (values: number[]): [number, number] => {
    let lo = Infinity, hi = -Infinity;
    for (const v of values) if (Number.isFinite(v)) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
    return hi > lo ? [lo, hi] : [Number.isFinite(lo) ? lo - 0.5 : 0, Number.isFinite(lo) ? lo + 0.5 : 1];
  };
  const all = options.shared ? range(Array.from(w)) : undefined;
  const cells: Cell[] = [];
  const rgb = ci === 3;
  for (let o = 0; o < co; o++) {
    for (let i = 0; i < (rgb ? 1 : ci); i++) {
      const picked: number[] = [];
      for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let k = 0; k < (rgb ? 3 : 1); k++) picked.push(at(y, x, rgb ? k : i, o));
      const [lo, hi] = all ?? range(picked);
      const raster = newRaster(kw, kh);
      for (let p = 0; p < kh * kw; p++) {
        for (let k = 0; k < 3; k++) raster.data[p * 4 + k] = level((picked[rgb ? p * 3 + k : p] - lo) / (hi - lo));
      }
      cells.push({ raster, label: rgb ? String(o) : `${o}:${i}` });
    }
  }
  return { cells, side: Math.max(kh, kw) };
}

/**
 * A first layer's kernels (HWIO weights [kh, kw, in, out]): with 3 input channels each output
 * channel's kernel is one small RGB picture (labelled by output channel), else each input
 * channel of each kernel is a gray picture (labelled out:in). Min–max per kernel unless shared.
 */
export function kernelGridRaster(weights: Tensor, options: KernelGridOptions = {}): Raster {
  const { cells } = kernelCells(weights, options);
  return gridRaster(cells, { ...options, cellSize: options.cellSize ?? 48 }, 48);
}

export function kernelGridSvg(weights: Tensor, options: KernelGridOptions = {}, deflate: Deflate = storedDeflate): string {
  const { cells } = kernelCells(weights, options);
  return gridSvg(cells, { ...options, cellSize: options.cellSize ?? 48 }, 48, deflate);
}
