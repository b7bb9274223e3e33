/**
 * Feature maps to pictures: normalise float values to [0, 1], then colour them. Colormaps
 * are a few anchor colours interpolated linearly into a 256-entry table (one entry per
 * output level), which is indistinguishable from matplotlib's tables at the sizes we draw.
 */
import type { Tensor } from "../index.js";
import type { Raster } from "./raster.js";

export type ColormapName = "gray" | "magma";

/**
 * How values map to [0, 1]:
 * - 'percentile' (the default for feature maps): the 0.5th to 99.5th percentile of the map,
 *   so a few extreme pixels (SAME padding's frame, a specular highlight) cannot set the range;
 * - `{ percentile: [lo, hi] }`: other percentiles, each in [0, 100];
 * - 'minmax': the map's own minimum and maximum, as matplotlib's imshow does;
 * - `[lo, hi]`: a fixed range.
 * Values outside the range are clipped.
 */
export type Normalization = "percentile" | "minmax" | [number, number] | { percentile: [number, number] };

export const DEFAULT_PERCENTILES: readonly [number, number] = [0.5, 99.5];

export interface ToRasterOptions {
  /** Default 'percentile' for one-channel maps, 'minmax' for colour (3 or 4 channel) tensors. */
  normalize?: Normalization;
  /** For one-channel maps. Default 'gray'. RGB(A) tensors keep their colours. */
  colormap?: ColormapName;
  /** Which channel of a multi-channel tensor to draw as a feature map; default: all when 3 or 4, else 0. */
  channel?: number;
  /**
   * Pixels at each edge left out of the range statistics (they are still drawn). SAME padding
   * makes a frame of about half the kernel's size whose values are unlike the interior's.
   * Default 1 for the percentile modes on maps of at least 3×3, else 0.
   */
  border?: number;
}

const hex = (s: string): [number, number, number] => [0, 2, 4].map((i) => parseInt(s.slice(i, i + 2), 16)) as [number, number, number];

/** Matplotlib's magma sampled at t = 0, 0.1, …, 1. */
const MAGMA = ["000004", "140e36", "3b0f70", "641a80", "8c2981", "b73779", "de4968", "f7705c", "fe9f6d", "fecf92", "fcfdbf"].map(hex);
/** ColorBrewer's 9-class Blues, light to dark. */
export const BLUES = ["f7fbff", "deebf7", "c6dbef", "9ecae1", "6baed6", "4292c6", "2171b5", "08519c", "08306b"].map(hex);

export const COLORMAPS: readonly ColormapName[] = ["gray", "magma"];

/** The colour at t in [0, 1] along anchor colours spaced evenly. */
export function ramp(anchors: readonly (readonly number[])[], t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isNaN(t) ? 0 : t)) * (anchors.length - 1);
  const i = Math.min(anchors.length - 2, Math.floor(x));
  const f = x - i;
  const a = anchors[i], b = anchors[i + 1];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f)) as [number, number, number];
}

/** The output level (0–255) of a normalised value; NaN draws as 0. */
export const level = (t: number): number => (t > 0 ? (t < 1 ? Math.round(t * 255) : 255) : 0);

const tables = new Map<ColormapName, Uint8Array>();

/** 256 RGB triples: the colour of each output level. */
export function colormapTable(name: ColormapName): Uint8Array {
  let table = tables.get(name);
  if (!table) {
    table = new Uint8Array(256 * 3);
    for (let i = 0; i < 256; i++) table.set(name === "gray" ? [i, i, i] : ramp(MAGMA, i / 255), i * 3);
    tables.set(name, table);
  }
  return table;
}

export function colormapColor(name: ColormapName, t: number): [number, number, number] {
  const i = level(t) * 3, table = colormapTable(name);
  return [table[i], table[i + 1], table[i + 2]];
}

export function checkColormap(name: unknown): ColormapName {
  if (!COLORMAPS.includes(name as ColormapName)) {
    throw new TypeError(`colormap must be ${COLORMAPS.map((c) => `'${c}'`).join(" or ")}, got ${JSON.stringify(name)}`);
  }
  return name as ColormapName;
}

const NORMALIZE_HELP = "'percentile', 'minmax', { percentile: [lo, hi] } or a fixed [lo, hi]";

/** Checks a normalisation; returns the percentiles for the percentile modes, the range for a fixed one. */
function checkNormalization(normalize: unknown): { mode: "percentile" | "minmax" | "fixed"; range: [number, number] } {
  if (normalize === "percentile") return { mode: "percentile", range: [...DEFAULT_PERCENTILES] };
  if (normalize === "minmax") return { mode: "minmax", range: [0, 0] };
  if (Array.isArray(normalize)) {
    const [lo, hi] = normalize;
    if (normalize.length !== 2 || !Number.isFinite(lo) || !Number.isFinite(hi) || !(hi > lo)) {
      throw new RangeError(`normalize must be ${NORMALIZE_HELP}; a fixed range needs finite lo < hi, got ${JSON.stringify(normalize)}`);
    }
    return { mode: "fixed", range: [lo, hi] };
  }
  const p = (normalize as { percentile?: unknown } | null)?.percentile;
  if (typeof normalize === "object" && normalize !== null && Array.isArray(p)) {
    const [lo, hi] = p;
    if (p.length !== 2 || !(lo >= 0) || !(hi <= 100) || !(hi > lo)) {
      throw new RangeError(`normalize.percentile must be [lo, hi] with 0 <= lo < hi <= 100, got ${JSON.stringify(p)}`);
    }
    return { mode: "percentile", range: [lo, hi] };
  }
  throw new TypeError(`normalize must be ${NORMALIZE_HELP}, got ${JSON.stringify(normalize)}`);
}

