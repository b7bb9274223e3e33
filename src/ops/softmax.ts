/** softmax over the last axis (f32_softmax_simd, rows split across threads). */
import { describe } from "../errors.js";
import { defer, empty, Tensor, toTensor, type TensorLike } from "../tensor.js";
import { backend } from "../loader/backend.js";
import { runRows } from "./dispatch.js";

export function softmax<T extends Tensor>(logits: T | TensorLike, dim = -1): T {
  const op = "softmax";
  const { t, owned } = toTensor(logits, "logits", op);
  try {
    if (typeof dim !== "number" || !Number.isInteger(dim)) {
      throw new TypeError(`${op}: dim must be an integer, got ${describe(dim)}`);
    }
    if (t.rank === 0) throw new RangeError(`${op}: logits must have rank 1 or more, got a scalar`);
    if (dim === -1) dim = t.rank - 1;
    if (dim !== t.rank - 1) {
      // TensorFlow.js's wording.
      throw new RangeError(
        `Softmax along a non-last dimension is not yet supported. Logits was rank ${t.rank} and dim was ${dim}`,
      );
    }
    const out = empty(t.shape.slice(), op);
    const c = t.shape[t.rank - 1];
    if (out.size > 0) {
      const src = t.ptr();
      const rows = t.size / c;
      defer(out, [t], {
        rows,
        rowFloats: c,
        run: (dst, r0, r1) => backend().kernels.f32_softmax_simd(src, dst - r0 * c * 4, c, r0, r1),
        all: (dst) => runRows("f32_softmax_simd", [src, dst, c], rows, 24 * c),
      });
    }
    return out as T;
  } finally {
    if (owned) t.dispose();
  }
}
