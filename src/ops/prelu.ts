/** prelu: x < 0 ? alpha·x : x, alpha broadcast to x's shape (one slope per channel, usually). */
import { empty, Tensor, toTensor, type TensorLike } from "../tensor.js";
import { preluPass } from "./unary.js";

export function prelu<T extends Tensor>(x: T | TensorLike, alpha: Tensor | TensorLike): T {
  const op = "prelu";
  const xs = toTensor(x, "x", op);
  let as: ReturnType<typeof toTensor> | undefined;
  try {
    as = toTensor(alpha, "alpha", op);
    const out = empty(xs.t.shape.slice(), op);
    try {
      if (out.size > 0) preluPass(xs.t, out.ptr(), as.t, "alpha", op, xs.t.ptr());
    } catch (e) {
      out.dispose();
      throw e;
    }
    return out as T;
  } finally {
    if (xs.owned) xs.t.dispose();
    if (as?.owned) as.t.dispose();
  }
}