/** Where the values of one map sit in a flat NHWC array. */
export interface MapLayout {
  height: number;
  width: number;
  /** Values per pixel. */
  stride: number;
  /** The channel drawn; undefined takes the first `colours` channels of each pixel. */
  channel?: number;
  /** Channels per pixel in the statistics when `channel` is undefined. Default: stride. */
  colours?: number;
  /** Pixels at each edge left out. */
  border: number;
}

/** Percentile statistics look at no more than this many values (a fixed stride through larger maps). */
const PERCENTILE_SAMPLE = 1 << 20;

/** Finite values of the layout's interior, every `step`-th. */
function interiorValues(values: ArrayLike<number>, l: MapLayout, step: number): Float32Array {
  const b = l.height > 2 * l.border && l.width > 2 * l.border ? l.border : 0;
  const perPixel = l.channel === undefined ? l.colours ?? l.stride : 1;
  const n = (l.height - 2 * b) * (l.width - 2 * b) * perPixel;
  const out = new Float32Array(Math.ceil(n / step));
  let k = 0, seen = 0;
  for (let y = b; y < l.height - b; y++) {
    for (let x = b; x < l.width - b; x++) {
      const base = (y * l.width + x) * l.stride;
      for (let c = 0; c < perPixel; c++, seen++) {
        if (seen % step) continue;
        const v = values[base + (l.channel ?? c)];
        if (Number.isFinite(v)) out[k++] = v;
      }
    }
  }
  return out.subarray(0, k);
}

/** The p-th percentile (0–100) of sorted values, interpolating linearly as numpy's default does. */
export function percentileOf(sorted: ArrayLike<number>, p: number): number {
  const pos = (p / 100) * (sorted.length - 1);
  const i = Math.floor(pos), f = pos - i;
  return i + 1 < sorted.length ? sorted[i] + (sorted[i + 1] - sorted[i]) * f : sorted[i];
}

/**
 * The p-th percentile of `a` without sorting it all (V8 sorts a million floats in over a
 * second; selection takes milliseconds). Reorders `a`.
 */
export function selectPercentile(a: Float32Array, p: number): number {
  const pos = (p / 100) * (a.length - 1);
  const i = Math.floor(pos), f = pos - i;
  const v = select(a, i);
  if (f === 0 || i + 1 >= a.length) return v;
  // After select(a, i), everything above index i is >= a[i]: the next value is their minimum.
  let next = Infinity;
  for (let k = i + 1; k < a.length; k++) if (a[k] < next) next = a[k];
  return v + (next - v) * f;
}

/** The k-th smallest value of `a` (Hoare's quickselect, median-of-three pivots); reorders `a`. */
function select(a: Float32Array, k: number): number {
  let lo = 0, hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // Median of three as the pivot keeps sorted and constant runs from going quadratic.
    const x = a[lo], y = a[mid], z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/**
 * [lo, hi] of one map under the chosen normalisation. A constant map gets a range of 1 so it
 * draws as its floor; percentiles that coincide (a map that is mostly one value) fall back to
 * the interior's min–max, so the rare pixels that differ still show.
 */
export function valueRange(values: ArrayLike<number>, normalize: Normalization, layout: MapLayout): [number, number] {
  const { mode, range } = checkNormalization(normalize);
  if (mode === "fixed") return range;
  const total = layout.height * layout.width * (layout.channel === undefined ? layout.colours ?? layout.stride : 1);
  const sample = interiorValues(values, layout, mode === "percentile" ? Math.max(1, Math.ceil(total / PERCENTILE_SAMPLE)) : 1);
  if (sample.length === 0) return [0, 1];
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < sample.length; i++) {
    if (sample[i] < lo) lo = sample[i];
    if (sample[i] > hi) hi = sample[i];
  }
  if (mode === "percentile") {
    const plo = selectPercentile(sample, range[0]), phi = selectPercentile(sample, range[1]);
    if (phi > plo) return [plo, phi];
  }
  return hi > lo ? [lo, hi] : [lo, lo + 1];
}

/** The normalisation a map gets by default and the frame its statistics leave out. */
export function resolveDrawing(options: ToRasterOptions, colour: boolean, height: number, width: number): { normalize: Normalization; border: number } {
  const normalize = options.normalize ?? (colour ? "minmax" : "percentile");
  const percentile = normalize === "percentile" || (typeof normalize === "object" && !Array.isArray(normalize));
  const border = options.border ?? (percentile && height >= 3 && width >= 3 ? 1 : 0);
  if (!Number.isInteger(border) || border < 0) throw new RangeError(`border must be a non-negative integer, got ${JSON.stringify(border)}`);
  return { normalize, border };
}

