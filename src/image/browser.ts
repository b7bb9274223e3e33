/**
 * simdconv/image for browsers (and workers): pixels come from and go to the platform's own
 * ImageData and canvases, so no codec is bundled.
 */
import type { Tensor } from "../index.js";
import { tensorToRaster, type ToRasterOptions } from "./colormap.js";
import { checkRaster, rasterToTensor, type Raster, type ToTensorOptions } from "./raster.js";
import { kernelRaster, kernelSvg, type KernelPictureOptions } from "./show_kernel.js";
import {
  featureMapGridRaster, featureMapGridSvg, kernelGridRaster, kernelGridSvg, type FeatureMapGridOptions, type KernelGridOptions,
} from "./grid.js";
import type { KernelValues } from "./kernels.js";

export * from "./common.js";

/** Anything a 2-D canvas can draw. */
export type PixelSource = ImageData | HTMLImageElement | HTMLCanvasElement | OffscreenCanvas | ImageBitmap;
export type AnyCanvas = HTMLCanvasElement | OffscreenCanvas;

function scratchCanvas(width: number, height: number): AnyCanvas {
  if (typeof OffscreenCanvas !== "undefined") return new OffscreenCanvas(width, height);
  if (typeof document === "undefined") throw new TypeError("this runtime has no canvas: pass ImageData or { width, height, data }");
  const c = document.createElement("canvas");
  c.width = width;
  c.height = height;
  return c;
}

function context2d(canvas: AnyCanvas): CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D {
  const ctx = canvas.getContext("2d", { willReadFrequently: true }) as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
  if (!ctx) throw new TypeError("canvas has no 2d context (it may already have a WebGL one)");
  return ctx;
}

/** RGBA pixels of an image, canvas, bitmap or ImageData. */
export function toRaster(source: PixelSource | Raster): Raster {
  if (typeof source !== "object" || source === null) {
    throw new TypeError(`source must be ImageData, an HTMLImageElement, a canvas or an ImageBitmap, got ${source === null ? "null" : typeof source}`);
  }
  if ("data" in source) return checkRaster(source, "source"); // ImageData, or RGBA pixels from elsewhere
  const width = (source as HTMLImageElement).naturalWidth || source.width;
  const height = (source as HTMLImageElement).naturalHeight || source.height;
  if (!width || !height) {
    throw new TypeError("source has no pixels yet (an HTMLImageElement must be loaded: await img.decode())");
  }
  const ctx = context2d(scratchCanvas(width, height));
  ctx.drawImage(source as CanvasImageSource, 0, 0);
  const img = ctx.getImageData(0, 0, width, height);
  return { width, height, data: img.data };
}

/** Pixels to a float32 tensor in [0, 1] (TensorFlow.js's `browser.fromPixels`, scaled as `convert_image_dtype` does). */
export function fromPixels(source: PixelSource | Raster, options?: ToTensorOptions): Tensor {
  return rasterToTensor(toRaster(source), options);
}

/** A tensor or feature map as ImageData, normalised and colour-mapped. */
export function toImageData(image: Tensor | Raster, options?: ToRasterOptions): ImageData {
  const r = "shape" in image ? tensorToRaster(image, options) : image;
  const pixels = new Uint8ClampedArray(r.data.length); // a copy: ImageData wants its own ArrayBuffer
  pixels.set(r.data);
  return new ImageData(pixels, r.width, r.height);
}

/**
 * Draws a tensor, feature map or raster on the given canvas (resized to fit it), or on a new
 * one: an OffscreenCanvas where the platform has it (to show it, draw it onto a canvas in the
 * page, or pass that canvas here), else an HTMLCanvasElement.
 */
export function toCanvas<C extends AnyCanvas>(image: Tensor | Raster, canvas: C, options?: ToRasterOptions): C;
export function toCanvas(image: Tensor | Raster, canvas?: AnyCanvas, options?: ToRasterOptions): AnyCanvas;
export function toCanvas(image: Tensor | Raster, canvas?: AnyCanvas, options?: ToRasterOptions): AnyCanvas {
  const data = toImageData(image, options);
  const target = canvas ?? scratchCanvas(data.width, data.height);
  target.width = data.width;
  target.height = data.height;
  context2d(target).putImageData(data, 0, 0);
  return target;
}

/** The lesson's show_kernel: an SVG document, or a canvas with the picture. */
export function showKernel(kernel: KernelValues, options: KernelPictureOptions & { format: "svg" }): string;
export function showKernel(kernel: KernelValues, options?: KernelPictureOptions & { format?: "canvas"; canvas?: AnyCanvas }): AnyCanvas;
export function showKernel(
  kernel: KernelValues,
  options: KernelPictureOptions & { format?: "svg" | "canvas"; canvas?: AnyCanvas } = {},
): string | AnyCanvas {
  if (options.format === "svg") return kernelSvg(kernel, options);
  if (options.format !== undefined && options.format !== "canvas") {
    throw new TypeError(`format must be 'canvas' or 'svg', got ${JSON.stringify(options.format)}`);
  }
  return toCanvas(kernelRaster(kernel, options), options.canvas);
}

/** Every channel of a feature map as a grid of small colour-mapped pictures: a canvas, or an SVG document. */
export function featureMapGrid(t: Tensor, options: FeatureMapGridOptions & { format: "svg" }): string;
export function featureMapGrid(t: Tensor, options?: FeatureMapGridOptions & { format?: "canvas"; canvas?: AnyCanvas }): AnyCanvas;
export function featureMapGrid(t: Tensor, options: FeatureMapGridOptions & { format?: "svg" | "canvas"; canvas?: AnyCanvas } = {}): string | AnyCanvas {
  if (checkFormat(options.format) === "svg") return featureMapGridSvg(t, options);
  return toCanvas(featureMapGridRaster(t, options), options.canvas);
}

/** A first layer's kernels (HWIO weights) as a grid of small pictures, RGB when they read RGB: a canvas, or an SVG document. */
export function kernelGrid(weights: Tensor, options: KernelGridOptions & { format: "svg" }): string;
export function kernelGrid(weights: Tensor, options?: KernelGridOptions & { format?: "canvas"; canvas?: AnyCanvas }): AnyCanvas;
export function kernelGrid(weights: Tensor, options: KernelGridOptions & { format?: "svg" | "canvas"; canvas?: AnyCanvas } = {}): string | AnyCanvas {
  if (checkFormat(options.format) === "svg") return kernelGridSvg(weights, options);
  return toCanvas(kernelGridRaster(weights, options), options.canvas);
}

function checkFormat(format: unknown): "canvas" | "svg" {
  if (format === undefined || format === "canvas" || format === "svg") return format ?? "canvas";
  throw new TypeError(`format must be 'canvas' or 'svg', got ${JSON.stringify(format)}`);
}
