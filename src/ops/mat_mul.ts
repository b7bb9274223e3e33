/**
 * matMul and fused.matMul over the conv GEMM kernels: a matMul is a 1×1 conv whose "pixels"
 * are a's rows and whose HWIO filter is b ([k, n]). b is packed into the tile layout with the
 * bias first (packedWeights, cached on b's storage, so a dense layer's weights are packed once);
 * batched or transposed b is packed per call. Rank ≥ 2, batch axes broadcast as in tfjs.
 */
import { backend } from "../loader/backend.js";
import { describe, namingOp } from "../errors.js";
import { empty, Tensor, toTensor, type TensorLike } from "../tensor.js";
import { gemmFor } from "./conv2d_plan.js";
import { packedBytes, packedWeights } from "./conv2d_packing.js";
import { runRows } from "./dispatch.js";
import { nchwToNhwc } from "./transpose.js";
import { broadcastIndex } from "./unary.js";
import { activationBounds, checkActivationArgs, finishActivation, type Activation } from "./fused_activation.js";

export interface FusedMatMulArgs {
  a: Tensor | TensorLike;
  b: Tensor | TensorLike;
  transposeA?: boolean;
  transposeB?: boolean;
  bias?: Tensor | TensorLike;
  activation?: Activation;
  preluActivationWeights?: Tensor | TensorLike;
  leakyreluAlpha?: number;
}

export function matMul<T extends Tensor>(
  a: Tensor | TensorLike, b: Tensor | TensorLike, transposeA = false, transposeB = false,
): T {
  return matMulImpl("matMul", { a, b, transposeA, transposeB }) as T;
}

/** matMul + bias + activation (TensorFlow.js's `tf.fused.matMul`). */
export function fusedMatMul<T extends Tensor>(args: FusedMatMulArgs): T {
  if (typeof args !== "object" || args === null) {
    throw new TypeError(`fused.matMul: expects one object { a, b, ... }, got ${describe(args)}`);
  }
  return matMulImpl("fused.matMul", args) as T;
}

const product = (s: number[]) => s.reduce((p, d) => p * d, 1);

