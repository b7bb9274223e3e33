/**
 * conv2d and fused.conv2d: checks arguments, does the shape math, allocates the output and
 * calls the kernel. The bias and relu/relu6 run inside the kernel's tile; the other
 * activations as one pass over the output (fused_activation.ts).
 */
import { convGeometry, planConv2d, prepareConv2d, runConv2d, type ConvPath } from "./conv2d_plan.js";
import { describe, namingOp } from "../errors.js";
import { empty, Tensor, toTensor, type TensorLike } from "../tensor.js";
import { allPositive, pair, tfjsName, window2d, type DimRoundingMode, type ExplicitPadding, type Padding } from "./conv_util.js";
import { nchwToNhwc, nhwcToNchw } from "./transpose.js";
import { activationBounds, checkActivationArgs, finishActivation, type Activation } from "./fused_activation.js";
import { fusedMatMul } from "./mat_mul.js";

export type DataFormat = "NHWC" | "NCHW";
export type { Activation };

export interface FusedConv2DArgs {
  x: Tensor | TensorLike;
  filter: Tensor | TensorLike;
  strides: number | [number, number];
  pad: Padding;
  dataFormat?: DataFormat;
  dilations?: number | [number, number];
  dimRoundingMode?: DimRoundingMode;
  bias?: Tensor | TensorLike;
  activation?: Activation;
  /** The slopes of activation 'prelu': one, or one per output channel (any shape that broadcasts). */
  preluActivationWeights?: Tensor | TensorLike;
  /** The slope of activation 'leakyrelu' (default 0.2). */
  leakyreluAlpha?: number;
}

/**
 * 2-D convolution, TensorFlow semantics: `x` is NHWC [batch, height, width, inChannels]
 * (or rank 3 HWC, giving a rank-3 result), `filter` is HWIO [kh, kw, inChannels, outChannels].
 */
export function conv2d<T extends Tensor>(
  x: T | TensorLike,
  filter: Tensor | TensorLike,
  strides: number | [number, number],
  pad: Padding,
  dataFormat: DataFormat = "NHWC",
  dilations: number | [number, number] = 1,
  dimRoundingMode?: DimRoundingMode,
): T {
  return conv2dImpl("conv2d", { x, filter, strides, pad, dataFormat, dilations, dimRoundingMode }) as T;
}

/** conv2d + bias + activation in one pass (TensorFlow.js's `tf.fused.conv2d`). */
function fusedConv2d<T extends Tensor>(args: FusedConv2DArgs): T {
  if (typeof args !== "object" || args === null) {
    throw new TypeError(`fused.conv2d: expects one object { x, filter, strides, pad, ... }, got ${describe(args)}`);
  }
  return conv2dImpl("fused.conv2d", args) as T;
}

export const fused = { conv2d: fusedConv2d, matMul: fusedMatMul };

/** Explicit pads come in the data format's order, as in TensorFlow; the shape math reads NHWC. */
function padInNhwcOrder(pad: Padding, dataFormat: DataFormat): Padding {
  if (dataFormat !== "NCHW" || !Array.isArray(pad) || pad.length !== 4) return pad;
  return [pad[0], pad[2], pad[3], pad[1]] as ExplicitPadding;
}

/**
 * An operator's conv, planned and packed when it was made: its path, the filter's shape, the
 * packing it owns (0 for a path without one) and, for such a path only, the HWIO filter.
 */
export interface PreparedConv2D {
  path: ConvPath;
  filterShape: number[];
  packed: number;
  filter: Tensor | undefined;
}

/** fused.conv2d with an operator's prepared weights (`args.filter` is not read). */
export function conv2dPrepared<T extends Tensor>(args: Omit<FusedConv2DArgs, "filter">, prepared: PreparedConv2D): T {
  return conv2dImpl("fused.conv2d", { ...args, filter: undefined as unknown as Tensor }, prepared) as T;
}

