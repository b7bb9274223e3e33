/**
 * simdconv/image's types where the environment is not known: TypeScript's `bundler` resolution
 * (and any other without the `node` or `browser` condition) reads these. They declare both
 * builds' exports, so a Node program keeps readImage and writePng and a page keeps fromPixels
 * and toCanvas; at run time each environment has only its own (the Node codecs under `node`,
 * the canvas functions elsewhere), as each function's comment says.
 */
import type { Tensor } from "../index.js";
import type { AnyCanvas } from "./browser.js";
import type { FeatureMapGridOptions, KernelGridOptions, KernelPictureOptions, KernelValues } from "./common.js";

export * from "./common.js";
/** Node, Deno and Bun only (the `node` export condition). */
export {
  sniffFormat, readHeader, hasAlpha, DamagedImageError, DEFAULT_MAX_PIXELS, initCodecs, decodeRaster, decodeImage, readImage, loadSharp, decodeRasterWithSharp,
  encodeRasterPng, encodePng, encodePngAsync, encodeLevelsPng, encodeLevelsPngAsync, encodeJpeg, writePng,
  type ImageFormat, type ImageHeader, type DecodeOptions, type SharpLike,
} from "./node.js";
/** Browsers and workers only. */
export { toRaster, fromPixels, toImageData, toCanvas, type PixelSource, type AnyCanvas } from "./browser.js";

/** The lesson's show_kernel: SVG text anywhere; PNG bytes in Node, Deno and Bun; a canvas in browsers. */
export declare function showKernel(kernel: KernelValues, options: KernelPictureOptions & { format: "svg" }): string;
export declare function showKernel(kernel: KernelValues, options: KernelPictureOptions & { format: "png" }): Uint8Array;
export declare function showKernel(kernel: KernelValues, options: KernelPictureOptions & { format: "canvas"; canvas?: AnyCanvas }): AnyCanvas;
export declare function showKernel(kernel: KernelValues, options?: KernelPictureOptions): Uint8Array | AnyCanvas;

/** Every channel of a feature map as a grid: SVG text anywhere; PNG bytes in Node, Deno and Bun; a canvas in browsers. */
export declare function featureMapGrid(t: Tensor, options: FeatureMapGridOptions & { format: "svg" }): string;
export declare function featureMapGrid(t: Tensor, options: FeatureMapGridOptions & { format: "png" }): Uint8Array;
export declare function featureMapGrid(t: Tensor, options: FeatureMapGridOptions & { format: "canvas"; canvas?: AnyCanvas }): AnyCanvas;
export declare function featureMapGrid(t: Tensor, options?: FeatureMapGridOptions): Uint8Array | AnyCanvas;

/** A first layer's kernels as a grid: SVG text anywhere; PNG bytes in Node, Deno and Bun; a canvas in browsers. */
export declare function kernelGrid(weights: Tensor, options: KernelGridOptions & { format: "svg" }): string;
export declare function kernelGrid(weights: Tensor, options: KernelGridOptions & { format: "png" }): Uint8Array;
export declare function kernelGrid(weights: Tensor, options: KernelGridOptions & { format: "canvas"; canvas?: AnyCanvas }): AnyCanvas;
export declare function kernelGrid(weights: Tensor, options?: KernelGridOptions): Uint8Array | AnyCanvas;
