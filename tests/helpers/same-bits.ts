import { expect } from "vitest";

/** Outputs as raw float32 bits, so -0, NaN payloads and every last bit must agree. */
export function bitsOf(values: Float32Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length);
}

/** Fails at the first differing element (a deep equality of large arrays is slow in browsers). */
export function expectSameBits(want: Uint32Array[], got: Uint32Array[], what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let k = 0; k < want.length; k++) {
    expect(got[k].length, `${what}: output ${k} length`).toBe(want[k].length);
    const at = want[k].findIndex((v, i) => v !== got[k][i]);
    expect(at, `${what}: output ${k} differs first at element ${at}`).toBe(-1);
  }
}