function conv2dImpl(op: string, a: FusedConv2DArgs, prepared?: PreparedConv2D): Tensor {
  const owned: Tensor[] = [];
  // tfjs names fused conv2d's x and filter as conv2d's, and its bias as 'fused conv2d'.
  const use = (v: unknown, name: string): Tensor => {
    const r = toTensor(v, name, name === "bias" ? tfjsName(op) : "conv2d");
    if (r.owned) owned.push(r.t);
    return r.t;
  };
  try {
    const dataFormat = a.dataFormat ?? "NHWC";
    if (dataFormat !== "NHWC" && dataFormat !== "NCHW") {
      throw new TypeError(`Unknown dataFormat ${dataFormat}`); // tfjs's words
    }
    const activation = a.activation ?? "linear";
    const [lo, hi] = activationBounds(activation, op);
    const x = use(a.x, "x");
    const filter = prepared ? prepared.filter : use(a.filter, "filter");
    const filterShape = prepared ? prepared.filterShape : filter!.shape;
    // Messages from here on are tfjs's where tfjs checks the same thing (rank 3 is taken as a
    // batch of one, so tfjs reports the rank it would have reshaped to).
    if (x.rank !== 4 && x.rank !== 3) {
      throw new RangeError(`Error in ${tfjsName(op)}: input must be rank 4, but got rank ${x.rank}.`);
    }
    if (filterShape.length !== 4) {
      throw new RangeError(`Error in ${tfjsName(op)}: filter must be rank 4, but got rank ${filterShape.length}.`);
    }
    const s4 = x.rank === 4 ? x.shape : [1, ...x.shape];
    const [n, h, w, ci] = dataFormat === "NHWC" ? s4 : [s4[0], s4[2], s4[3], s4[1]];
    const [kh, kw, fci, co] = filterShape;
    if (fci !== ci) {
      throw new RangeError(`Error in conv2d: depth of input (${ci}) must match input depth for filter ${fci}.`);
    }
    // tfjs checks only that they are > 0 (dilations first); pair() checks they are integers too.
    if (!allPositive(a.dilations ?? 1)) throw new RangeError("Error in conv2D: Dilated rates should be larger than 0.");
    if (!allPositive(a.strides)) throw new RangeError("Error in conv2D: Strides should be larger than 0.");
    const strides = pair(a.strides, "strides", op);
    const dilations = pair(a.dilations ?? 1, "dilations", op);
    if (kh < 1 || kw < 1) throw new RangeError(`${op}: filter height and width must be ≥ 1, got [${filterShape}]`);
    const win = window2d(h, w, [kh, kw], strides, dilations, padInNhwcOrder(a.pad, dataFormat), op, a.dimRoundingMode);
    let bias: Tensor | undefined;
    if (a.bias !== undefined && a.bias !== null) {
      bias = use(a.bias, "bias");
      // Only shapes that broadcast along the channel axis alone: [co], [1], [1, 1, 1, co], a scalar.
      const channels = bias.rank === 0 ? 1 : bias.shape[bias.rank - 1];
      if (bias.rank > 4 || bias.shape.slice(0, -1).some((d) => d !== 1) || (channels !== co && channels !== 1)) {
        throw new RangeError(`${op}: bias must have shape [${co}] (one value per output channel) or [1], got shape [${bias.shape}]`);
      }
      if (bias.size === 1 && co !== 1) {
        const v = bias.dataSync()[0];
        bias = use(new Float32Array(co).fill(v), "bias");
      }
    }

    let prelu = activation === "prelu" && a.preluActivationWeights != null ? use(a.preluActivationWeights, "preluActivationWeights") : undefined;
    // As tfjs: in NCHW, 1-D slopes are per channel, [co] read as [co, 1, 1].
    if (prelu && dataFormat === "NCHW" && prelu.rank === 1 && prelu.size !== 1) {
      prelu = prelu.reshape([prelu.size, 1, 1]);
      owned.push(prelu);
    }

    const outNhwc = [n, win.ho, win.wo, co];
    const outShape = dataFormat === "NHWC" ? outNhwc : [n, co, win.ho, win.wo];
    // tfjs broadcasts the activation's weights against the output in its own layout.
    checkActivationArgs(activation, prelu, a.leakyreluAlpha, outShape, op);
    const finalShape = x.rank === 4 ? outShape : outShape.slice(1);
    const dims = { n, h, w, ci, co, kh, kw };
    const plan = prepared?.path ?? planConv2d(convGeometry(filterShape, strides, dilations, a.pad));
    if (!prepared && n * win.ho * win.wo * co > 0) prepareConv2d(plan, filter!, bias, dims);
    const input = dataFormat === "NCHW" ? nchwToNhwc(x, [n, ci, h, w], op) : x;
    if (input !== x) owned.push(input);
    const out = empty(dataFormat === "NHWC" ? finalShape : outNhwc, op);
    if (out.size > 0) {
      try {
        runConv2d(plan, input, filter, bias, out, dims, win, lo, hi, prepared?.packed ?? 0);
        if (dataFormat === "NHWC") finishActivation(out, activation, prelu, a.leakyreluAlpha, op);
      } catch (e) {
        out.dispose(); // scratch that could not be allocated: nothing is returned, so nothing may stay held
        throw e;
      }
    }
    if (dataFormat === "NHWC") return out;
    owned.push(out);
    const nchw = nhwcToNchw(out, outNhwc, op);
    try {
      finishActivation(nchw, activation, prelu, a.leakyreluAlpha, op);
    } catch (e) {
      nchw.dispose();
      throw e;
    }
    if (x.rank === 3) {
      owned.push(nchw);
      return nchw.reshape(finalShape);
    }
    return nchw;
  } catch (e) {
    throw namingOp(op, e);
  } finally {
    for (const t of owned) t.dispose();
  }
}
