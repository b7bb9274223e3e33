/**
 * The conformance grid, as data: every conv2d and maxPool edge case the kernels must get
 * right. Shared, unchanged, by the reference tests, the kernel-variant tests and the
 * thread-count comparisons, so a case added here is checked everywhere.
 *
 * Shapes are always given NHWC/HWIO; `dataFormat: 'NCHW'` and `rank3` say how the case
 * is fed to the API (see `convArgs`), and the result is compared in NHWC.
 */
import { randomData, rng, type Conv2DCase } from "./reference.js";
import { conv2d, fused, maxPool, tensor, tidy } from "../../src/index.js";

export type Activation = "linear" | "relu" | "relu6";
export type PadSpec = "same" | "valid" | [number, number, number, number];

export interface ConvCase extends Conv2DCase {
  name: string;
  /** Feed x as NCHW (the test transposes in and out). */
  dataFormat?: "NHWC" | "NCHW";
  /** Feed x as rank 3 (batch must be 1). */
  rank3?: boolean;
  /** Pass the pad as one number (pad must then be [p, p, p, p]). */
  numericPad?: boolean;
  /** Run fused.conv2d with a per-channel bias. */
  bias?: boolean;
  activation?: Activation;
}

export interface PoolCase {
  name: string;
  x: [number, number, number, number];
  filterSize: [number, number];
  strides: [number, number];
  pad: PadSpec;
  numericPad?: boolean;
  rank3?: boolean;
}

type Pair = [number, number];
const sq = (v: number): Pair => [v, v];

function conv(
  name: string, x: ConvCase["x"], filter: ConvCase["filter"],
  strides: Pair, dilations: Pair, pad: PadSpec, extra: Partial<ConvCase> = {},
): ConvCase {
  return { name, x, filter, strides, dilations, pad, ...extra };
}

function padName(p: PadSpec): string {
  return typeof p === "string" ? p : `pad[${p}]`;
}

