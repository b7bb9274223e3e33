/// <reference types="node" />
/**
 * simdconv/image for Node, Deno and Bun: PNG through pngjs and JPEG through jpeg-js, both
 * pure JavaScript, so nothing native has to be built or downloaded (see docs/design.md for
 * the comparison with sharp).
 */
import jpeg from "jpeg-js";
import pngjs from "pngjs";
import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import * as zlib from "node:zlib";
import { constants as zlibConstants, deflateSync } from "node:zlib";
import type { Tensor } from "../index.js";
import { colormapTable, setDrawKernels, tensorToLevels, tensorToRaster, type Levels, type ToRasterOptions } from "./colormap.js";
import { wasmDrawKernels } from "./kernels_wasm.js";
import {
  featureMapGridRaster, featureMapGridSvg, kernelGridRaster, kernelGridSvg, type FeatureMapGridOptions, type KernelGridOptions,
} from "./grid.js";
import { writePngFile, writePngFileAsync, type Deflate, type PngImage } from "./png.js";
import { checkRaster, rasterToTensor, type Raster, type ToTensorOptions } from "./raster.js";
import { checkMaxPixels, checkSize, DamagedImageError, orientRaster, readHeader } from "./header.js";
import { kernelRaster, kernelSvg, type KernelPictureOptions } from "./show_kernel.js";
import type { KernelValues } from "./kernels.js";

export * from "./common.js";

const { PNG } = pngjs;

// One-channel maps are ranged, levelled and shrunk by assembly/image's kernels here: the same
// pixels as the JavaScript loops, several times faster (docs/performance.md, "Image codecs").
setDrawKernels(wasmDrawKernels);

export { sniffFormat, readHeader, hasAlpha, DamagedImageError, DEFAULT_MAX_PIXELS, type ImageFormat, type ImageHeader } from "./header.js";

export interface DecodeOptions {
  /** Largest image decoded, in pixels, checked against the file's header before any allocation. Default 100 MP. */
  maxPixels?: number;
  /** 'exif' (default) turns the picture upright as its EXIF orientation says; 'ignore' keeps the stored pixels. */
  orientation?: "exif" | "ignore";
  /** Where warnings go (a damaged JPEG decoded as far as it goes). Default console.warn. */
  onWarning?: (message: string) => void;
}

/** The most a deflate stream can expand: 1032 to 1. A PNG claiming more pixels than that is truncated or lying. */
const DEFLATE_MAX_RATIO = 1032;

/**
 * Decodes PNG or JPEG bytes to RGBA pixels, upright. The header's size is checked against
 * `maxPixels` before anything is allocated. A JPEG cut short is decoded as far as its data
 * goes (the rest gray) with a warning; other damage throws a DamagedImageError (a TypeError).
 */
export function decodeRaster(bytes: Uint8Array, options: DecodeOptions = {}): Raster {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`bytes must be a Uint8Array or Buffer, got ${typeof bytes}`);
  const maxPixels = checkMaxPixels(options.maxPixels);
  const orientation = options.orientation ?? "exif";
  if (orientation !== "exif" && orientation !== "ignore") throw new TypeError(`orientation must be 'exif' or 'ignore', got ${JSON.stringify(orientation)}`);
  const header = readHeader(bytes);
  checkSize(header, maxPixels);
  const { format, width, height } = header;
  let raster: Raster;
  if (format === "png") {
    if (width * height > bytes.length * DEFLATE_MAX_RATIO) {
      throw new DamagedImageError(`the PNG file is damaged: ${bytes.length} bytes cannot hold ${width}×${height} pixels (truncated?)`);
    }
    try {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      raster = { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
    } catch (e) {
      throw new DamagedImageError(`the PNG file is damaged: ${messageOf(e)}`);
    }
  } else {
    raster = decodeJpeg(bytes, width * height, options.onWarning ?? ((m) => console.warn(m)));
  }
  if (raster.width !== width || raster.height !== height) {
    throw new DamagedImageError(`the ${format.toUpperCase()} file is damaged: its header says ${width}×${height}, its data ${raster.width}×${raster.height}`);
  }
  return orientation === "exif" ? orientRaster(raster, header.orientation) : raster;
}

