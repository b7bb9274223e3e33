/**
 * The Winograd F(4×4, 3×3) kernels (assembly/f32-winograd/f32_winograd_4x4_3x3.ts) called directly:
 * the filter transform bit for bit against the same float64 arithmetic in JS; the conv on its
 * edge-case grid (heights and widths 1–9 and 13, so every remainder of the 4-row and 4-column
 * tile; a single pixel; SAME, VALID and explicit pads; ci around the 4-channel transform; co
 * around the 8-channel block and its halves; batch > 1; bias; each activation; ci up to 512)
 * against the float64 reference within the direct bound K·2⁻²⁴·Σ|x·w|, the same tolerance as
 * every conv kernel; and the same bits for any cut into work units and any split of them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backend } from "../../src/loader/backend.js";
import { tensor, type Tensor } from "../../src/index.js";
import { winograd4Weights } from "../../src/ops/conv2d_packing.js";
import { winogradUnitBytes } from "../../src/ops/conv2d_winograd.js";
import { debugKernels } from "../helpers/debug-kernels.js";
import { randomData, rng } from "../helpers/reference.js";
import { BOUNDS, check, conv, data, geometry, interleavedUnits, named, zeroRow, type Act, type KernelCase, type Runner } from "./conv.js";

/** Row i of G (¼; -⅙ -⅙ -⅙; -⅙ ⅙ -⅙; 1/24 1/12 ⅙; 1/24 -1/12 ⅙; 0 0 1) on (a, b, d), in float64 as the kernel does. */
const gRow = (i: number, a: number, b: number, d: number) =>
  [a * 0.25, (a + d + b) * (-1 / 6), (a + d - b) * (-1 / 6), (a + d * 4 + b * 2) * (1 / 24), (a + d * 4 - b * 2) * (1 / 24), d][i];

function packReference(w: Float32Array, ci: number, co: number): Float32Array {
  const blocks = Math.ceil(co / 8);
  const u = new Float32Array(36 * blocks * ci * 8);
  const at = (p: number, o: number, k: number) => ((p * blocks + (o >> 3)) * ci + k) * 8 + (o & 7);
  for (let k = 0; k < ci; k++) {
    for (let o = 0; o < co; o++) {
      const g = (ky: number, kx: number) => w[((ky * 3 + kx) * ci + k) * co + o];
      for (let i = 0; i < 6; i++) {
        const t = [0, 1, 2].map((kx) => gRow(i, g(0, kx), g(1, kx), g(2, kx)));
        for (let j = 0; j < 6; j++) u[at(6 * i + j, o, k)] = Math.fround(gRow(j, t[0], t[1], t[2]));
      }
    }
  }
  return u;
}

describe(`f32_winograd_4x4_3x3_packw_hwio_x8 (${backend().build} build)`, () => {
  it.each([[1, 1], [3, 3], [8, 4], [5, 5], [4, 7], [8, 8], [2, 9], [16, 12], [3, 13], [12, 20], [64, 64]])(
    "ci %i, co %i: the float64 transform rounded once, bit for bit (zero past co)",
    (ci, co) => {
      const values = randomData(9 * ci * co, rng(ci * 100 + co)).map((v) => v * 3);
      const w = tensor(values, [3, 3, ci, co]);
      const want = packReference(values, ci, co);
      const u = tensor(new Float32Array(want.length).fill(NaN));
      // Blocks in two calls, the later ones first: each block depends on its own channels only.
      const blocks = Math.ceil(co / 8);
      const half = blocks >> 1;
      debugKernels().f32_winograd_4x4_3x3_packw_hwio_x8(w.ptr(), u.ptr(), ci, co, half, blocks);
      debugKernels().f32_winograd_4x4_3x3_packw_hwio_x8(w.ptr(), u.ptr(), ci, co, 0, half);
      const got = u.dataSync();
      const gb = new Uint32Array(got.buffer, got.byteOffset, got.length);
      const wb = new Uint32Array(want.buffer);
      const first = wb.findIndex((v, i) => v !== gb[i]);
      expect(first, `first difference at ${first}: ${got[first]} vs ${want[first]}`).toBe(-1);
      w.dispose();
      u.dispose();
    },
  );
});

/** Work units: groups of `groupRows` tile-rows (4 output rows each) × `parts` channel ranges. */
const units = (c: KernelCase, groupRows: number, parts: number) => Math.ceil((c.x[0] * Math.ceil(geometry(c).ho / 4)) / groupRows) * parts;

const winograd4 = (groupRows: number, parts: number, chunk: number): Runner => (c, x, w, b, y, r0, r1) => {
  const { pt, pl, ho, wo } = geometry(c);
  const [, , ci, co] = c.filter;
  const u = winograd4Weights(w, ci, co);
  const zero = zeroRow(ci + 3);
  const scratch = tensor(new Float32Array((units(c, groupRows, parts) * winogradUnitBytes(groupRows, wo, ci, 4, Math.min(chunk, Math.ceil(Math.ceil(co / 8) / parts)))) / 4).fill(NaN));
  const [lo, hi] = BOUNDS[c.act];
  debugKernels().f32_winograd_4x4_3x3_nhwc_minmax_4x8_simd(
    x.ptr(), u, b ? b.ptr() : 0, zero.ptr(), scratch.ptr(), y.ptr(), c.x[0], c.x[1], c.x[2], ci, ho, wo, co,
    pt, pl, groupRows, parts, chunk, lo, hi, r0, r1,
  );
  zero.dispose();
  scratch.dispose();
};

