/**
 * Rasters: RGBA8 pixels, the one picture format every part of simdconv/image speaks. The
 * codecs (pngjs/jpeg-js in Node, canvas in browsers) and the tensors meet here.
 */
import { tensor, type Tensor } from "../index.js";

/** Pixels as 8-bit RGBA, row-major, 4 bytes per pixel (the layout of ImageData). */
export interface Raster {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** Which channels become the tensor's last dimension. */
export type ChannelSelection = "gray" | "rgb" | "rgba" | "r" | "g" | "b" | "a";

export interface ToTensorOptions {
  /** Default 'rgb'. 'gray' weighs R, G, B as TensorFlow's `rgb_to_grayscale` does. */
  channels?: ChannelSelection;
  /** true gives NHWC [1, h, w, c]; false (default) gives [h, w, c]. */
  batch?: boolean;
  /**
   * What happens to transparency when the channels leave alpha out: 'composite' (default)
   * paints the pixels over `background`, as a browser shows them; 'keep' appends alpha as
   * one more channel. 'rgba' and 'a' always keep it as it is.
   */
  alpha?: "composite" | "keep";
  /** The colour under transparent pixels, RGB bytes. Default white [255, 255, 255]. */
  background?: [number, number, number];
}

/** TensorFlow's rgb_to_grayscale weights (ITU-R BT.601 luma). */
const GRAY_WEIGHTS = [0.2989, 0.587, 0.114];
/** The RGBA byte offsets each selection keeps; 'gray' mixes R, G and B into one channel. */
const CHANNEL_OFFSETS: Record<ChannelSelection, number[]> = {
  gray: [0], rgb: [0, 1, 2], rgba: [0, 1, 2, 3], r: [0], g: [1], b: [2], a: [3],
};

export function newRaster(width: number, height: number, rgba: [number, number, number, number] = [0, 0, 0, 255]): Raster {
  const data = new Uint8Array(width * height * 4);
  // A pixel a write (the sheet is 0.6 MP): the 4 bytes as one word in the host's byte order.
  const px = new Uint8Array(rgba);
  new Uint32Array(data.buffer).fill(new Uint32Array(px.buffer)[0]);
  return { width, height, data };
}

/**
 * Pixels to a float32 tensor in [0, 1], dividing by 255 as TensorFlow's
 * `convert_image_dtype(uint8 → float32)` does. Values are written straight into the tensor's
 * memory: no float copy of the image exists outside it.
 */
export function rasterToTensor(raster: Raster, options: ToTensorOptions = {}): Tensor {
  const { width, height, data } = checkRaster(raster, "raster");
  const channels = options.channels ?? "rgb";
  if (!Object.prototype.hasOwnProperty.call(CHANNEL_OFFSETS, channels)) {
    throw new TypeError(`channels must be 'gray', 'rgb', 'rgba', 'r', 'g', 'b' or 'a', got ${JSON.stringify(channels)}`);
  }
  const alpha = options.alpha ?? "composite";
  if (alpha !== "composite" && alpha !== "keep") throw new TypeError(`alpha must be 'composite' or 'keep', got ${JSON.stringify(alpha)}`);
  const bg = options.background ?? [255, 255, 255];
  if (!Array.isArray(bg) || bg.length !== 3 || !bg.every((v) => Number.isFinite(v) && v >= 0 && v <= 255)) {
    throw new RangeError(`background must be [r, g, b] with values in [0, 255], got ${JSON.stringify(bg)}`);
  }
  const ownAlpha = channels === "rgba" || channels === "a";
  const composite = !ownAlpha && alpha === "composite";
  const offsets = CHANNEL_OFFSETS[channels];
  const c = offsets.length + (!ownAlpha && alpha === "keep" ? 1 : 0);
  const n = width * height;
  // A zeroed array's pages are not touched by the copy into wasm memory, so this costs no RSS.
  const t = tensor(new Float32Array(n * c), options.batch ? [1, height, width, c] : [height, width, c]);
  const out = t.view();
  const [wr, wg, wb] = GRAY_WEIGHTS.map((w) => w / 255);
  if (channels === "gray" && c === 1) {
    // The usual case (the CLI's input, every photo): one loop without the per-pixel switch.
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.length);
    for (let p = 0, px = 0; p < n; p++, px += 4) {
      let r = bytes[px], g = bytes[px + 1], b = bytes[px + 2];
      const a = bytes[px + 3];
      if (composite && a !== 255) {
        const f = a / 255;
        r = r * f + bg[0] * (1 - f);
        g = g * f + bg[1] * (1 - f);
        b = b * f + bg[2] * (1 - f);
      }
      out[p] = wr * r + wg * g + wb * b;
    }
    return t;
  }
  for (let p = 0, o = 0, px = 0; p < n; p++, px += 4) {
    let r = data[px], g = data[px + 1], b = data[px + 2];
    const a = data[px + 3];
    if (composite && a !== 255) {
      const f = a / 255;
      r = r * f + bg[0] * (1 - f);
      g = g * f + bg[1] * (1 - f);
      b = b * f + bg[2] * (1 - f);
    }
    switch (channels) {
      case "gray": out[o++] = wr * r + wg * g + wb * b; break;
      case "rgb": out[o++] = r / 255; out[o++] = g / 255; out[o++] = b / 255; break;
      case "rgba": out[o++] = r / 255; out[o++] = g / 255; out[o++] = b / 255; out[o++] = a / 255; break;
      case "r": out[o++] = r / 255; break;
      case "g": out[o++] = g / 255; break;
      case "b": out[o++] = b / 255; break;
      case "a": out[o++] = a / 255; break;
    }
    if (c > offsets.length) out[o++] = a / 255;
  }
  return t;
}