/** The libjpeg-turbo decoder (mozjpeg, compiled to wasm by jSquash). */
interface Mozjpeg {
  decode(bytes: Uint8Array, rotateByExif: boolean): { width: number; height: number; data: Uint8ClampedArray } | null;
}
/** Makes a decoder instance synchronously (once the module is compiled). */
let newMozjpeg: (() => Mozjpeg) | undefined;
let mozjpeg: Mozjpeg | undefined;
let mozjpegLoading: Promise<boolean> | undefined;
/** Where libjpeg's messages go during the current decode. */
let libjpegSays: (m: string) => void = () => {};
/** Past this many pixels an instance is dropped after its decode, so its grown memory goes back. */
const KEEP_INSTANCE_PIXELS = 4_000_000;

/**
 * Loads the wasm JPEG decoder (libjpeg-turbo via jSquash's mozjpeg build, 166 KB): about 5×
 * faster than jpeg-js, and like libjpeg it decodes a damaged file as far as it can. readImage
 * and the CLI call this themselves; call it before decodeImage/decodeRaster to get the fast
 * decoder there too (they use jpeg-js until it is loaded). Resolves to false where the
 * decoder cannot load; jpeg-js then stays in use.
 */
export function initCodecs(): Promise<boolean> {
  mozjpegLoading ??= (async () => {
    try {
      const require = createRequire(import.meta.url);
      const glue = require.resolve("@jsquash/jpeg/codec/dec/mozjpeg_dec.js");
      const wasm = await WebAssembly.compile(await readFile(glue.replace(/\.js$/, ".wasm")));
      const factory = (await import(pathToFileURL(glue).href)).default;
      // With a synchronous instantiateWasm, emscripten fills in the module object before its
      // promise settles, so a fresh instance (after libjpeg aborts on a damaged file) needs no await.
      newMozjpeg = () => {
        const module = {
          noInitialRun: true,
          instantiateWasm(imports: WebAssembly.Imports, done: (i: WebAssembly.Instance) => void) {
            const instance = new WebAssembly.Instance(wasm, imports);
            done(instance);
            return instance.exports;
          },
          print: (m: string) => libjpegSays(m),
          printErr: (m: string) => libjpegSays(m),
        } as unknown as Mozjpeg;
        factory(module).catch(() => {});
        if (typeof module.decode !== "function") throw new Error("the wasm JPEG decoder did not start");
        return module;
      };
      mozjpeg = newMozjpeg();
      return true;
    } catch {
      newMozjpeg = undefined;
      return false;
    }
  })();
  return mozjpegLoading;
}

function decodeJpeg(bytes: Uint8Array, pixels: number, warn: (m: string) => void): Raster {
  if (newMozjpeg) {
    const said: string[] = [];
    libjpegSays = (m) => said.push(m.trim());
    let img: ReturnType<Mozjpeg["decode"]> = null;
    try {
      mozjpeg ??= newMozjpeg();
      img = mozjpeg.decode(bytes, false);
    } catch {
      mozjpeg = undefined; // libjpeg gave up (exit or abort): that instance is spent
    } finally {
      libjpegSays = () => {};
    }
    if (pixels > KEEP_INSTANCE_PIXELS) mozjpeg = undefined;
    const messages = said.filter((m) => m && m !== "Aborted()").join("; ");
    if (img && img.width > 0) {
      if (messages) warn(`warning: the JPEG file is damaged (${messages}); decoded as far as its data goes, the rest is filled in`);
      return { width: img.width, height: img.height, data: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength) };
    }
    throw new DamagedImageError(`the JPEG file is damaged: ${messages || "libjpeg could not decode it"}`);
  }
  // The size was checked already: jpeg-js's own limits must not fire first with options users cannot set.
  const options = { useTArray: true as const, formatAsRGBA: true, tolerantDecoding: true, maxResolutionInMP: Math.ceil(pixels / 1e6) + 1, maxMemoryUsageInMB: 1 << 20 };
  try {
    const img = jpeg.decode(bytes, options);
    return { width: img.width, height: img.height, data: img.data };
  } catch (e) {
    // Cut short inside the scan (a download that stopped): padding zeros and an end marker let
    // jpeg-js finish the blocks, as libjpeg does when it warns "premature end of data".
    let end = bytes.length;
    while (end > 0 && bytes[end - 1] === 0xff) end--;
    const padded = new Uint8Array(end + pixels + 2);
    padded.set(bytes.subarray(0, end));
    padded.set([0xff, 0xd9], end + pixels);
    try {
      const img = jpeg.decode(padded, options);
      warn(`warning: the JPEG file is damaged (${messageOf(e)}); decoded as far as its data goes, the rest is filled in`);
      return { width: img.width, height: img.height, data: img.data };
    } catch {
      throw new DamagedImageError(`the JPEG file is damaged: ${messageOf(e)}`);
    }
  }
}