function buildConvCases(): ConvCase[] {
  const out: ConvCase[] = [];
  // Channels in × out: out counts straddle the 16- and 4-channel tiles of the kernel.
  for (const ci of [1, 3, 4, 5, 8, 17]) {
    for (const co of [1, 3, 4, 5, 8, 15, 16, 17, 33]) {
      out.push(conv(`channels ${ci}→${co}`, [1, 5, 6, ci], [3, 3, ci, co], sq(1), sq(1), "same"));
    }
  }
  // Every kernel size 1×1 … 7×7, rectangular included, cycling the padding mode.
  const pads: PadSpec[] = ["same", "valid", [1, 2, 3, 0]];
  let i = 0;
  for (let kh = 1; kh <= 7; kh++) {
    for (let kw = 1; kw <= 7; kw++, i++) {
      const pad = pads[i % 3];
      out.push(conv(`kernel ${kh}×${kw} ${padName(pad)}`, [1, 9, 8, 3], [kh, kw, 3, 5], sq(1), sq(1), pad));
    }
  }
  // Strides 1–3 per axis, with stride > kernel (1×1, 2×2) among them.
  for (const [kh, kw] of [[1, 1], [2, 2], [3, 3], [1, 3]] as Pair[]) {
    for (let sh = 1; sh <= 3; sh++) {
      for (let sw = 1; sw <= 3; sw++) {
        const pad: PadSpec = (sh + sw) % 2 ? "valid" : "same";
        out.push(conv(`kernel ${kh}×${kw} stride ${sh}×${sw} ${pad}`, [1, 10, 11, 4], [kh, kw, 4, 6], [sh, sw], sq(1), pad));
      }
    }
  }
  // Dilations 1–3 per axis.
  for (const k of [[3, 3], [2, 3]] as Pair[]) {
    for (let dh = 1; dh <= 3; dh++) {
      for (let dw = 1; dw <= 3; dw++) {
        for (const pad of ["same", "valid", [2, 1, 0, 3]] as PadSpec[]) {
          out.push(conv(`kernel ${k} dilation ${dh}×${dw} ${padName(pad)}`, [1, 9, 10, 3], [k[0], k[1], 3, 4], sq(1), [dh, dw], pad));
        }
      }
    }
  }
  // Stride and dilation together (TensorFlow.js refuses it; the kernel has no reason to).
  out.push(conv("stride 2 dilation 2 same", [1, 11, 9, 3], [3, 3, 3, 5], sq(2), sq(2), "same"));
  out.push(conv("stride 3×2 dilation 2×3 valid", [1, 12, 13, 5], [2, 3, 5, 4], [3, 2], [2, 3], "valid"));
  // Explicit pads, from none to far larger than the kernel.
  for (const pad of [
    [0, 0, 0, 0], [1, 1, 1, 1], [0, 3, 2, 0], [5, 0, 0, 6], [7, 7, 7, 7], [0, 9, 4, 1],
  ] as [number, number, number, number][]) {
    out.push(conv(`explicit ${padName(pad)}`, [1, 6, 5, 3], [3, 2, 3, 5], sq(1), sq(1), pad));
    out.push(conv(`explicit ${padName(pad)} stride 2`, [1, 6, 5, 3], [3, 2, 3, 5], sq(2), sq(1), pad));
  }
  // Numeric pads, on rectangular filters and strides (where TensorFlow.js's own shape math
  // would use the filter height and stride height for both dims).
  out.push(conv("numeric pad 1, kernel 2×3, stride 2×1", [1, 6, 7, 3], [2, 3, 3, 4], [2, 1], sq(1), [1, 1, 1, 1], { numericPad: true }));
  out.push(conv("numeric pad 2, kernel 1×5, stride 1×3", [1, 5, 9, 2], [1, 5, 2, 17], [1, 3], sq(1), [2, 2, 2, 2], { numericPad: true }));
  out.push(conv("numeric pad 3, kernel 4×2, dilation 1×2", [2, 4, 4, 5], [4, 2, 5, 3], sq(1), [1, 2], [3, 3, 3, 3], { numericPad: true }));
  out.push(conv("numeric pad 1 NCHW, kernel 3×1", [1, 5, 4, 3], [3, 1, 3, 5], [1, 2], sq(1), [1, 1, 1, 1], { numericPad: true, dataFormat: "NCHW" }));
  // Kernel larger than the input: SAME, explicit, and dilation making it larger.
  out.push(conv("kernel 7×7 over 3×4 same", [1, 3, 4, 2], [7, 7, 2, 3], sq(1), sq(1), "same"));
  out.push(conv("kernel 5×6 over 2×2 same stride 2", [1, 2, 2, 5], [5, 6, 5, 17], sq(2), sq(1), "same"));
  out.push(conv("kernel 5×5 over 3×3 explicit", [1, 3, 3, 4], [5, 5, 4, 4], sq(1), sq(1), [2, 2, 1, 3]));
  out.push(conv("dilated 3×3 d3 over 4×4 same", [1, 4, 4, 3], [3, 3, 3, 8], sq(1), sq(3), "same"));
  // Batches.
  for (const n of [1, 2, 3]) {
    out.push(conv(`batch ${n} same`, [n, 5, 4, 3], [3, 3, 3, 5], sq(1), sq(1), "same"));
    out.push(conv(`batch ${n} stride 2 valid`, [n, 7, 6, 17], [2, 3, 17, 16], sq(2), sq(1), "valid"));
  }
  // Rank-3 input.
  out.push(conv("rank 3 same", [1, 6, 5, 3], [3, 3, 3, 4], sq(1), sq(1), "same", { rank3: true }));
  out.push(conv("rank 3 valid stride 2", [1, 7, 7, 5], [2, 2, 5, 17], sq(2), sq(1), "valid", { rank3: true }));
  // A single output pixel.
  out.push(conv("single pixel: kernel = input", [1, 5, 4, 3], [5, 4, 3, 17], sq(1), sq(1), "valid"));
  out.push(conv("single pixel: 1×1 input", [1, 1, 1, 8], [1, 1, 8, 5], sq(1), sq(1), "same"));
  out.push(conv("single pixel: stride > input", [2, 3, 3, 4], [2, 2, 4, 4], sq(4), sq(1), "same"));
  // NCHW, including explicit pads (given in NCHW order by the test) and rank 3.
  out.push(conv("NCHW same", [2, 5, 6, 3], [3, 3, 3, 5], sq(1), sq(1), "same", { dataFormat: "NCHW" }));
  out.push(conv("NCHW valid stride 2×1", [1, 7, 6, 4], [3, 2, 4, 17], [2, 1], sq(1), "valid", { dataFormat: "NCHW" }));
  out.push(conv("NCHW explicit", [1, 5, 5, 2], [3, 3, 2, 4], sq(1), sq(1), [1, 0, 2, 3], { dataFormat: "NCHW" }));
  out.push(conv("NCHW rank 3", [1, 4, 6, 5], [2, 2, 5, 3], sq(1), sq(2), "same", { dataFormat: "NCHW", rank3: true }));
  // Fused: bias with each activation, across tile edges; bias alone and activation alone.
  for (const activation of ["linear", "relu", "relu6"] as Activation[]) {
    for (const co of [3, 16, 33]) {
      out.push(conv(`fused bias ${activation} co ${co}`, [2, 6, 5, 8], [3, 3, 8, co], sq(1), sq(1), "same", { bias: true, activation }));
    }
    out.push(conv(`fused ${activation} no bias`, [1, 5, 5, 17], [3, 3, 17, 5], sq(2), sq(1), "valid", { activation }));
  }
  // Windows entirely inside large pads: the output there is the activated bias alone.
  out.push(conv("fused bias relu6, pads larger than the kernel", [1, 3, 4, 5], [2, 2, 5, 17], sq(2), sq(1), [4, 5, 3, 6], { bias: true, activation: "relu6" }));
  out.push(conv("fused bias relu NCHW", [1, 5, 4, 3], [3, 3, 3, 6], sq(1), sq(1), "same", { bias: true, activation: "relu", dataFormat: "NCHW" }));
  return out;
}

