/**
 * Feature maps to pictures: normalise float values to [0, 1], then colour them. Colormaps
 * are a few anchor colours interpolated linearly, which is indistinguishable from the
 * 256-entry tables at the sizes we draw.
 */
import type { Tensor } from "../index.js";
import type { Raster } from "./raster.js";

export type ColormapName = "gray" | "magma";

/** 'minmax' stretches each map's own range to [0, 1]; [lo, hi] fixes it (values outside are clipped). */
export type Normalization = "minmax" | [number, number];

export interface ToRasterOptions {
  /** Default 'minmax', as matplotlib's imshow does. */
  normalize?: Normalization;
  /** For one-channel maps. Default 'gray'. RGB(A) tensors keep their colours. */
  colormap?: ColormapName;
  /** Which channel of a multi-channel tensor to draw as a feature map; default: all when 3 or 4, else 0. */
  channel?: number;
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

export function colormapColor(name: ColormapName, t: number): [number, number, number] {
  if (name === "gray") {
    const v = Math.round(Math.min(1, Math.max(0, Number.isNaN(t) ? 0 : t)) * 255);
    return [v, v, v];
  }
  return ramp(MAGMA, t);
}

function checkColormap(name: unknown): ColormapName {
  if (!COLORMAPS.includes(name as ColormapName)) {
    throw new TypeError(`colormap must be ${COLORMAPS.map((c) => `'${c}'`).join(" or ")}, got ${JSON.stringify(name)}`);
  }
  return name as ColormapName;
}

/** [lo, hi] of `values` under the chosen normalisation; a constant map gets a range of 1 so it draws as its floor. */
export function valueRange(values: ArrayLike<number>, normalize: Normalization, stride = 1, offset = 0): [number, number] {
  if (Array.isArray(normalize)) {
    const [lo, hi] = normalize;
    if (normalize.length !== 2 || !Number.isFinite(lo) || !Number.isFinite(hi) || !(hi > lo)) {
      throw new RangeError(`normalize must be 'minmax' or [lo, hi] with finite lo < hi, got ${JSON.stringify(normalize)}`);
    }
    return [lo, hi];
  }
  if (normalize !== "minmax") throw new TypeError(`normalize must be 'minmax' or [lo, hi], got ${JSON.stringify(normalize)}`);
  let lo = Infinity, hi = -Infinity;
  for (let i = offset; i < values.length; i += stride) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi > lo)) return [Number.isFinite(lo) ? lo : 0, (Number.isFinite(lo) ? lo : 0) + 1];
  return [lo, hi];
}

/** A tensor ([h, w], [h, w, c] or [1, h, w, c]) as RGBA pixels. */
export function tensorToRaster(t: Tensor, options: ToRasterOptions = {}): Raster {
  const shape = t.shape;
  const dims = shape.length === 4 && shape[0] === 1 ? shape.slice(1) : shape.length === 2 ? [...shape, 1] : shape;
  if (dims.length !== 3) {
    throw new RangeError(`tensor must be [h, w], [h, w, c] or [1, h, w, c], got shape [${shape}]`);
  }
  const [height, width, c] = dims;
  const normalize = options.normalize ?? "minmax";
  const values = t.dataSync();
  const data = new Uint8Array(width * height * 4);
  const asColour = options.channel === undefined && (c === 3 || c === 4);
  if (asColour) {
    const [lo, hi] = valueRange(values, normalize);
    for (let p = 0; p < width * height; p++) {
      for (let k = 0; k < 3; k++) data[p * 4 + k] = Math.round(clamp01((values[p * c + k] - lo) / (hi - lo)) * 255);
      data[p * 4 + 3] = c === 4 ? Math.round(clamp01(values[p * c + 3]) * 255) : 255;
    }
    return { width, height, data };
  }
  const channel = options.channel ?? 0;
  if (!Number.isInteger(channel) || channel < 0 || channel >= c) {
    throw new RangeError(`channel must be an integer in [0, ${c - 1}], got ${channel}`);
  }
  const colormap = checkColormap(options.colormap ?? "gray");
  const [lo, hi] = valueRange(values, normalize, c, channel);
  for (let p = 0; p < width * height; p++) {
    const rgb = colormapColor(colormap, (values[p * c + channel] - lo) / (hi - lo));
    data.set(rgb, p * 4);
    data[p * 4 + 3] = 255;
  }
  return { width, height, data };
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : Number.isNaN(v) ? 0 : v);