const messageOf = (e: unknown) => (e as Error)?.message ?? String(e);

/** The part of sharp's API the decoder below uses (sharp is not a dependency). */
export type SharpLike = (input: Uint8Array, options?: { limitInputPixels?: number | false; sequentialRead?: boolean }) => {
  toColourspace(space: string): ReturnType<SharpLike>;
  ensureAlpha(): ReturnType<SharpLike>;
  raw(): ReturnType<SharpLike>;
  toBuffer(options: { resolveWithObject: true }): Promise<{ data: Uint8Array; info: { width: number; height: number; channels: number } }>;
};
let sharpLoading: Promise<SharpLike | undefined> | undefined;

/**
 * sharp (libvips, native), where the program can import it: it decodes a 12 MP JPEG several
 * times faster than the wasm decoder. Resolves to undefined, quietly, where it is absent.
 */
export function loadSharp(): Promise<SharpLike | undefined> {
  sharpLoading ??= import(/* @vite-ignore */ "sharp" as string).then(
    (m: { default?: unknown }) => (typeof m.default === "function" ? (m.default as SharpLike) : undefined),
    () => undefined,
  );
  return sharpLoading;
}

/**
 * decodeRaster's pixels decoded by `sharp` (see loadSharp): the same header checks first
 * (maxPixels), the same EXIF/eXIf orientation (applied here, not by sharp), RGBA with
 * alpha kept as stored. Pixels may differ from the portable decoders' by JPEG rounding.
 * Resolves to undefined when sharp cannot decode the file cleanly (damage, a format it
 * reads differently): decodeRaster then decides, with its warnings and errors.
 */
export async function decodeRasterWithSharp(sharp: SharpLike, bytes: Uint8Array, options: DecodeOptions = {}): Promise<Raster | undefined> {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`bytes must be a Uint8Array or Buffer, got ${typeof bytes}`);
  const maxPixels = checkMaxPixels(options.maxPixels);
  const orientation = options.orientation ?? "exif";
  if (orientation !== "exif" && orientation !== "ignore") throw new TypeError(`orientation must be 'exif' or 'ignore', got ${JSON.stringify(orientation)}`);
  const header = readHeader(bytes);
  checkSize(header, maxPixels);
  let out;
  try {
    // sharp's default failOn ('warning') refuses damaged files, which the portable path reads
    // as far as they go with a warning. Colour-managed: no (`toColourspace` only casts to 8-bit sRGB).
    out = await sharp(bytes, { limitInputPixels: false, sequentialRead: true }).toColourspace("srgb").ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  } catch {
    return undefined;
  }
  const { data, info } = out;
  if (info.channels !== 4 || info.width !== header.width || info.height !== header.height) return undefined;
  const raster = { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  return orientation === "exif" ? orientRaster(raster, header.orientation) : raster;
}

