/**
 * The lesson's pipeline (filter → detect → condense) and the contact sheet that shows its
 * steps side by side. Shared by the CLI, the demo and the web page.
 */
import { conv2d, maxPool, relu, type Tensor } from "../index.js";
import { levelsToRaster, tensorToLevels, type ColormapName, type Levels, type Normalization } from "./colormap.js";
import { drawText, GLYPH_HEIGHT, textWidth } from "./font.js";
import { kernelTensor, type KernelValues } from "./kernels.js";
import { blit, newRaster, resizeRaster, type Raster } from "./raster.js";
import { kernelRaster } from "./show_kernel.js";

export interface ExtractOptions {
  kernel: KernelValues;
  /** conv2d stride. Default 1. */
  stride?: number;
  /** Detect: apply ReLU to the filtered map. */
  relu?: boolean;
  /** Condense: max pooling with an N×N window and stride N, SAME padding. 0 or undefined skips it. */
  pool?: number;
}

export interface FeatureMaps {
  /** The filtered map: conv2d(input, kernel, stride, 'same'). */
  filtered: Tensor;
  /** relu(filtered), when asked for. */
  detected?: Tensor;
  /** maxPool of the last map, when asked for. */
  condensed?: Tensor;
  /** Milliseconds per step. */
  times: { filter: number; detect?: number; condense?: number };
  /** Rows and columns at each edge of each map that SAME padding's zeros reached. */
  borders: { filtered: number; condensed?: number };
}

/**
 * How many output rows or columns at an edge see SAME padding's zeros: the padding before the
 * image is floor((k − 1) / 2) and after it at most ceil((k − 1) / 2), spread over the stride.
 */
export function sameBorder(kernelSize: number, stride = 1): number {
  return Math.ceil(Math.ceil((kernelSize - 1) / 2) / stride);
}

const now = (): number => (typeof performance !== "undefined" ? performance.now() : Date.now());