/** [height, width, channels] of a tensor that can be drawn. */
export function mapDims(t: Tensor, name = "tensor"): [number, number, number] {
  const shape = t.shape;
  const dims = shape.length === 4 && shape[0] === 1 ? shape.slice(1) : shape.length === 2 ? [...shape, 1] : shape;
  if (dims.length !== 3) {
    throw new RangeError(`${name} must be [h, w], [h, w, c] or [1, h, w, c], got shape [${shape}]`);
  }
  return dims as [number, number, number];
}

/**
 * Output levels (0–255) of one channel of a map: `out[p]` for pixel p. The step every drawing
 * of a feature map shares (rasters, palette PNGs, grids).
 */
export function mapLevels(values: ArrayLike<number>, layout: MapLayout & { channel: number }, range: [number, number], out = new Uint8Array(layout.height * layout.width)): Uint8Array {
  const [lo, hi] = range;
  const scale = 1 / (hi - lo);
  for (let p = 0, i = layout.channel; p < out.length; p++, i += layout.stride) out[p] = level((values[i] - lo) * scale);
  return out;
}

/**
 * A one-channel drawing of a tensor as output levels plus the colormap's table, or undefined
 * when the tensor draws in its own colours. Encoders write this as a palette or gray PNG:
 * a quarter of the RGBA bytes to compress, the same pixels.
 */
export function tensorToLevels(t: Tensor, options: ToRasterOptions = {}): Levels | undefined {
  const [height, width, c] = mapDims(t);
  if (options.channel === undefined && (c === 3 || c === 4)) return undefined;
  const { normalize, border } = resolveDrawing(options, false, height, width);
  const channel = options.channel ?? 0;
  if (!Number.isInteger(channel) || channel < 0 || channel >= c) {
    throw new RangeError(`channel must be an integer in [0, ${c - 1}], got ${channel}`);
  }
  const colormap = checkColormap(options.colormap ?? "gray");
  const values = t.dataSync();
  const layout = { height, width, stride: c, channel, border };
  return { width, height, colormap, levels: mapLevels(values, layout, valueRange(values, normalize, layout)) };
}

export interface Levels {
  width: number;
  height: number;
  levels: Uint8Array;
  colormap: ColormapName;
}

/**
 * Coloured levels as RGBA pixels, box-averaged down to `height` rows when that is smaller (a
 * contact sheet's panel), so a large map never exists as a full-size RGBA picture.
 */
export function levelsToRaster(d: Levels, height = d.height): Raster {
  const table = colormapTable(d.colormap);
  const h = Math.max(1, Math.min(d.height, Math.round(height)));
  const w = h === d.height ? d.width : Math.max(1, Math.round((d.width * h) / d.height));
  const data = new Uint8Array(w * h * 4);
  if (h === d.height) {
    for (let p = 0; p < d.levels.length; p++) {
      const i = d.levels[p] * 3, o = p * 4;
      data[o] = table[i];
      data[o + 1] = table[i + 1];
      data[o + 2] = table[i + 2];
      data[o + 3] = 255;
    }
    return { width: w, height: h, data };
  }
  const sx = d.width / w, sy = d.height / h;
  for (let y = 0; y < h; y++) {
    const y0 = Math.floor(y * sy), y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy));
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor(x * sx), x1 = Math.max(x0 + 1, Math.floor((x + 1) * sx));
      let r = 0, g = 0, b = 0;
      for (let v = y0; v < y1; v++) {
        for (let u = x0; u < x1; u++) {
          const i = d.levels[v * d.width + u] * 3;
          r += table[i];
          g += table[i + 1];
          b += table[i + 2];
        }
      }
      const n = (y1 - y0) * (x1 - x0), o = (y * w + x) * 4;
      data[o] = Math.round(r / n);
      data[o + 1] = Math.round(g / n);
      data[o + 2] = Math.round(b / n);
      data[o + 3] = 255;
    }
  }
  return { width: w, height: h, data };
}

/** A tensor ([h, w], [h, w, c] or [1, h, w, c]) as RGBA pixels. */
export function tensorToRaster(t: Tensor, options: ToRasterOptions = {}): Raster {
  const [height, width, c] = mapDims(t);
  const asColour = options.channel === undefined && (c === 3 || c === 4);
  if (asColour) {
    const data = new Uint8Array(width * height * 4);
    const { normalize, border } = resolveDrawing(options, true, height, width);
    const values = t.dataSync();
    const [lo, hi] = valueRange(values, normalize, { height, width, stride: c, colours: 3, border });
    for (let p = 0; p < width * height; p++) {
      for (let k = 0; k < 3; k++) data[p * 4 + k] = level((values[p * c + k] - lo) / (hi - lo));
      data[p * 4 + 3] = c === 4 ? level(values[p * c + 3]) : 255;
    }
    return { width, height, data };
  }
  return levelsToRaster(tensorToLevels(t, options)!);
}
