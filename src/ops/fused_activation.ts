/**
 * The activations of fused.conv2d and fused.matMul, with TensorFlow.js's names. relu and relu6
 * are a clamp inside the GEMM tile; the others run as one pass over the output (unary.ts).
 */
import { describe } from "../errors.js";
import { type Tensor } from "../tensor.js";
import { activateInPlace, numberArg, trailingPeriod, type PassActivation } from "./unary.js";

export type Activation = "linear" | "relu" | "relu6" | "elu" | "prelu" | "leakyrelu" | "sigmoid";

const CLAMPS: Record<string, [number, number]> = { linear: [-Infinity, Infinity], relu: [0, Infinity], relu6: [0, 6] };
const PASSES = ["elu", "prelu", "leakyrelu", "sigmoid"];

/** The output clamp [lo, hi] an activation takes in the GEMM tile (none for a pass: ±Infinity). */
export function activationBounds(activation: unknown, op: string): [number, number] {
  if (typeof activation === "string" && Object.prototype.hasOwnProperty.call(CLAMPS, activation)) return CLAMPS[activation];
  if (typeof activation === "string" && PASSES.includes(activation)) return CLAMPS.linear;
  throw new TypeError(
    `${op}: activation must be 'linear', 'relu', 'relu6', 'elu', 'prelu', 'leakyrelu' or 'sigmoid', got ${describe(activation)}`,
  );
}

/** Runs the pass of a non-clamp activation over `out` in place. */
export function finishActivation(
  out: Tensor, activation: Activation, preluWeights: Tensor | undefined, leakyreluAlpha: unknown, op: string,
): void {
  if (!PASSES.includes(activation)) return;
  activateInPlace(out, activation as PassActivation, { alpha: leakyreluAlpha as number | undefined, preluWeights, op });
}

/** Checks the activation's own arguments against the output shape, before any work is done. */
export function checkActivationArgs(
  activation: Activation, preluWeights: Tensor | undefined, leakyreluAlpha: unknown, outShape: number[], op: string,
): void {
  if (activation === "leakyrelu" && leakyreluAlpha !== undefined) numberArg(leakyreluAlpha, "leakyreluAlpha", op);
  if (activation !== "prelu") return;
  if (!preluWeights) throw new TypeError(`${op}: activation 'prelu' needs preluActivationWeights`);
  if (preluWeights.size !== 1) trailingPeriod(outShape, preluWeights.shape, "preluActivationWeights", op);
}
