/** sigmoid: 1 / (1 + e^-x) (f32_vsigmoid_simd). */
import { unaryOp } from "./unary.js";

export const sigmoid = unaryOp("sigmoid", (k, x, y, n) => k.f32_vsigmoid_simd(x, y, n, 0));
