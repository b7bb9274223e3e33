/**
 * The create/run split for conv2d (XNNPACK's operator model): `createConv2d` checks the filter
 * and options once, picks the conv's path from the plan (conv2d_plan.ts) and packs only the
 * weights that path uses; `run(x)` then only does per-input work, on that path. Plain
 * `conv2d()` takes the same plan per call and finds its packing in the cache on the filter;
 * the operator makes the lifetime explicit and keeps its own copy of the filter, so the caller
 * may dispose or reuse theirs.
 */
import { describe } from "../errors.js";
import { keep, tensor, Tensor, toTensor, type TensorLike } from "../tensor.js";
import { conv2dWithPath, namingOp, type FusedConv2DArgs } from "./conv2d.js";
import { convGeometry, planConv2d, prepareConv2d, type ConvPath } from "./conv2d_plan.js";
import { pair } from "./conv_util.js";

/** fused.conv2d's arguments without x and filter. */
export type Conv2DOptions = Omit<FusedConv2DArgs, "x" | "filter">;

export interface Conv2DOperator {
  /** conv2d(x) with this operator's filter, bias and options; same result as `fused.conv2d`. */
  run<T extends Tensor>(x: T | TensorLike): T;
  /** Frees the operator's filter copy and packed weights. Safe to call twice. */
  dispose(): void;
}

const op = "createConv2d";

/** An owned copy that no `tidy` around the caller will dispose. */
function ownCopy(v: unknown, name: string): Tensor {
  const { t, owned } = toTensor(v, name, op);
  return keep(owned ? t : t.clone());
}

export function createConv2d(filter: Tensor | TensorLike, options: Conv2DOptions): Conv2DOperator {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${op}: options must be an object { strides, pad, ... }, got ${describe(options)}`);
  }
  const f = ownCopy(filter, "filter");
  let b: Tensor | undefined;
  let path: ConvPath;
  try {
    if (f.rank !== 4) {
      throw new RangeError(`${op}: filter must be rank 4 [kh, kw, inChannels, outChannels], got shape [${f.shape}]`);
    }
    const [kh, kw, ci, co] = f.shape;
    if (options.bias !== undefined && options.bias !== null) {
      b = ownCopy(options.bias, "bias");
      if (b.size !== co && b.size !== 1) {
        throw new RangeError(`${op}: bias must have ${co} values (one per output channel) or 1, got shape [${b.shape}]`);
      }
      if (b.size === 1 && co !== 1) {
        const one = b;
        b = keep(tensor(new Float32Array(co).fill(one.dataSync()[0])));
        one.dispose();
      }
    }
    // The path depends on the filter and the options only, so it is fixed here, and only its
    // packing is made. Bad strides or dilations are reported now rather than at the first run.
    const strides = pair(options.strides, "strides", op);
    const dilations = pair(options.dilations ?? 1, "dilations", op);
    path = planConv2d(convGeometry(f.shape, strides, dilations, options.pad));
    if (f.size > 0) prepareConv2d(path, f, b, { kh, kw, ci, co });
  } catch (e) {
    f.dispose();
    b?.dispose();
    throw namingOp(op, e);
  }
  let disposed = false;
  return {
    run<T extends Tensor>(x: T | TensorLike): T {
      if (disposed) throw new TypeError(`${op}: run() called after dispose()`);
      return conv2dWithPath<T>({ ...options, x, filter: f, bias: b }, path);
    },
    dispose() {
      disposed = true;
      f.dispose();
      b?.dispose();
    },
  };
}
