/** Checks shared by the Winograd paths' band tests (tests/ops/conv2d_winograd_bands.test.ts, conv2d_winograd4.test.ts). */
import { expect } from "vitest";
import { backend } from "../../src/loader/backend.js";
import { setWinogradBandBytes } from "../../src/ops/conv2d_plan.js";
import { convInputs, runConvCase, type ConvCase } from "./cases.js";
import { conv2dRef, worstError } from "./reference.js";
import { bitsOf, expectSameBits } from "./same-bits.js";

/** The direct bound of the float64 reference for a 3×3 conv (no looser tolerance for Winograd). */
export const winogradBound = (c: ConvCase) => (9 * c.filter[2]) / 16 + 1;

/**
 * `c` in one call is within the bound of the float64 reference, and in bands cut by each of
 * `bandBytes` it gives the one-call result bit for bit.
 */
export function expectBandsMatchOneCall(c: ConvCase, seed: number, bandBytes: number[]): void {
  const inputs = convInputs(c, seed);
  try {
    setWinogradBandBytes(Infinity);
    const whole = runConvCase(c, inputs).data;
    const want = conv2dRef(inputs.x, c, inputs.bias, c.activation ?? "linear", inputs.filter);
    expect(worstError(whole, want).err).toBeLessThanOrEqual(winogradBound(c));
    for (const bytes of bandBytes) {
      setWinogradBandBytes(bytes);
      expectSameBits([bitsOf(whole)], [bitsOf(runConvCase(c, inputs).data)], `${c.name}, bound ${bytes}`);
    }
  } finally {
    setWinogradBandBytes(4 << 20);
  }
}

/** The largest Winograd scratch block VGG16's largest layer (224×224×64 → 64) allocates. */
export function vggScratchPeak(): number {
  const c: ConvCase = { name: "vgg", x: [1, 224, 224, 64], filter: [3, 3, 64, 64], strides: [1, 1], dilations: [1, 1], pad: "same" };
  const inputs = convInputs(c, 5);
  const heap = backend().heap;
  let peak = 0;
  const alloc = heap.alloc.bind(heap);
  heap.alloc = (n, what, kind) => {
    if (what === "conv2d winograd scratch") peak = Math.max(peak, n);
    return alloc(n, what, kind);
  };
  try {
    runConvCase(c, inputs);
  } finally {
    heap.alloc = alloc;
  }
  return peak;
}