/** The edge grid of the 4×4 tile. */
function grid(): KernelCase[] {
  const out: KernelCase[] = [];
  const acts: Act[] = ["linear", "relu", "relu6"];
  // From 32 input channels, as the plan (WINOGRAD4_MIN_CI): with few, an output whose window holds
  // few inputs (a corner, a pad of 2) can pass the direct bound, which shrinks with ci while the
  // transforms' rounding comes from the whole 6×6 tile (docs/kernels.md). ci 32–35 and 40 cover
  // the 4-channel transform's remainders.
  for (const ci of [32, 33, 34, 35, 40])
    for (const co of [1, 4, 5, 8, 9, 17])
      out.push(conv([1, 6, 7, ci], [3, 3, ci, co], { bias: co % 2 === 1, act: acts[ci % 3] }));
  for (const [h, w] of [[1, 1], [1, 4], [2, 3], [3, 3], [4, 4], [5, 5], [6, 7], [7, 6], [8, 8], [9, 9], [13, 2], [2, 13], [10, 11]])
    for (const pad of ["same", "valid", [0, 1, 1, 0], [2, 0, 0, 2]] as KernelCase["pad"][])
      if (pad !== "valid" || (h >= 3 && w >= 3)) out.push(conv([1, h, w, 33], [3, 3, 33, 10], { pad, bias: h % 2 === 0, act: acts[w % 3] }));
  out.push(
    conv([3, 7, 5, 36], [3, 3, 36, 12], { bias: true, act: "relu" }),
    conv([2, 9, 9, 33], [3, 3, 33, 40], { bias: true, act: "relu6" }),
    conv([2, 11, 10, 64], [3, 3, 64, 64], { pad: "valid" }),
    conv([1, 9, 17, 128], [3, 3, 128, 24], { bias: true }),
    conv([1, 8, 8, 256], [3, 3, 256, 16], { bias: true, act: "relu" }),
    conv([1, 6, 7, 512], [3, 3, 512, 9], { pad: [1, 2, 0, 1] }),
  );
  return out;
}

describe(`f32_winograd_4x4_3x3_nhwc_minmax_4x8_simd (${backend().build} build)`, () => {
  let worst = 0;
  afterAll(() => {
    if (process.env.SIMDCONV_WINOGRAD_REPORT) console.log(`winograd 4x4 worst error / direct bound: ${worst.toFixed(3)} (${backend().build})`);
  });
  // Groups of 1–3 tile-rows, 1–3 channel parts (more parts than 8-channel blocks included),
  // chunks of 1, 2 or all blocks.
  const cases = named(grid()).map(([name, c, i]) => [name, 1 + (i % 3), 1 + (Math.floor(i / 3) % 3), [1, 2, 99][Math.floor(i / 9) % 3], c, i] as const);
  it.each(cases)("%s groupRows=%i parts=%i chunk=%i: within the direct bound", (_name, groupRows, parts, chunk, c, i) => {
    worst = Math.max(worst, check(winograd4(groupRows, parts, chunk), c, 700 + i, (k) => units(k, groupRows, parts)));
  });
});

describe("Winograd F(4×4) gives the same bits for every cut into units and every split of them, several calls at once on one scratch", () => {
  const c = conv([2, 13, 11, 12], [3, 3, 12, 20], { bias: true, act: "relu" });
  const [, , ci, co] = c.filter;
  let x: Tensor, w: Tensor, b: Tensor, zero: Tensor, u: number, one: number[];
  const runSplit = (groupRows: number, parts: number, chunk: number, cuts: number[]) => {
    const { ho, wo } = geometry(c);
    const n = units(c, groupRows, parts);
    const scratch = tensor(new Float32Array((n * winogradUnitBytes(groupRows, wo, ci, 4, Math.min(chunk, Math.ceil(Math.ceil(co / 8) / parts)))) / 4));
    const y = tensor(new Float32Array(2 * ho * wo * co).fill(NaN));
    interleavedUnits(n, cuts, (r0, r1) =>
      debugKernels().f32_winograd_4x4_3x3_nhwc_minmax_4x8_simd(
        x.ptr(), u, b.ptr(), zero.ptr(), scratch.ptr(), y.ptr(), 2, c.x[1], c.x[2], ci, ho, wo, co,
        1, 1, groupRows, parts, chunk, 0, Infinity, r0, r1,
      ));
    const out = Array.from(y.dataSync());
    y.dispose();
    scratch.dispose();
    return out;
  };
  beforeAll(() => {
    const d = data(c, 5);
    x = tensor(d.x, c.x);
    w = tensor(d.w, c.filter);
    b = tensor(d.b!, [co]);
    u = winograd4Weights(w, ci, co);
    zero = zeroRow(ci + 3);
    one = runSplit(1, 1, 1, [0]);
  });
  afterAll(() => {
    for (const t of [x, w, b, zero]) t.dispose();
  });

  it("one call over every unit writes every output", () => {
    expect(one.some(Number.isNaN)).toBe(false);
  });

  const splits: [number, number, number, number[]][] = [];
  for (const [groupRows, parts, chunk] of [[1, 1, 3], [2, 1, 1], [3, 2, 2], [1, 3, 1], [4, 2, 3], [10, 3, 1]])
    for (const cuts of [[0], [0, 1], [0, 3, 4], [0, 1, 2, 3, 4, 5]]) splits.push([groupRows, parts, chunk, cuts]);
  it.each(splits)("groupRows=%i parts=%i chunk=%i cuts=%j", (groupRows, parts, chunk, cuts) => {
    expect(runSplit(groupRows, parts, chunk, cuts)).toEqual(one);
  });
});
