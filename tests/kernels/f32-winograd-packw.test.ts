/**
 * f32_winograd_2x2_3x3_packw_hwio_x8 (the transformed filter U = G g Gᵀ, packed per position and
 * 8-channel block) against the same float64 arithmetic in JS, rounded once: bit for bit, with
 * output channels around the 4-channel vector and the 8-channel block (its zero padding
 * included), and the filter's last vector ending at its block's end; and the same bits when
 * its 8-channel blocks are packed in separate calls (as threads share them out).
 */
import { describe, expect, it } from "vitest";
import { backend } from "../../src/loader/backend.js";
import { tensor } from "../../src/index.js";
import { debugKernels } from "../helpers/debug-kernels.js";
import { randomData, rng } from "../helpers/reference.js";

/** Row i of G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1] applied to (a, b, d), in float64 as the kernel does. */
const gRow = (i: number, a: number, b: number, d: number) => (i === 0 ? a : i === 1 ? 0.5 * (a + b + d) : i === 2 ? 0.5 * (a - b + d) : d);

function reference(w: Float32Array, ci: number, co: number): Float32Array {
  const blocks = Math.ceil(co / 8);
  const u = new Float32Array(16 * blocks * ci * 8);
  const at = (p: number, o: number, k: number) => ((p * blocks + (o >> 3)) * ci + k) * 8 + (o & 7);
  for (let k = 0; k < ci; k++) {
    for (let o = 0; o < co; o++) {
      const g = (ky: number, kx: number) => w[((ky * 3 + kx) * ci + k) * co + o];
      for (let i = 0; i < 4; i++) {
        const t = [0, 1, 2].map((kx) => gRow(i, g(0, kx), g(1, kx), g(2, kx)));
        for (let j = 0; j < 4; j++) u[at(4 * i + j, o, k)] = Math.fround(gRow(j, t[0], t[1], t[2]));
      }
    }
  }
  return u;
}

describe(`f32_winograd_2x2_3x3_packw_hwio_x8 (${backend().build} build)`, () => {
  it.each([[1, 1], [3, 3], [8, 4], [5, 5], [4, 7], [8, 8], [2, 9], [16, 12], [3, 13], [12, 20], [64, 64]])("ci %i, co %i: the float64 transform rounded once, bit for bit", (ci, co) => {
    const values = randomData(9 * ci * co, rng(ci * 100 + co)).map((v) => v * 3);
    const w = tensor(values, [3, 3, ci, co]);
    const want = reference(values, ci, co);
    const u = tensor(new Float32Array(want.length).fill(NaN));
    debugKernels().f32_winograd_2x2_3x3_packw_hwio_x8(w.ptr(), u.ptr(), ci, co, 0, Math.ceil(co / 8));
    const got = u.dataSync();
    const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);
    const gb = bits(got);
    const wb = bits(want);
    const first = wb.findIndex((v, i) => v !== gb[i]);
    expect(first, `first difference at ${first}: ${got[first]} vs ${want[first]}`).toBe(-1);
    w.dispose();
    u.dispose();
  });

  it.each([[5, 20], [16, 36], [3, 13]])("ci %i, co %i: block ranges packed one by one, last first, give the same bits", (ci, co) => {
    const values = randomData(9 * ci * co, rng(ci * 7 + co)).map((v) => v * 3);
    const w = tensor(values, [3, 3, ci, co]);
    const want = reference(values, ci, co);
    const u = tensor(new Float32Array(want.length).fill(NaN));
    const blocks = Math.ceil(co / 8);
    for (let b = blocks - 1; b >= 0; b--) debugKernels().f32_winograd_2x2_3x3_packw_hwio_x8(w.ptr(), u.ptr(), ci, co, b, b + 1);
    debugKernels().f32_winograd_2x2_3x3_packw_hwio_x8(w.ptr(), u.ptr(), ci, co, blocks, blocks); // an empty range writes nothing
    expect(Array.from(new Uint32Array(u.dataSync().buffer))).toEqual(Array.from(new Uint32Array(want.buffer)));
    w.dispose();
    u.dispose();
  });
});
