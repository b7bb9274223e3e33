/**
 * The float64 oracle: plain loops over NHWC input and HWIO filters, TensorFlow semantics,
 * written for obviousness, not speed. Every kernel is checked against these.
 */

export interface Conv2DCase {
  /** NHWC input shape. */
  x: [number, number, number, number];
  /** HWIO filter shape. */
  filter: [number, number, number, number];
  strides: [number, number];
  dilations: [number, number];
  /** 'same' | 'valid' | explicit [top, bottom, left, right]. */
  pad: "same" | "valid" | [number, number, number, number];
  /** How explicit pads round a fractional output size (TensorFlow.js's dimRoundingMode); default floor. */
  rounding?: "floor" | "round" | "ceil";
}

/** Deterministic PRNG (mulberry32) so every failure reproduces from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform values in [-1, 1), rounded to float32 so the reference sees what the kernel sees. */
export function randomData(n: number, rand: () => number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rand() * 2 - 1;
  return a;
}

/** TF's padding rule for one dimension: [before, after, out]. */
export function padding1d(
  inSize: number, k: number, stride: number, dilation: number,
  pad: "same" | "valid" | [number, number],
  rounding: "floor" | "round" | "ceil" = "floor",
): [number, number, number] {
  const ek = (k - 1) * dilation + 1;
  if (pad === "same") {
    const out = Math.ceil(inSize / stride);
    const total = Math.max((out - 1) * stride + ek - inSize, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2), out];
  }
  if (pad === "valid") return [0, 0, Math.ceil((inSize - ek + 1) / stride)];
  const [b, a] = pad;
  return [b, a, Math[rounding]((inSize + b + a - ek) / stride + 1)];
}

export interface RefResult {
  shape: number[];
  /** The float64 result. */
  y: Float64Array;
  /** Σ|x·w| for each output: the scale of rounding error a float32 sum may carry. */
  mag: Float64Array;
}

export function conv2dRef(
  x: ArrayLike<number>, c: Conv2DCase,
  bias?: ArrayLike<number>, activation: "linear" | "relu" | "relu6" = "linear",
  w?: ArrayLike<number>,
): RefResult {
  const [n, h, wd, ci] = c.x;
  const [kh, kw, , co] = c.filter;
  const [sh, sw] = c.strides;
  const [dh, dw] = c.dilations;
  const [pt, , ho] = padding1d(h, kh, sh, dh, c.pad === "same" || c.pad === "valid" ? c.pad : [c.pad[0], c.pad[1]], c.rounding);
  const [pl, , wo] = padding1d(wd, kw, sw, dw, c.pad === "same" || c.pad === "valid" ? c.pad : [c.pad[2], c.pad[3]], c.rounding);
  const y = new Float64Array(n * ho * wo * co);
  const mag = new Float64Array(y.length);
  const filt = w!;
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < ho; oy++)
      for (let ox = 0; ox < wo; ox++)
        for (let o = 0; o < co; o++) {
          let s = bias ? bias[o] : 0;
          let m = Math.abs(s);
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * sh - pt + ky * dh;
            if (iy < 0 || iy >= h) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * sw - pl + kx * dw;
              if (ix < 0 || ix >= wd) continue;
              for (let i = 0; i < ci; i++) {
                const p = x[((b * h + iy) * wd + ix) * ci + i] * filt[((ky * kw + kx) * ci + i) * co + o];
                s += p;
                m += Math.abs(p);
              }
            }
          }
          if (activation === "relu") s = Math.max(s, 0);
          if (activation === "relu6") s = Math.min(Math.max(s, 0), 6);
          const idx = ((b * ho + oy) * wo + ox) * co + o;
          y[idx] = s;
          mag[idx] = m;
        }
  return { shape: [n, ho, wo, co], y, mag };
}

export function maxPoolRef(
  x: ArrayLike<number>, shape: [number, number, number, number],
  k: [number, number], strides: [number, number],
  pad: "same" | "valid" | [number, number, number, number],
): { shape: number[]; y: Float64Array } {
  const [n, h, w, c] = shape;
  const [pt, , ho] = padding1d(h, k[0], strides[0], 1, typeof pad === "string" ? pad : [pad[0], pad[1]]);
  const [pl, , wo] = padding1d(w, k[1], strides[1], 1, typeof pad === "string" ? pad : [pad[2], pad[3]]);
  const y = new Float64Array(n * ho * wo * c);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < ho; oy++)
      for (let ox = 0; ox < wo; ox++)
        for (let ch = 0; ch < c; ch++) {
          let m = -Infinity;
          for (let ky = 0; ky < k[0]; ky++) {
            const iy = oy * strides[0] - pt + ky;
            if (iy < 0 || iy >= h) continue;
            for (let kx = 0; kx < k[1]; kx++) {
              const ix = ox * strides[1] - pl + kx;
              if (ix < 0 || ix >= w) continue;
              const v = x[((b * h + iy) * w + ix) * c + ch];
              if (v > m) m = v; // NaN never wins, as in TensorFlow.js
            }
          }
          y[((b * ho + oy) * wo + ox) * c + ch] = m;
        }
  return { shape: [n, ho, wo, c], y };
}

/**
 * The largest error of `got` against the reference, in units of each output's own scale:
 * |got - want| / (Σ|x·w| · 2^-20 + tiny). Float32 accumulation of K terms errs by about
 * K · 2^-24 · Σ|x·w|, so a result under ~1 means "as exact as float32 summation allows".
 * Returns the worst index too, for the failure message.
 */
export function worstError(got: ArrayLike<number>, want: RefResult): { err: number; at: number } {
  let err = 0;
  let at = -1;
  for (let i = 0; i < want.y.length; i++) {
    const e = Math.abs(got[i] - want.y[i]) / (want.mag[i] * 2 ** -20 + 1e-30);
    if (!(e <= err)) {
      err = e;
      at = i;
      if (Number.isNaN(e)) break;
    }
  }
  return { err, at };
}