function buildPoolCases(): PoolCase[] {
  const out: PoolCase[] = [];
  for (const c of [1, 3, 4, 5, 8, 17]) {
    out.push({ name: `channels ${c} 2×2/2 same`, x: [1, 5, 7, c], filterSize: sq(2), strides: sq(2), pad: "same" });
    out.push({ name: `channels ${c} 3×3/1 valid`, x: [1, 5, 7, c], filterSize: sq(3), strides: sq(1), pad: "valid" });
  }
  for (const [fh, fw] of [[1, 1], [1, 3], [2, 2], [3, 2], [3, 3], [4, 4]] as Pair[]) {
    for (const [sh, sw] of [[1, 1], [2, 2], [3, 1], [2, 3]] as Pair[]) {
      for (const pad of ["same", "valid"] as PadSpec[]) {
        out.push({ name: `window ${fh}×${fw} stride ${sh}×${sw} ${pad}`, x: [1, 8, 9, 5], filterSize: [fh, fw], strides: [sh, sw], pad });
      }
    }
  }
  for (const pad of [[1, 1, 1, 1], [0, 2, 1, 0], [2, 2, 0, 1]] as [number, number, number, number][]) {
    out.push({ name: `explicit ${padName(pad)}`, x: [1, 5, 6, 4], filterSize: sq(3), strides: sq(2), pad });
  }
  out.push({ name: "numeric pad 1, window 2×3, stride 1×2", x: [1, 6, 7, 3], filterSize: [2, 3], strides: [1, 2], pad: [1, 1, 1, 1], numericPad: true });
  out.push({ name: "numeric pad 2, window 3×5, stride 3×1", x: [2, 7, 5, 5], filterSize: [3, 5], strides: [3, 1], pad: [2, 2, 2, 2], numericPad: true });
  out.push({ name: "window larger than input same", x: [1, 3, 2, 6], filterSize: [5, 4], strides: sq(1), pad: "same" });
  out.push({ name: "stride > window", x: [1, 9, 9, 3], filterSize: sq(2), strides: sq(3), pad: "valid" });
  for (const n of [1, 2, 3]) {
    out.push({ name: `batch ${n}`, x: [n, 6, 5, 17], filterSize: sq(3), strides: sq(2), pad: "same" });
  }
  out.push({ name: "rank 3", x: [1, 6, 6, 5], filterSize: sq(2), strides: sq(2), pad: "valid", rank3: true });
  out.push({ name: "single output pixel", x: [1, 3, 4, 9], filterSize: [3, 4], strides: sq(1), pad: "valid" });
  return out;
}

export const conv2dCases: readonly ConvCase[] = buildConvCases();
export const maxPoolCases: readonly PoolCase[] = buildPoolCases();

