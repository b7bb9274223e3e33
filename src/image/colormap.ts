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

/**
 * Faster loops for one-value-a-pixel maps (the CLI's), installed by simdconv/image in Node
 * (src/image/kernels_wasm.ts, WebAssembly); each gives exactly the JavaScript loop's result.
 */
export interface DrawKernels {
  /** rankedValues' first pass over the interior: counts by the top 16 bits of the sort keys. */
  keyHistogramHigh(values: Float32Array, layout: MapLayout): { high: Uint32Array; count: number; minKey: number; maxKey: number };
  /** Its second pass: for each bin of `bins`, the count of each low 16 bits; undefined when there are too many bins. */
  keyHistogramLow(values: Float32Array, layout: MapLayout, bins: number[]): Uint32Array[] | undefined;
  /** mapLevels of every value, stride 1. */
  levels(values: Float32Array, lo: number, scale: number, out: Uint8Array): void;
  /** The largest box boxSums sums exactly, in pixels. */
  readonly boxMaxPixels: number;
  /** Per output row (source rows start..end) and column (cellOf), the sums of the table's R, G and B. */
  boxSums(levels: Uint8Array, width: number, rows: { start: number; end: number }[], cellOf: Uint32Array, cells: number, table: Uint8Array): Float64Array[];
}

let drawKernels: () => DrawKernels | null = () => null;

/** Installs (or with null removes) the faster drawing loops; `get` is called at each use and may return null. */
export function setDrawKernels(get: (() => DrawKernels | null) | null): void {
  drawKernels = get ?? (() => null);
}

/** Whether a layout reads one value a pixel, contiguously: the case the DrawKernels take. */
const contiguous = (l: MapLayout): boolean => l.stride === 1 && (l.channel === undefined ? (l.colours ?? 1) === 1 : l.channel === 0);

/**
 * Sort keys: float32 bits turned so that unsigned order is the floats' order (negatives'
 * bits flipped, positives' sign bit set): `(v & 0x80000000 ? ~v : v | 0x80000000) >>> 0`.
 */
const keyScratch = new Uint32Array(1);
const floatOfKey = (key: number): number => {
  keyScratch[0] = key & 0x80000000 ? key & 0x7fffffff : ~key;
  return new Float32Array(keyScratch.buffer)[0];
};

/**
 * Runs `visit` on the float32 bits of each finite value in the layout's interior (NaN and
 * ±Infinity are left out). One loop shape for both passes of `rankedValues`.
 */
function scanInterior(bits: Uint32Array, l: MapLayout, pass: (row: Uint32Array, start: number, end: number, step: number, perPixel: number) => void): void {
  const b = l.height > 2 * l.border && l.width > 2 * l.border ? l.border : 0;
  const perPixel = l.channel === undefined ? l.colours ?? l.stride : 1;
  for (let y = b; y < l.height - b; y++) {
    pass(bits, (y * l.width + b) * l.stride + (l.channel ?? 0), (y * l.width + l.width - b) * l.stride, l.stride, perPixel);
  }
}

/**
 * The values at the given ranks (0 = smallest) of the interior's finite values, exactly, as a
 * full sort would give them, plus their count, minimum and maximum. A radix selection: one pass
 * counts the values by the top 16 bits of a sortable key, a second counts, within the few
 * 16-bit bins that hold a wanted rank, the low 16 bits. Two reads of the map and 256 KB per
 * histogram, where sorting 12 M values takes seconds and a sample would only approximate.
 */
export function rankedValues(values: Float32Array, layout: MapLayout, ranksOf: (count: number) => number[]): { ranked: number[]; count: number; min: number; max: number } {
  const fast = contiguous(layout) ? drawKernels() : null;
  const { high, count, minKey, maxKey } = fast ? fast.keyHistogramHigh(values, layout) : keyHistogramHigh(values, layout);
  if (count === 0) return { ranked: [], count, min: NaN, max: NaN };
  const ranks = ranksOf(count);
  // Which high bin holds each rank, and its rank within that bin.
  const bins: number[] = [], within: number[] = [];
  for (const r of ranks) {
    let bin = 0, below = 0;
    while (below + high[bin] <= r) below += high[bin++];
    bins.push(bin);
    within.push(r - below);
  }
  const distinct = [...new Set(bins)];
  const lows = fast?.keyHistogramLow(values, layout, distinct) ?? keyHistogramLow(values, layout, distinct);
  const ranked = ranks.map((_, j) => {
    const low = lows[distinct.indexOf(bins[j])];
    let lo = 0, below = 0;
    while (below + low[lo] <= within[j]) below += low[lo++];
    return floatOfKey(((bins[j] << 16) | lo) >>> 0) + 0; // + 0 turns -0 into 0, as a sort's comparisons see it
  });
  return { ranked, count, min: floatOfKey(minKey) + 0, max: floatOfKey(maxKey) + 0 };
}

