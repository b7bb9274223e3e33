/**
 * Argument checking and shape math shared by conv2d and maxPool, with TensorFlow's rules:
 * SAME gives out = ceil(in / stride) and puts the odd pad at the bottom/right; VALID gives
 * out = ceil((in - effectiveK + 1) / stride); numeric and explicit pads are used as given.
 */
import { describe } from "../errors.js";

export type PadString = "same" | "valid" | "SAME" | "VALID" | "Same" | "Valid";
export type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];
export type Padding = PadString | number | ExplicitPadding;
export type DimRoundingMode = "floor" | "round" | "ceil";

export interface Window2D {
  kh: number; kw: number;
  sh: number; sw: number;
  dh: number; dw: number;
  padTop: number; padBottom: number; padLeft: number; padRight: number;
  ho: number; wo: number;
}

/** An op's name in tfjs's messages: fused.conv2d is 'fused conv2d' there. */
export const tfjsName = (op: string): string => (op === "fused.conv2d" ? "fused conv2d" : op);

/** False when `v` (a number or [h, w] of numbers) holds a value that is not > 0, as tfjs's stridesOrDilationsArePositive. */
export function allPositive(v: unknown): boolean {
  const p = typeof v === "number" ? [v] : Array.isArray(v) ? v : [];
  return !p.some((e) => typeof e === "number" && !(e > 0));
}

/** A stride, dilation or filter size: a positive integer or a [h, w] pair of them. */
export function pair(v: unknown, name: string, op: string): [number, number] {
  const p = typeof v === "number" ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2) {
    throw new TypeError(`${op}: ${name} must be a number or [h, w], got ${describe(v)}`);
  }
  for (const e of p) {
    if (typeof e !== "number" || !Number.isInteger(e) || e < 1) {
      throw new RangeError(`${op}: ${name} must be positive integers, got ${describe(v)}`);
    }
  }
  return [p[0], p[1]];
}

function rounder(mode: DimRoundingMode | undefined, op: string): (v: number) => number {
  if (mode === undefined || mode === null) return Math.trunc;
  if (mode === "floor") return Math.floor;
  if (mode === "round") return Math.round;
  if (mode === "ceil") return Math.ceil;
  throw new TypeError(`Unknown roundingMode ${mode}`); // tfjs's words
}

function padInt(v: unknown, name: string, op: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
    throw new RangeError(`${op}: ${name} must be non-negative integers, got ${describe(v)}`);
  }
  return v;
}