/** Decodes PNG or JPEG bytes to a float32 tensor in [0, 1]: [h, w, c], or [1, h, w, c] with batch. */
export function decodeImage(bytes: Uint8Array, options?: ToTensorOptions & DecodeOptions): Tensor {
  return rasterToTensor(decodeRaster(bytes, options), options);
}

/** Reads a PNG or JPEG file into a tensor (with the wasm JPEG decoder, see initCodecs). */
export async function readImage(path: string, options?: ToTensorOptions & DecodeOptions): Promise<Tensor> {
  await initCodecs();
  return decodeImage(await readFile(path), options);
}

/**
 * zlib at level 3: on feature maps about as small as the default level 6 and 2–3x faster
 * (docs/performance.md, "Image codecs").
 */
const zlibDeflate: Deflate = (raw) => deflateSync(raw, { level: 3 });
/**
 * One byte a pixel (colour-mapped levels): zlib's run-length strategy, 2–3x faster than
 * level 3 and as small or smaller on 12 MP maps, where long matches are rare but runs of
 * one level are not (docs/performance.md, "Image codecs").
 */
const zlibRle: Deflate = (raw) => deflateSync(raw, { level: 3, strategy: zlibConstants.Z_RLE });
/** node:zlib's CRC-32 where it exists (Node 20.15+, 22.2+): native, where ours is a byte at a time in JS. */
const nativeCrc = (zlib as { crc32?: (b: Uint8Array) => number }).crc32;

/**
 * zlibDeflate and zlibRle in libuv's thread pool. One call with Z_FINISH and an output chunk
 * as large as zlib's bound for the input, as deflateSync makes: with Node's default 16 KB
 * chunks each would wait for the (busy) main thread. Same parameters and flush, so the same
 * bytes (tests/image/png-async.test.ts).
 */
function deflateAsync(raw: Uint8Array, options: zlib.ZlibOptions): Promise<Uint8Array> {
  const bound = raw.length + (raw.length >>> 12) + (raw.length >>> 14) + (raw.length >>> 25) + 64;
  return new Promise((resolve, reject) =>
    zlib.deflate(raw, { ...options, flush: zlibConstants.Z_FINISH, chunkSize: Math.max(zlibConstants.Z_DEFAULT_CHUNK, bound) }, (e, out) => (e ? reject(e) : resolve(out))),
  );
}
const zlibDeflateAsync = (raw: Uint8Array) => deflateAsync(raw, { level: 3 });
const zlibRleAsync = (raw: Uint8Array) => deflateAsync(raw, { level: 3, strategy: zlibConstants.Z_RLE });

/** RGBA pixels as the PNG image to write: RGB when every pixel is opaque. */
function rasterPngImage(raster: Raster): PngImage {
  const r = checkRaster(raster, "raster");
  let opaque = true;
  for (let i = 3; i < r.data.length && opaque; i += 4) opaque = r.data[i] === 255;
  if (!opaque) return { width: r.width, height: r.height, colorType: 6, data: r.data };
  const rgb = new Uint8Array(r.width * r.height * 3);
  for (let p = 0, i = 0; i < r.data.length; p += 3, i += 4) (rgb[p] = r.data[i]), (rgb[p + 1] = r.data[i + 1]), (rgb[p + 2] = r.data[i + 2]);
  return { width: r.width, height: r.height, colorType: 2, data: rgb };
}

/** A colour-mapped drawing as a gray or palette PNG image. */
function levelsPngImage({ width, height, levels, colormap }: Levels): PngImage {
  if (colormap === "gray") return { width, height, colorType: 0, data: levels };
  return { width, height, colorType: 3, data: levels, palette: colormapTable(colormap) };
}

/** Encodes RGBA pixels as PNG (RGB when every pixel is opaque). */
export function encodeRasterPng(raster: Raster): Uint8Array {
  return writePngFile(rasterPngImage(raster), zlibDeflate, nativeCrc);
}

/**
 * Encodes a tensor or feature map as PNG, normalised and colour-mapped (see ToRasterOptions).
 * A one-channel drawing is written as gray or palette PNG: one byte per pixel.
 */