function matMulImpl(op: string, args: FusedMatMulArgs): Tensor {
  const owned: Tensor[] = [];
  const use = (v: unknown, name: string): Tensor => {
    const r = toTensor(v, name, op);
    if (r.owned) owned.push(r.t);
    return r.t;
  };
  const heap = backend().heap;
  let scratch = 0;
  let scratchBytes = 0;
  try {
    const transposeA = args.transposeA ?? false;
    const transposeB = args.transposeB ?? false;
    for (const [name, v] of [["transposeA", transposeA], ["transposeB", transposeB]]) {
      if (typeof v !== "boolean") throw new TypeError(`${op}: ${name} must be a boolean, got ${describe(v)}`);
    }
    const activation = args.activation ?? "linear";
    const [lo, hi] = activationBounds(activation, op);
    let a = use(args.a, "a");
    let b = use(args.b, "b");
    if (a.rank < 2) throw new RangeError(`${op}: a must have rank 2 or more, got shape [${a.shape}]`);
    if (b.rank < 2) throw new RangeError(`${op}: b must have rank 2 or more, got shape [${b.shape}]`);
    const ar = a.rank, br = b.rank;
    const [m, k] = transposeA ? [a.shape[ar - 1], a.shape[ar - 2]] : [a.shape[ar - 2], a.shape[ar - 1]];
    const [kb, n] = transposeB ? [b.shape[br - 1], b.shape[br - 2]] : [b.shape[br - 2], b.shape[br - 1]];
    if (k !== kb) {
      // TensorFlow.js's wording.
      throw new RangeError(
        `Error in matMul: inner shapes (${k}) and (${kb}) of Tensors with shapes ${a.shape} and ${b.shape} and ` +
          `transposeA=${transposeA} and transposeB=${transposeB} must match.`,
      );
    }
    const batchA = a.shape.slice(0, -2), batchB = b.shape.slice(0, -2);
    const batch = broadcastShape(batchA, batchB, op);
    const outShape = [...batch, m, n];

    let bias: Tensor | undefined;
    if (args.bias != null) {
      bias = use(args.bias, "bias");
      const last = bias.rank === 0 ? 1 : bias.shape[bias.rank - 1];
      if (bias.shape.slice(0, -1).some((d) => d !== 1) || bias.rank > outShape.length || (last !== n && last !== 1)) {
        throw new RangeError(`${op}: bias must have shape [${n}] (one value per output column) or [1], got shape [${bias.shape}]`);
      }
      if (bias.size === 1 && n !== 1) bias = use(new Float32Array(n).fill(bias.dataSync()[0]), "bias");
    }
    const prelu = activation === "prelu" && args.preluActivationWeights != null
      ? use(args.preluActivationWeights, "preluActivationWeights") : undefined;
    checkActivationArgs(activation, prelu, args.leakyreluAlpha, outShape, op);

    if (product(outShape) === 0) return empty(outShape, op);
    if (k === 0) {
      // Empty sums: the bias (or 0) on every row, then the activation.
      const out = empty(outShape, op);
      const f = heap.f32, base = out.ptr() >>> 2, bv = bias?.dataSync();
      for (let i = 0; i < out.size; i++) f[base + i] = bv ? bv[i % n] : 0;
      backend().kernels.f32_vclamp_simd(out.ptr(), out.ptr(), out.size, lo, hi);
      return finish(out);
    }
    // The kernels read a as [m, k] rows and b as [k, n]: transposed operands are copied so.
    if (transposeA) a = use(transposeLast2(a, op), "a");
    if (transposeB) b = use(transposeLast2(b, op), "b");
    const nA = product(batchA), nB = product(batchB);
    const gemm = gemmFor(k);
    const flops = 2 * n * k;
    if (nB === 1 && (nA === product(batch))) {
      // One b for every batch: pack it once (cached) and run a's rows as one GEMM.
      const packed = packedWeights(b, bias, k, n);
      const out = empty(outShape, op);
      // One row (a dense layer on one sample): the GEMV streams the weights once, where a
      // GEMM tile would spend its whole height on the row. Same bits as the GEMM.
      if (nA * m === 1) runRows("f32_gemv_minmax_x32_simd", [a.ptr(), packed, out.ptr(), k, n, lo, hi], (n + 7) >> 3, 16 * k);
      else runRows(gemm, [a.ptr(), packed, out.ptr(), k, n, 1, lo, hi], nA * m, flops);
      return finish(out);
    }
    scratchBytes = packedBytes(k, n);
    scratch = heap.alloc(scratchBytes, "packed b");
    const out = empty(outShape, op);
    const aIndex = broadcastIndex(batchA, batch), bIndex = broadcastIndex(batchB, batch);
    for (let i = 0; i < product(batch); i++) {
      backend().kernels.f32_packw_hwio_x8(b.ptr() + bIndex(i) * k * n * 4, bias ? bias.ptr() : 0, scratch, k, n);
      runRows(gemm, [a.ptr() + aIndex(i) * m * k * 4, scratch, out.ptr() + i * m * n * 4, k, n, 1, lo, hi], m, flops);
    }
    return finish(out);

    function finish(out: Tensor): Tensor {
      try {
        finishActivation(out, activation, prelu, args.leakyreluAlpha, op);
      } catch (e) {
        out.dispose();
        throw e;
      }
      return out;
    }
  } catch (e) {
    throw namingOp(op, e); // packing and scratch name themselves; say which op needed them
  } finally {
    if (scratch) heap.free(scratch, scratchBytes);
    for (const t of owned) t.dispose();
  }
}

/** The broadcast of two batch shapes, as tfjs's assertAndGetBroadcastShape words its error. */
function broadcastShape(a: number[], b: number[], op: string): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1, db = b[b.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(`${op}: Operands could not be broadcast together with shapes ${a} and ${b}.`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** A copy with the last two axes swapped: NCHW → NHWC with h = 1 does it. */
function transposeLast2(t: Tensor, op: string): Tensor {
  const [p, q] = t.shape.slice(-2);
  return nchwToNhwc(t, [t.size / (p * q), p, 1, q], op);
}