function positiveInt(v: unknown, name: string, min: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > 1024) {
    throw new RangeError(`${name} must be an integer in [${min}, 1024], got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Runs the pipeline on a one-channel image, [h, w, 1] or [1, h, w, 1]. The caller disposes the maps. */
export function extractFeatures(image: Tensor, options: ExtractOptions): FeatureMaps {
  const stride = positiveInt(options.stride ?? 1, "stride", 1);
  const pool = positiveInt(options.pool ?? 0, "pool", 0);
  if (image.shape[image.shape.length - 1] !== 1) {
    throw new RangeError(`image must have one channel (convert it with channels: 'gray'), got shape [${image.shape}]`);
  }
  const filter = kernelTensor(options.kernel);
  try {
    let t0 = now();
    const filtered = conv2d(image, filter, stride, "same");
    const times: FeatureMaps["times"] = { filter: now() - t0 };
    const border = sameBorder(Math.max(options.kernel.length, options.kernel[0].length), stride);
    const maps: FeatureMaps = { filtered, times, borders: { filtered: border } };
    if (options.relu) {
      t0 = now();
      maps.detected = relu(filtered);
      times.detect = now() - t0;
    }
    if (pool > 0) {
      t0 = now();
      maps.condensed = maxPool(maps.detected ?? filtered, pool, pool, "same");
      times.condense = now() - t0;
      maps.borders.condensed = Math.ceil(border / pool);
    }
    return maps;
  } finally {
    filter.dispose();
  }
}

/** A step of the pipeline, named as its panel is labelled. */
export type Step = "filter" | "detect" | "condense";

/**
 * The pipeline one map at a time, for large images: `onMap` gets each map as soon as it exists
 * (with the rows SAME padding reached at its edges) and must be done with it when it returns;
 * each map is disposed once the next is made from it, and `image` once it is filtered. So two
 * full-size maps exist at most, where `extractFeatures` keeps the input and three maps.
 * Takes ownership of `image`. Returns the milliseconds per step.
 */
export function streamFeatures(image: Tensor, options: ExtractOptions, onMap: (step: Step, map: Tensor, border: number) => void): FeatureMaps["times"] {
  const stride = positiveInt(options.stride ?? 1, "stride", 1);
  const pool = positiveInt(options.pool ?? 0, "pool", 0);
  let last: Tensor = image;
  try {
    if (image.shape[image.shape.length - 1] !== 1) {
      throw new RangeError(`image must have one channel (convert it with channels: 'gray'), got shape [${image.shape}]`);
    }
    const filter = kernelTensor(options.kernel);
    let t0 = now();
    try {
      last = conv2d(image, filter, stride, "same");
    } finally {
      filter.dispose();
      image.dispose();
    }
    const times: FeatureMaps["times"] = { filter: now() - t0 };
    const border = sameBorder(Math.max(options.kernel.length, options.kernel[0].length), stride);
    onMap("filter", last, border);
    if (options.relu) {
      t0 = now();
      const detected = relu(last);
      last.dispose();
      last = detected;
      last.ptr(); // computed now, so its time is the step's
      times.detect = now() - t0;
      onMap("detect", last, border);
    }
    if (pool > 0) {
      t0 = now();
      const condensed = maxPool(last, pool, pool, "same");
      last.dispose();
      last = condensed;
      last.ptr();
      times.condense = now() - t0;
      onMap("condense", last, Math.ceil(border / pool));
    }
    return times;
  } finally {
    last.dispose();
  }
}

export interface Panel {
  label: string;
  raster: Raster;
}

export interface PanelOptions {
  kernelName: string;
  kernel: KernelValues;
  colormap?: ColormapName;
  /** Digits to round kernel values to in its picture. */
  digits?: number;
  /** Default 'percentile', its statistics taken inside the frame SAME padding made. */
  normalize?: Normalization;
  /** Draw the pictures at most this many rows high (a contact sheet's panels). Default: full size. */
  height?: number;
  /** Called with each map's full-size levels as it is drawn (the CLI writes them as PNG files). */
  onLevels?: (label: string, levels: Levels) => void;
}

/** How one map of a run is drawn: the chosen normalisation, percentiles left blind to the padded frame. */
export function mapDrawing(maps: FeatureMaps, which: "filtered" | "detected" | "condensed", options: { colormap?: ColormapName; normalize?: Normalization }) {
  const normalize = options.normalize ?? "percentile";
  const percentile = normalize === "percentile" || (typeof normalize === "object" && !Array.isArray(normalize));
  const border = which === "condensed" ? maps.borders.condensed ?? 0 : maps.borders.filtered;
  return { colormap: options.colormap ?? "magma", normalize, border: percentile ? border : 0 };
}

/** The pictures of one run: input (gray), each map (colormapped), then the kernel. */
export function featurePanels(input: Tensor, maps: FeatureMaps, options: PanelOptions): Panel[] {
  const draw = (label: string, t: Tensor, drawing: Parameters<typeof tensorToLevels>[1]): Panel => {
    const levels = tensorToLevels(t, drawing)!;
    options.onLevels?.(label, levels);
    return { label, raster: levelsToRaster(levels, options.height) };
  };
  const panels: Panel[] = [draw("input", input, { colormap: "gray", normalize: [0, 1] })];
  panels.push(draw("filter", maps.filtered, mapDrawing(maps, "filtered", options)));
  if (maps.detected) panels.push(draw("detect", maps.detected, mapDrawing(maps, "detected", options)));
  if (maps.condensed) panels.push(draw("condense", maps.condensed, mapDrawing(maps, "condensed", options)));
  panels.push({ label: `kernel ${options.kernelName}`, raster: kernelRaster(options.kernel, { digits: options.digits }) });
  return panels;
}

const INK = [24, 24, 24];
const MARGIN = 16;
const LABEL_SCALE = 2;

/** Puts panels side by side at a common height, each with its label above, on white. */
export function contactSheet(panels: Panel[], options: { height?: number; title?: string } = {}): Raster {
  const height = options.height ?? 240;
  const scaled = panels.map((p) => {
    const w = Math.max(1, Math.round((p.raster.width * height) / Math.max(1, p.raster.height)));
    return { label: p.label, raster: resizeRaster(p.raster, w, height) };
  });
  const labelH = GLYPH_HEIGHT * LABEL_SCALE + 8;
  const titleH = options.title ? labelH + 8 : 0;
  const panelsWidth = scaled.reduce((s, p) => s + p.raster.width, 0) + MARGIN * (scaled.length + 1);
  const width = Math.max(panelsWidth, options.title ? textWidth(options.title, LABEL_SCALE) + 2 * MARGIN : 0);
  const sheet = newRaster(width, MARGIN * 2 + titleH + labelH + height, [255, 255, 255, 255]);
  if (options.title) drawText(sheet, options.title, MARGIN, MARGIN, LABEL_SCALE, INK);
  let x = MARGIN;
  const y = MARGIN + titleH;
  for (const p of scaled) {
    drawText(sheet, p.label, x, y, LABEL_SCALE, INK);
    blit(sheet, p.raster, x, y + labelH);
    x += p.raster.width + MARGIN;
  }
  return sheet;
}
