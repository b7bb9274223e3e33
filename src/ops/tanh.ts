/** tanh (f32_vtanh_simd). */
import { unaryOp } from "./unary.js";

export const tanh = unaryOp("tanh", (k, x, y, n) => k.f32_vtanh_simd(x, y, n));
