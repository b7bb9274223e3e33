/** elu (x < 0 ? e^x - 1 : x) and selu (scale · elu with TensorFlow's α), f32_velu_simd. */
import { SELU_SCALE, SELU_SCALEALPHA, unaryOp } from "./unary.js";

export const elu = unaryOp("elu", (k, x, y, n) => k.f32_velu_simd(x, y, n, 1, 1));
export const selu = unaryOp("selu", (k, x, y, n) => k.f32_velu_simd(x, y, n, SELU_SCALEALPHA, SELU_SCALE));