export function checkRaster(raster: unknown, name: string): Raster {
  const r = raster as Raster;
  if (typeof r !== "object" || r === null || !Number.isInteger(r.width) || !Number.isInteger(r.height) || !r.data) {
    throw new TypeError(`${name} must be { width, height, data } with RGBA bytes`);
  }
  if (r.data.length !== r.width * r.height * 4) {
    throw new RangeError(`${name}.data has ${r.data.length} bytes, a ${r.width}×${r.height} RGBA image needs ${r.width * r.height * 4}`);
  }
  return r;
}

/** Scales to the given size: box-averaging when shrinking, nearest pixel when enlarging (so pooled maps show their cells). */
export function resizeRaster(src: Raster, width: number, height: number): Raster {
  if (width === src.width && height === src.height) return { width, height, data: src.data.slice() };
  const out = new Uint8Array(width * height * 4);
  const sx = src.width / width, sy = src.height / height;
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor(y * sy), y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor(x * sx), x1 = Math.max(x0 + 1, Math.floor((x + 1) * sx));
      const acc = [0, 0, 0, 0];
      for (let v = y0; v < y1; v++) {
        for (let u = x0; u < x1; u++) {
          const i = (v * src.width + u) * 4;
          for (let k = 0; k < 4; k++) acc[k] += src.data[i + k];
        }
      }
      const n = (y1 - y0) * (x1 - x0), o = (y * width + x) * 4;
      for (let k = 0; k < 4; k++) out[o + k] = Math.round(acc[k] / n);
    }
  }
  return { width, height, data: out };
}

/** Copies `src` into `dst` with its top-left corner at (x, y), clipped to `dst`. */
export function blit(dst: Raster, src: Raster, x: number, y: number): void {
  for (let v = 0; v < src.height; v++) {
    const dy = y + v;
    if (dy < 0 || dy >= dst.height) continue;
    const u0 = Math.max(0, -x), u1 = Math.min(src.width, dst.width - x);
    if (u1 <= u0) continue;
    dst.data.set(src.data.subarray((v * src.width + u0) * 4, (v * src.width + u1) * 4), (dy * dst.width + x + u0) * 4);
  }
}

export function fillRect(dst: Raster, x: number, y: number, w: number, h: number, rgb: readonly number[]): void {
  for (let v = Math.max(0, y); v < Math.min(dst.height, y + h); v++) {
    for (let u = Math.max(0, x); u < Math.min(dst.width, x + w); u++) {
      const i = (v * dst.width + u) * 4;
      dst.data[i] = rgb[0];
      dst.data[i + 1] = rgb[1];
      dst.data[i + 2] = rgb[2];
      dst.data[i + 3] = 255;
    }
  }
}