/** Resolves padding and output size for one 2-D window over an h × w input. */
export function window2d(
  h: number, w: number,
  kernel: [number, number], strides: [number, number], dilations: [number, number],
  pad: unknown, op: string, roundingMode?: DimRoundingMode,
): Window2D {
  const [kh, kw] = kernel;
  const [sh, sw] = strides;
  const [dh, dw] = dilations;
  const ekh = (kh - 1) * dh + 1;
  const ekw = (kw - 1) * dw + 1;
  if (roundingMode != null && (typeof pad === "string" || (typeof pad === "number" && !Number.isInteger(pad)))) {
    // As in tfjs (checkPadOnDimRoundingMode): SAME and VALID fix the output size, so a rounding mode there is a mistake.
    const E = typeof pad === "string" ? TypeError : RangeError;
    throw new E(`Error in ${tfjsName(op)}: pad must be an integer when using dimRoundingMode ${roundingMode} but got pad ${pad}.`);
  }
  const round = rounder(roundingMode, op);
  let padTop = 0, padBottom = 0, padLeft = 0, padRight = 0;
  let ho: number, wo: number;
  const mode = typeof pad === "string" ? pad.toLowerCase() : undefined;
  if (mode === "same") {
    ho = Math.ceil(h / sh);
    wo = Math.ceil(w / sw);
    const ph = Math.max((ho - 1) * sh + ekh - h, 0);
    const pw = Math.max((wo - 1) * sw + ekw - w, 0);
    padTop = Math.floor(ph / 2);
    padBottom = ph - padTop;
    padLeft = Math.floor(pw / 2);
    padRight = pw - padLeft;
  } else if (mode === "valid") {
    ho = Math.ceil((h - ekh + 1) / sh);
    wo = Math.ceil((w - ekw + 1) / sw);
  } else if (typeof pad === "number" || Array.isArray(pad)) {
    if (typeof pad === "number") {
      padTop = padBottom = padLeft = padRight = padInt(pad, "pad", op);
    } else {
      if (pad.length !== 4 || !pad.every((p) => Array.isArray(p) && p.length === 2)) {
        throw new TypeError(`${op}: explicit pad must be [[0,0],[top,bottom],[left,right],[0,0]], got ${describe(pad)}`);
      }
      const flat = (pad as number[][]).flat();
      flat.forEach((p) => padInt(p, "pad", op));
      if (flat[0] || flat[1] || flat[6] || flat[7]) {
        throw new RangeError(`${op}: pad on the batch and channel dimensions must be 0, got ${describe(pad)}`);
      }
      [padTop, padBottom, padLeft, padRight] = [flat[2], flat[3], flat[4], flat[5]];
    }
    const fitsH = h + padTop + padBottom >= ekh;
    const fitsW = w + padLeft + padRight >= ekw;
    ho = fitsH ? round((h + padTop + padBottom - ekh) / sh + 1) : 0;
    wo = fitsW ? round((w + padLeft + padRight - ekw) / sw + 1) : 0;
  } else {
    throw new TypeError(`Unknown padding parameter: ${String(pad)}`); // tfjs's words
  }
  if (ho < 1 || wo < 1) {
    throw new RangeError(
      `${op}: the output would be empty (${ho}×${wo}): a ${kh}×${kw} filter` +
        (dh > 1 || dw > 1 ? ` dilated to ${ekh}×${ekw}` : "") +
        ` does not fit the ${h}×${w} input with pad ${describe(pad)}`,
    );
  }
  // Kernels index with 32-bit integers; beyond this they would wrap and read the wrong pixels.
  const INT32_MAX = 0x7fffffff;
  const reachH = Math.max(h + padTop + padBottom, (ho - 1) * sh + ekh);
  const reachW = Math.max(w + padLeft + padRight, (wo - 1) * sw + ekw);
  if (reachH > INT32_MAX || reachW > INT32_MAX) {
    throw new RangeError(
      `${op}: pad, strides and dilations make the windows span ${reachH}×${reachW} pixels, ` +
        `more than the kernels can index (2^31 - 1)`,
    );
  }
  return { kh, kw, sh, sw, dh, dw, padTop, padBottom, padLeft, padRight, ho, wo };
}

/**
 * Whether `pad` may pad some input: false for VALID, zero pads, and SAME over a 1×1 (effective)
 * window, which pads no input size. conv2d's plan reads it because its choice must not depend
 * on the input's size. A malformed pad answers true; window2d rejects it.
 */
/**
 * Whether an explicit or numeric pad is as wide as the window somewhere, so that some output's
 * window can lie wholly in the padding (TF's result there is exactly 0, plus the bias). SAME and
 * VALID never are. Malformed pads answer true; window2d rejects them.
 */
export function padsPastWindow(pad: unknown, ekh: number, ekw: number): boolean {
  if (typeof pad === "string") return false;
  const k = Math.min(ekh, ekw);
  if (typeof pad === "number") return pad >= k;
  if (Array.isArray(pad)) return pad.flat().some((p) => !(p < k));
  return true;
}

export function mayPad(pad: unknown, ekh: number, ekw: number): boolean {
  const mode = typeof pad === "string" ? pad.toLowerCase() : undefined;
  if (mode === "valid") return false;
  if (mode === "same") return ekh > 1 || ekw > 1;
  if (pad === 0) return false;
  if (Array.isArray(pad)) return !pad.flat().every((p) => p === 0);
  return true;
}