function keyHistogramHigh(values: Float32Array, layout: MapLayout): { high: Uint32Array; count: number; minKey: number; maxKey: number } {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const high = new Uint32Array(65536);
  let count = 0, minKey = 0xffffffff, maxKey = 0;
  scanInterior(bits, layout, (row, start, end, step, perPixel) => {
    for (let i = start; i < end; i += step) {
      for (let c = 0; c < perPixel; c++) {
        const v = row[i + c];
        if ((v & 0x7f800000) === 0x7f800000) continue;
        const k = (v & 0x80000000 ? ~v : v | 0x80000000) >>> 0;
        high[k >>> 16]++;
        count++;
        if (k < minKey) minKey = k;
        if (k > maxKey) maxKey = k;
      }
    }
  });
  return { high, count, minKey, maxKey };
}

function keyHistogramLow(values: Float32Array, layout: MapLayout, distinct: number[]): Uint32Array[] {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const slot = new Int8Array(65536).fill(-1);
  distinct.forEach((bin, i) => (slot[bin] = i));
  const lows = distinct.map(() => new Uint32Array(65536));
  scanInterior(bits, layout, (row, start, end, step, perPixel) => {
    for (let i = start; i < end; i += step) {
      for (let c = 0; c < perPixel; c++) {
        const v = row[i + c];
        if ((v & 0x7f800000) === 0x7f800000) continue;
        const k = (v & 0x80000000 ? ~v : v | 0x80000000) >>> 0;
        const s = slot[k >>> 16];
        if (s >= 0) lows[s][k & 0xffff]++;
      }
    }
  });
  return lows;
}

/** The ranks numpy's linear percentile `p` reads in `count` sorted values: [i] or [i, i + 1], and the fraction between. */
function percentileRanks(count: number, p: number): { ranks: number[]; f: number } {
  const pos = (p / 100) * (count - 1);
  const i = Math.floor(pos), f = pos - i;
  return { ranks: f > 0 && i + 1 < count ? [i, i + 1] : [i], f };
}

/** The p-th percentiles (0–100) of `values`, exact (numpy's linear method), without sorting. */
export function percentiles(values: Float32Array, ps: number[]): number[] {
  const layout = { height: 1, width: values.length, stride: 1, channel: 0, border: 0 };
  return percentilesOf(values, layout, ps).values;
}

function percentilesOf(values: Float32Array, layout: MapLayout, ps: number[]): { values: number[]; count: number; min: number; max: number } {
  let plan: { ranks: number[]; f: number }[] = [];
  const { ranked, count, min, max } = rankedValues(values, layout, (n) => {
    plan = ps.map((p) => percentileRanks(n, p));
    return plan.flatMap((q) => q.ranks);
  });
  if (count === 0) return { values: ps.map(() => NaN), count, min, max };
  let k = 0;
  const out = plan.map(({ ranks, f }) => {
    const a = ranked[k++];
    if (ranks.length === 1) return a;
    const b = ranked[k++];
    return a + (b - a) * f;
  });
  return { values: out, count, min, max };
}

/** Float32 values of a tensor-like array (a copy only when it is not float32 already). */
const asFloat32 = (values: ArrayLike<number>): Float32Array => (values instanceof Float32Array ? values : Float32Array.from(values));

/**
 * [lo, hi] of one map under the chosen normalisation. A constant map gets a range of 1 so it
 * draws as its floor; percentiles that coincide (a map that is mostly one value) fall back to
 * the interior's min–max, so the rare pixels that differ still show.
 */
export function valueRange(values: ArrayLike<number>, normalize: Normalization, layout: MapLayout): [number, number] {
  const { mode, range } = checkNormalization(normalize);
  if (mode === "fixed") return range;
  const { values: [plo, phi], count, min: lo, max: hi } = percentilesOf(asFloat32(values), layout, mode === "percentile" ? range : []);
  if (count === 0) return [0, 1];
  if (mode === "percentile" && phi > plo) return [plo, phi];
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
  const v = asFloat32(values);
  const [lo, hi] = range;
  const scale = 1 / (hi - lo);
  const stride = layout.stride;
  const fast = stride === 1 && layout.channel === 0 ? drawKernels() : null;
  if (fast) {
    fast.levels(v.length === out.length ? v : v.subarray(0, out.length), lo, scale, out);
    return out;
  }
  // level() spelled out, as it runs once per pixel of every map drawn: Math.round costs 3x
  // (x + 0.5) | 0, which equals it but where x + 0.5 rounds up to the next integer.
  for (let p = 0, i = layout.channel, n = out.length; p < n; p++, i += stride) {
    const t = (v[i] - lo) * scale;
    if (t > 0) {
      if (t < 1) {
        const x = t * 255;
        const r = (x + 0.5) | 0;
        out[p] = r - x > 0.5 ? r - 1 : r;
      } else out[p] = 255;
    } else out[p] = 0;
  }
  return out;
}

