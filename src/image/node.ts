/// <reference types="node" />
/**
 * simdconv/image for Node, Deno and Bun: PNG through pngjs and JPEG through jpeg-js, both
 * pure JavaScript, so nothing native has to be built or downloaded (see docs/design.md for
 * the comparison with sharp).
 */
import jpeg from "jpeg-js";
import pngjs from "pngjs";
import { readFile, writeFile } from "node:fs/promises";
import type { Tensor } from "../index.js";
import { tensorToRaster, type ToRasterOptions } from "./colormap.js";
import { checkRaster, rasterToTensor, type Raster, type ToTensorOptions } from "./raster.js";
import { kernelRaster, kernelSvg, type KernelPictureOptions } from "./show_kernel.js";
import type { KernelValues } from "./kernels.js";

export * from "./common.js";

const { PNG } = pngjs;

/** Largest image decoded, in megapixels: a guard against decompression bombs. */
const MAX_MEGAPIXELS = 100;

export type ImageFormat = "png" | "jpeg";

/** The format from the file's first bytes, or undefined. */
export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return "png";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  return undefined;
}

/** Decodes PNG or JPEG bytes to RGBA pixels. Throws a TypeError for anything else or a corrupt file. */
export function decodeRaster(bytes: Uint8Array): Raster {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`bytes must be a Uint8Array or Buffer, got ${typeof bytes}`);
  const format = sniffFormat(bytes);
  if (!format) throw new TypeError("bytes are not a PNG or JPEG image");
  try {
    if (format === "png") {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
    }
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_MEGAPIXELS, maxMemoryUsageInMB: 1024 });
    return { width: img.width, height: img.height, data: img.data };
  } catch (e) {
    throw new TypeError(`cannot decode the ${format.toUpperCase()} image: ${(e as Error).message ?? e}`);
  }
}

/** Decodes PNG or JPEG bytes to a float32 tensor in [0, 1]: [h, w, c], or [1, h, w, c] with batch. */
export function decodeImage(bytes: Uint8Array, options?: ToTensorOptions): Tensor {
  return rasterToTensor(decodeRaster(bytes), options);
}

/** Reads a PNG or JPEG file into a tensor. */
export async function readImage(path: string, options?: ToTensorOptions): Promise<Tensor> {
  return decodeImage(await readFile(path), options);
}

/** Encodes RGBA pixels as PNG. */
export function encodeRasterPng(raster: Raster): Uint8Array {
  const r = checkRaster(raster, "raster");
  const png = new PNG({ width: r.width, height: r.height });
  png.data = Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength);
  const out = PNG.sync.write(png, { colorType: 6 });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Encodes a tensor or feature map as PNG, normalised and colour-mapped (see ToRasterOptions). */
export function encodePng(image: Tensor | Raster, options?: ToRasterOptions): Uint8Array {
  return encodeRasterPng(isRaster(image) ? image : tensorToRaster(image, options));
}

/** Encodes a tensor or RGBA pixels as JPEG (quality 1–100, default 90). */
export function encodeJpeg(image: Tensor | Raster, options: ToRasterOptions & { quality?: number } = {}): Uint8Array {
  const r = isRaster(image) ? checkRaster(image, "image") : tensorToRaster(image, options);
  const quality = options.quality ?? 90;
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) throw new RangeError(`quality must be an integer in [1, 100], got ${quality}`);
  const out = jpeg.encode({ width: r.width, height: r.height, data: r.data }, quality).data;
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Writes a tensor or RGBA pixels to a PNG file. */
export async function writePng(path: string, image: Tensor | Raster, options?: ToRasterOptions): Promise<void> {
  await writeFile(path, encodePng(image, options));
}

/** The lesson's show_kernel: a PNG (bytes) or an SVG (text) of the kernel with its values. */
export function showKernel(kernel: KernelValues, options: KernelPictureOptions & { format: "svg" }): string;
export function showKernel(kernel: KernelValues, options?: KernelPictureOptions & { format?: "png" }): Uint8Array;
export function showKernel(kernel: KernelValues, options: KernelPictureOptions & { format?: "png" | "svg" } = {}): Uint8Array | string {
  const format = options.format ?? "png";
  if (format === "svg") return kernelSvg(kernel, options);
  if (format !== "png") throw new TypeError(`format must be 'png' or 'svg', got ${JSON.stringify(format)}`);
  return encodeRasterPng(kernelRaster(kernel, options));
}

function isRaster(v: unknown): v is Raster {
  return typeof v === "object" && v !== null && "data" in v && "width" in v && !("shape" in v);
}
