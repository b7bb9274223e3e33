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
}

/** TensorFlow's rgb_to_grayscale weights (ITU-R BT.601 luma). */
const GRAY_WEIGHTS = [0.2989, 0.587, 0.114];
/** The RGBA byte offsets each selection keeps; 'gray' mixes R, G and B into one channel. */
const CHANNEL_OFFSETS: Record<ChannelSelection, number[]> = {
  gray: [0], rgb: [0, 1, 2], rgba: [0, 1, 2, 3], r: [0], g: [1], b: [2], a: [3],
};

export function newRaster(width: number, height: number, rgba: [number, number, number, number] = [0, 0, 0, 255]): Raster {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set(rgba, i);
  return { width, height, data };
}

/**
 * Pixels to a float32 tensor in [0, 1], dividing by 255 as TensorFlow's
 * `convert_image_dtype(uint8 → float32)` does.
 */
export function rasterToTensor(raster: Raster, options: ToTensorOptions = {}): Tensor {
  const { width, height, data } = checkRaster(raster, "raster");
  const channels = options.channels ?? "rgb";
  if (!Object.prototype.hasOwnProperty.call(CHANNEL_OFFSETS, channels)) {
    throw new TypeError(`channels must be 'gray', 'rgb', 'rgba', 'r', 'g', 'b' or 'a', got ${JSON.stringify(channels)}`);
  }
  const offsets = CHANNEL_OFFSETS[channels];
  const out = new Float32Array(width * height * offsets.length);
  for (let p = 0, o = 0; p < width * height; p++) {
    const px = p * 4;
    if (channels === "gray") {
      out[o++] = (GRAY_WEIGHTS[0] * data[px]) / 255 + (GRAY_WEIGHTS[1] * data[px + 1]) / 255 + (GRAY_WEIGHTS[2] * data[px + 2]) / 255;
    } else {
      for (const k of offsets) out[o++] = data[px + k] / 255;
    }
  }
  return tensor(out, options.batch ? [1, height, width, offsets.length] : [height, width, offsets.length]);
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