/** The case's pad in the API's form, for its data format. */
export function padArg(pad: PadSpec, dataFormat: "NHWC" | "NCHW" = "NHWC", numeric = false) {
  if (typeof pad === "string") return pad;
  if (numeric) return pad[0];
  const [t, b, l, r] = pad;
  return dataFormat === "NHWC"
    ? [[0, 0], [t, b], [l, r], [0, 0]] as [[number, number], [number, number], [number, number], [number, number]]
    : [[0, 0], [0, 0], [t, b], [l, r]] as [[number, number], [number, number], [number, number], [number, number]];
}

/** Deterministic inputs for a case: x, filter and (when the case has one) bias, all NHWC/HWIO. */
export function convInputs(c: ConvCase, seed: number) {
  const rand = rng(seed);
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const x = randomData(size(c.x), rand);
  const filter = randomData(size(c.filter), rand);
  // Bias spans ±4 so relu6 clamps at both ends.
  const bias = c.bias ? randomData(c.filter[3], rand).map((v) => v * 4) : undefined;
  return { x, filter, bias };
}

/** NHWC data → NCHW (dims given in NHWC). */
export function nhwcToNchw(data: ArrayLike<number>, [n, h, w, c]: number[]): Float32Array {
  const out = new Float32Array(n * h * w * c);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let ch = 0; ch < c; ch++) out[((b * c + ch) * h + y) * w + x] = data[((b * h + y) * w + x) * c + ch];
  return out;
}

/** NCHW data → NHWC (dims given in NHWC). */
export function nchwToNhwc(data: ArrayLike<number>, [n, h, w, c]: number[]): Float32Array {
  const out = new Float32Array(n * h * w * c);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let ch = 0; ch < c; ch++) out[((b * h + y) * w + x) * c + ch] = data[((b * c + ch) * h + y) * w + x];
  return out;
}

/**
 * Runs a conv case through the public API (conv2d, or fused.conv2d when the case has a bias
 * or an activation) and returns the result as NHWC data with its NHWC shape.
 */
export function runConvCase(c: ConvCase, inputs: ReturnType<typeof convInputs>): { shape: number[]; data: Float32Array } {
  const dataFormat = c.dataFormat ?? "NHWC";
  const xData = dataFormat === "NCHW" ? nhwcToNchw(inputs.x, c.x) : inputs.x;
  const [n, h, w, ch] = c.x;
  const xShape = dataFormat === "NCHW" ? [n, ch, h, w] : [n, h, w, ch];
  return tidy(() => {
    const x = tensor(xData, c.rank3 ? xShape.slice(1) : xShape);
    const filter = tensor(inputs.filter, c.filter);
    const pad = padArg(c.pad, dataFormat, c.numericPad);
    const y = c.bias || c.activation
      ? fused.conv2d({
          x, filter, strides: c.strides, pad, dataFormat, dilations: c.dilations,
          bias: inputs.bias ? tensor(inputs.bias, [c.filter[3]]) : undefined, activation: c.activation,
        })
      : conv2d(x, filter, c.strides, pad, dataFormat, c.dilations);
    const shape = c.rank3 ? [1, ...y.shape] : y.shape;
    const nhwcShape = dataFormat === "NCHW" ? [shape[0], shape[2], shape[3], shape[1]] : shape;
    const data = dataFormat === "NCHW" ? nchwToNhwc(y.dataSync(), nhwcShape) : y.dataSync();
    return { shape: nhwcShape, data };
  });
}

/** Deterministic input for a pool case (NHWC). */
export function poolInput(c: PoolCase, seed: number): Float32Array {
  return randomData(c.x.reduce((a, b) => a * b, 1), rng(seed));
}

/** Runs a pool case through the public maxPool; returns the NHWC result and its NHWC shape. */
export function runPoolCase(c: PoolCase, x: Float32Array): { shape: number[]; data: Float32Array } {
  return tidy(() => {
    const y = maxPool(tensor(x, c.rank3 ? c.x.slice(1) : c.x), c.filterSize, c.strides, padArg(c.pad, "NHWC", c.numericPad));
    return { shape: c.rank3 ? [1, ...y.shape] : y.shape, data: y.dataSync() };
  });
}
