/** leakyRelu: x < 0 ? alpha·x : x (f32_vlrelu_simd). */
import type { Tensor, TensorLike } from "../tensor.js";
import { numberArg, unaryOp } from "./unary.js";

export function leakyRelu<T extends Tensor>(x: T | TensorLike, alpha = 0.2): T {
  const a = numberArg(alpha, "alpha", "leakyRelu");
  return unaryOp("leakyRelu", (k, xp, y, n) => k.f32_vlrelu_simd(xp, y, n, a))(x);
}