export function encodePng(image: Tensor | Raster, options?: ToRasterOptions): Uint8Array {
  if (isRaster(image)) return encodeRasterPng(image);
  const drawn = tensorToLevels(image, options);
  return drawn ? encodeLevelsPng(drawn) : encodeRasterPng(tensorToRaster(image, options));
}

/**
 * encodePng's bytes, compressed off the main thread: the image is drawn before this returns
 * (the tensor may be disposed then), the promise settles when zlib is done.
 */
export async function encodePngAsync(image: Tensor | Raster, options?: ToRasterOptions): Promise<Uint8Array> {
  if (isRaster(image)) return writePngFileAsync(rasterPngImage(image), zlibDeflateAsync, nativeCrc);
  const drawn = tensorToLevels(image, options);
  return drawn ? encodeLevelsPngAsync(drawn) : writePngFileAsync(rasterPngImage(tensorToRaster(image, options)), zlibDeflateAsync, nativeCrc);
}

/** A colour-mapped drawing (see tensorToLevels) as a gray or palette PNG. */
export function encodeLevelsPng(levels: Levels): Uint8Array {
  return writePngFile(levelsPngImage(levels), zlibRle, nativeCrc);
}

/** encodeLevelsPng's bytes, compressed in the thread pool; `levels` may be reused once this returns. */
export async function encodeLevelsPngAsync(levels: Levels): Promise<Uint8Array> {
  return writePngFileAsync(levelsPngImage(levels), zlibRleAsync, nativeCrc);
}

/** Every channel of a feature map as a grid of small colour-mapped pictures: PNG bytes, or SVG text. */
export function featureMapGrid(t: Tensor, options: FeatureMapGridOptions & { format: "svg" }): string;
export function featureMapGrid(t: Tensor, options?: FeatureMapGridOptions & { format?: "png" }): Uint8Array;
export function featureMapGrid(t: Tensor, options: FeatureMapGridOptions & { format?: "png" | "svg" } = {}): Uint8Array | string {
  const format = checkFormat(options.format);
  return format === "svg" ? featureMapGridSvg(t, options, zlibDeflate) : encodeRasterPng(featureMapGridRaster(t, options));
}

/** A first layer's kernels (HWIO weights) as a grid of small pictures, RGB when they read RGB: PNG bytes, or SVG text. */
export function kernelGrid(weights: Tensor, options: KernelGridOptions & { format: "svg" }): string;
export function kernelGrid(weights: Tensor, options?: KernelGridOptions & { format?: "png" }): Uint8Array;
export function kernelGrid(weights: Tensor, options: KernelGridOptions & { format?: "png" | "svg" } = {}): Uint8Array | string {
  const format = checkFormat(options.format);
  return format === "svg" ? kernelGridSvg(weights, options, zlibDeflate) : encodeRasterPng(kernelGridRaster(weights, options));
}

function checkFormat(format: unknown): "png" | "svg" {
  if (format === undefined) return "png";
  if (format !== "png" && format !== "svg") throw new TypeError(`format must be 'png' or 'svg', got ${JSON.stringify(format)}`);
  return format;
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
  await writeFile(path, await encodePngAsync(image, options));
}

/** The lesson's show_kernel: a PNG (bytes) or an SVG (text) of the kernel with its values. */
export function showKernel(kernel: KernelValues, options: KernelPictureOptions & { format: "svg" }): string;
export function showKernel(kernel: KernelValues, options?: KernelPictureOptions & { format?: "png" }): Uint8Array;
export function showKernel(kernel: KernelValues, options: KernelPictureOptions & { format?: "png" | "svg" } = {}): Uint8Array | string {
  if (checkFormat(options.format) === "svg") return kernelSvg(kernel, options);
  return encodeRasterPng(kernelRaster(kernel, options));
}

function isRaster(v: unknown): v is Raster {
  return typeof v === "object" && v !== null && "data" in v && "width" in v && !("shape" in v);
}