/**
 * A tensor's values for drawing, read in place in wasm memory (a deferred result is computed
 * into its block first, as any op would): no copy of a large map. Valid until the next
 * allocation, so callers read it at once. The image bundles reach the block through the
 * tensor's fields because they share the main bundle's classes at run time, not its modules.
 */
export function readValues(t: Tensor): Float32Array {
  if (!t.storage) return t.dataSync(); // throws, naming the disposed tensor
  const ptr = t.ptr("tensor", "dataSync");
  return new Float32Array(t.storage.heap.memory.buffer, ptr, t.size);
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
  const values = readValues(t);
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
  // Shrinking, the boxes tile the map: box x covers columns [floor(x·sx), floor((x + 1)·sx)).
  // Sums are kept per output row while source rows stream past, R, G and B packed in one
  // double (17 bits apart, 51 in all: exact up to 514 pixels a box), so each pixel costs one add.
  const { width, levels } = d;
  const sx = width / w, sy = d.height / h;
  const cellOf = new Uint32Array(width);
  const boxW = new Uint32Array(w);
  for (let x = 0; x < w; x++) {
    const x0 = Math.floor(x * sx), x1 = Math.max(x0 + 1, Math.floor((x + 1) * sx));
    cellOf.fill(x, x0, x1);
    boxW[x] = x1 - x0;
  }
  const fast = drawKernels();
  if (fast && Math.ceil(sy) * Math.ceil(sx) <= fast.boxMaxPixels) {
    const rows = Array.from({ length: h }, (_, y) => {
      const start = Math.floor(y * sy);
      return { start, end: Math.max(start + 1, Math.floor((y + 1) * sy)) };
    });
    const [r, g, b] = fast.boxSums(levels, width, rows, cellOf, w, table);
    for (let y = 0, i = 0; y < h; y++) {
      const boxH = rows[y].end - rows[y].start;
      for (let x = 0; x < w; x++, i++) {
        const n = boxH * boxW[x], o = i * 4;
        data[o] = Math.round(r[i] / n);
        data[o + 1] = Math.round(g[i] / n);
        data[o + 2] = Math.round(b[i] / n);
        data[o + 3] = 255;
      }
    }
    return { width: w, height: h, data };
  }
  // Larger boxes (a map over about 25 MP shrunk to a 240-row panel) sum one channel a pass.
  const packing = Math.ceil(sy) * Math.ceil(sx) <= 514;
  const G = 2 ** 17, B = 2 ** 34;
  const packed = new Float64Array(256);
  const acc = new Float64Array(w);
  for (let k = 0; k < (packing ? 1 : 3); k++) {
    for (let i = 0; i < 256; i++) packed[i] = packing ? table[i * 3] + table[i * 3 + 1] * G + table[i * 3 + 2] * B : table[i * 3 + k];
    for (let y = 0; y < h; y++) {
      const y0 = Math.floor(y * sy), y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy));
      acc.fill(0);
      for (let v = y0; v < y1; v++) {
        for (let u = 0, p = v * width; u < width; u++, p++) acc[cellOf[u]] += packed[levels[p]];
      }
      for (let x = 0; x < w; x++) {
        const n = (y1 - y0) * boxW[x], o = (y * w + x) * 4, sum = acc[x];
        data[o + 3] = 255;
        if (!packing) {
          data[o + k] = Math.round(sum / n);
          continue;
        }
        const b = Math.floor(sum / B), g = Math.floor((sum - b * B) / G), r = sum - b * B - g * G;
        data[o] = Math.round(r / n);
        data[o + 1] = Math.round(g / n);
        data[o + 2] = Math.round(b / n);
      }
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
    const values = readValues(t);
    const [lo, hi] = valueRange(values, normalize, { height, width, stride: c, colours: 3, border });
    for (let p = 0; p < width * height; p++) {
      for (let k = 0; k < 3; k++) data[p * 4 + k] = level((values[p * c + k] - lo) / (hi - lo));
      data[p * 4 + 3] = c === 4 ? level(values[p * c + 3]) : 255;
    }
    return { width, height, data };
  }
  return levelsToRaster(tensorToLevels(t, options)!);
}
