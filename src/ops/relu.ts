/**
 * relu and relu6: one clamp kernel, [0, +inf) and [0, 6]. NaN stays NaN, as in TensorFlow.
 * The result is deferred (see DeferredJob in tensor.ts): read back at once, it is computed a
 * chunk at a time into cache and copied out, never written to memory in full.
 */
import { backend } from "../loader/backend.js";
import { defer, empty, Tensor, toTensor, type TensorLike } from "../tensor.js";

function clampOp(op: string, lo: number, hi: number) {
  return <T extends Tensor>(x: T | TensorLike): T => {
    const { t, owned } = toTensor(x, "x", op);
    try {
      const out = empty(t.shape.slice(), op);
      if (out.size > 0) {
        const src = t.ptr();
        const n = t.size;
        // Kernels are looked up per call: starting threads swaps the backend.
        const run = (dst: number, i0: number, i1: number) => backend().kernels.f32_vclamp_simd(src + 4 * i0, dst, i1 - i0, lo, hi);
        defer(out, [t], { rows: n, rowFloats: 1, run, all: (dst) => run(dst, 0, n) });
      }
      return out as T;
    } finally {
      // A temporary input (x given as an array) is freed here, which computes `out` first.
      if (owned) t.dispose();
    }
  };
}

export const relu = clampOp("relu", 0, Infinity);
export const relu6 = clampOp("relu6", 0, 6);
