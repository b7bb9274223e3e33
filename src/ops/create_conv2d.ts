/**
 * The create/run split for conv2d (XNNPACK's operator model): `createConv2d` checks the filter
 * and options once, picks the conv's path from the plan (conv2d_plan.ts) and packs only the
 * weights that path uses, into a block the operator owns; `run(x)` then only does per-input
 * work, on that path. Plain `conv2d()` takes the same plan per call and finds its packing in
 * the cache on the filter. The operator keeps no copy of the HWIO filter (except on direct1,
 * which reads it as it is), so the caller may dispose or reuse theirs, and a model's weights
 * are in wasm memory once, packed.
 */
import { describe, namingOp } from "../errors.js";
import { backend } from "../loader/backend.js";
import { keep, tensor, Tensor, toTensor, type TensorLike } from "../tensor.js";
import { conv2dPrepared, type FusedConv2DArgs, type PreparedConv2D } from "./conv2d.js";
import { convGeometry, planConv2d } from "./conv2d_plan.js";
import { packInto, packingBytes, zeros } from "./conv2d_packing.js";
import { pair } from "./conv_util.js";

/** fused.conv2d's arguments without x and filter. */
export type Conv2DOptions = Omit<FusedConv2DArgs, "x" | "filter">;

export interface Conv2DOperator {
  /** conv2d(x) with this operator's filter, bias and options; same result as `fused.conv2d`. */
  run<T extends Tensor>(x: T | TensorLike): T;
  /** Frees the operator's packed weights (and bias). Safe to call twice. */
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
  const { t: f, owned } = toTensor(filter, "filter", op);
  try {
    if (f.rank !== 4) {
      throw new RangeError(`${op}: filter must be rank 4 [kh, kw, inChannels, outChannels], got shape [${f.shape}]`);
    }
    return operator(f.shape, () => f, options);
  } finally {
    if (owned) f.dispose();
  }
}

/**
 * @internal An operator over an HWIO filter of `shape` given as values (a model's weights): the
 * packed block is allocated first and the values copied into wasm memory above it only for
 * the packing, so freeing them leaves no hole below the weights.
 */
export function createConv2dFromValues(values: Float32Array, shape: number[], options: Conv2DOptions): Conv2DOperator {
  return operator(shape, () => tensor(values, shape), options, true);
}

/**
 * Checks the options, plans the path, allocates its packing and packs `hwio()` (the filter,
 * asked for after the packing is allocated; disposed after when `temporary`).
 */
function operator(shape: number[], hwio: () => Tensor, options: Conv2DOptions, temporary = false): Conv2DOperator {
  const heap = backend().heap;
  const [kh, kw, ci, co] = shape;
  let b: Tensor | undefined;
  let prepared: PreparedConv2D | undefined;
  let packedBytes = 0;
  let packed = 0;
  let f: Tensor | undefined;
  try {
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
    const path = planConv2d(convGeometry(shape, strides, dilations, options.pad));
    const size = kh * kw * ci * co;
    const z = path.zeroFloats(ci);
    if (size > 0 && z > 0) zeros(heap, z);
    let kept: Tensor | undefined;
    if (path.packing === "none") {
      f = hwio();
      kept = keep(temporary ? f : f.clone());
      if (temporary) f = undefined;
    } else if (size > 0) {
      packedBytes = packingBytes(path.packing, kh, kw, ci, co);
      packed = heap.alloc(packedBytes, "conv2d packed weights", "packing");
      f = hwio();
      packInto(path.packing, f.ptr(), b ? b.ptr() : 0, packed, kh, kw, ci, co);
    }
    prepared = { path, filterShape: shape.slice(), packed, filter: kept };
  } catch (e) {
    b?.dispose();
    if (packed) heap.free(packed, packedBytes, "packing");
    throw namingOp(op, e);
  } finally {
    if (temporary) f?.dispose();
  }
  const p = prepared;
  let disposed = false;
  return {
    run<T extends Tensor>(x: T | TensorLike): T {
      if (disposed) throw new TypeError(`${op}: run() called after dispose()`);
      return conv2dPrepared<T>({ ...options, x, bias: b }, p);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      if (p.packed) heap.free(p.packed, packedBytes, "packing");
      p.filter?.dispose();
      b?.dispose();
    },
  };
}
