/** relu and relu6: one clamp kernel, [0, +inf) and [0, 6]. NaN stays NaN, as in TensorFlow. */
import { backend } from "../loader/backend.js";
import { empty, Tensor, toTensor, type TensorLike } from "../tensor.js";

function clampOp(op: string, lo: number, hi: number) {
  return <T extends Tensor>(x: T | TensorLike): T => {
    const { t, owned } = toTensor(x, "x", op);
    try {
      const out = empty(t.shape.slice(), op);
      if (out.size > 0) backend().kernels.f32_vclamp_simd(t.ptr(), out.ptr(), t.size, lo, hi);
      return out as T;
    } finally {
      if (owned) t.dispose();
    }
  };
}

export const relu = clampOp("relu", 0, Infinity);
export const relu6 = clampOp("relu6", 0, 6);
