/**
 * conv2d and fused.conv2d: checks arguments, does the shape math, allocates the output and
 * calls the kernel. The bias and relu/relu6 run inside the kernel's tile; the other
 * activations as one pass over the output (fused_activation.ts).
 */
import { prepareConv2d, runConv2d } from "./conv2d_kernels.js";
import { empty, Tensor, toTensor, describe, type TensorLike } from "../tensor.js";
import { pair, window2d, type DimRoundingMode, type ExplicitPadding, type Padding } from "./conv_util.js";
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

function conv2dImpl(op: string, a: FusedConv2DArgs): Tensor {
  const owned: Tensor[] = [];
  const use = (v: unknown, name: string): Tensor => {
    const r = toTensor(v, name, op);
    if (r.owned) owned.push(r.t);
    return r.t;
  };
  try {
    const dataFormat = a.dataFormat ?? "NHWC";
    if (dataFormat !== "NHWC" && dataFormat !== "NCHW") {
      throw new TypeError(`${op}: dataFormat must be 'NHWC' or 'NCHW', got ${describe(dataFormat)}`);
    }
    const activation = a.activation ?? "linear";
    const [lo, hi] = activationBounds(activation, op);
    const x = use(a.x, "x");
    const filter = use(a.filter, "filter");
    if (x.rank !== 4 && x.rank !== 3) {
      throw new RangeError(`${op}: x must be rank 4 (NHWC) or rank 3 (HWC), got shape [${x.shape}]`);
    }
    if (filter.rank !== 4) {
      throw new RangeError(`${op}: filter must be rank 4 [kh, kw, inChannels, outChannels], got shape [${filter.shape}]`);
    }
    const s4 = x.rank === 4 ? x.shape : [1, ...x.shape];
    const [n, h, w, ci] = dataFormat === "NHWC" ? s4 : [s4[0], s4[2], s4[3], s4[1]];
    const [kh, kw, fci, co] = filter.shape;
    if (fci !== ci) {
      throw new RangeError(
        `${op}: x has ${ci} input channels but filter expects ${fci} (filter shape [${filter.shape}], x shape [${x.shape}])`,
      );
    }
    const strides = pair(a.strides, "strides", op);
    const dilations = pair(a.dilations ?? 1, "dilations", op);
    if (kh < 1 || kw < 1) throw new RangeError(`${op}: filter height and width must be ≥ 1, got [${filter.shape}]`);
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

    const prelu = activation === "prelu" && a.preluActivationWeights != null ? use(a.preluActivationWeights, "preluActivationWeights") : undefined;

    const outNhwc = [n, win.ho, win.wo, co];
    checkActivationArgs(activation, prelu, a.leakyreluAlpha, outNhwc, op);
    const outShape = dataFormat === "NHWC" ? outNhwc : [n, co, win.ho, win.wo];
    const finalShape = x.rank === 4 ? outShape : outShape.slice(1);
    const dims = { n, h, w, ci, co, kh, kw };
    if (n * win.ho * win.wo * co > 0) prepareConv2d(filter, bias, dims, win);
    const input = dataFormat === "NCHW" ? nchwToNhwc(x, [n, ci, h, w], op) : x;
    if (input !== x) owned.push(input);
    const out = empty(dataFormat === "NHWC" ? finalShape : outNhwc, op);
    if (out.size > 0) {
      try {
        runConv2d(input, filter, bias, out, dims, win, lo, hi);
        finishActivation(out, activation, prelu, a.leakyreluAlpha, op);
      } catch (e) {
        out.dispose(); // scratch that could not be allocated: nothing is returned, so nothing may stay held
        throw e;
      }
    }
    if (dataFormat === "NHWC") return out;
    owned.push(out);
    const nchw = nhwcToNchw(out, outNhwc, op);
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

/** Out-of-memory errors from packing or scratch name the data (conv2d packed weights...); prefix the op too. */
export function namingOp(op: string, e: unknown): unknown {
  if (e instanceof RangeError && !e.message.startsWith(`${op}:`)) e.message = `${op}: ${e.message}`;
  return e;
}
