/**
 * assembly/image's drawing kernels (src/image/kernels_wasm.ts), which simdconv/image installs
 * in Node, against the JavaScript loops they replace: the same ranks, levels and panel
 * pixels, bit for bit, on awkward values (NaN, ±Infinity, -0, subnormals, exact halves) and
 * sizes (odd widths, tails under a vector, borders, boxes of every shape).
 */
import { afterEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { colormapTable, levelsToRaster, mapLevels, rankedValues, setDrawKernels, valueRange, type ColormapName, type MapLayout } from "../../src/image/colormap.js";
import { wasmDrawKernels } from "../../src/image/kernels_wasm.js";
import { rng } from "../helpers/reference.js";

afterEach(() => setDrawKernels(null));

/** Runs `f` with the JavaScript loops, then with the wasm kernels (checking they were asked). */
function both<T>(f: () => T): [T, T] {
  setDrawKernels(null);
  const js = f();
  let asked = 0;
  setDrawKernels(() => (asked++, wasmDrawKernels()));
  const wasm = f();
  setDrawKernels(null);
  expect(asked).toBeGreaterThan(0);
  return [js, wasm];
}

function awkwardMap(n: number, seed: number): Float32Array {
  const rand = rng(seed);
  const special = [NaN, Infinity, -Infinity, -0, 0, 1e-42, -1e-42, 0.5 / 255, 1.5 / 255, 3.4e38, -3.4e38];
  return Float32Array.from({ length: n }, (_, i) => {
    const r = rand();
    if (r < 0.02) return special[i % special.length];
    if (r < 0.3) return Math.max(0, rand() * 2 - 1); // ReLU-like zeros
    if (r < 0.4) return Math.floor(rand() * 9) / 8; // exact steps
    return (rand() - 0.45) * 10 ** (rand() * 6 - 3);
  });
}

describe("the wasm drawing kernels give the JavaScript loops' results", () => {
  it("are available in Node (so the CLI uses them)", () => {
    expect(wasmDrawKernels()).not.toBeNull();
  });

  it("rank the interior exactly as the JavaScript passes do", () => {
    const cases: [number, number, number][] = [[1, 1, 0], [1, 17, 0], [3, 3, 1], [37, 53, 1], [101, 67, 3], [5, 200000, 1], [2, 70000, 0]];
    cases.forEach(([height, width, border], k) => {
      const values = awkwardMap(height * width, k + 1);
      const layout: MapLayout = { height, width, stride: 1, channel: 0, border };
      const ranksOf = (count: number) => [0, Math.floor(count * 0.005), Math.floor(count / 2), Math.max(0, Math.ceil(count * 0.995) - 1), count - 1];
      const [js, wasm] = both(() => rankedValues(values, layout, ranksOf));
      expect(wasm, `${height}x${width} border ${border}`).toEqual(js);
      for (const normalize of ["percentile", "minmax", { percentile: [2, 98] }] as const) {
        const [a, b] = both(() => valueRange(values, normalize as never, layout));
        expect(b).toEqual(a);
      }
    });
    // A map of one value, and one with no finite value at all.
    const flat = new Float32Array(999).fill(0.25), none = new Float32Array(40).fill(NaN);
    for (const v of [flat, none]) {
      const [a, b] = both(() => rankedValues(v, { height: 1, width: v.length, stride: 1, channel: 0, border: 0 }, (n) => [0, n - 1]));
      expect(b).toEqual(a);
    }
  });

  it("count both histogram passes exactly, +0 (half a ReLU map) and NaN-adjacent bins included", () => {
    const [height, width, border] = [61, 1031, 2];
    const values = awkwardMap(height * width, 77);
    const layout: MapLayout = { height, width, stride: 1, channel: 0, border };
    const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
    const keyOf = (v: number) => ((f32[0] = v), u32[0] & 0x80000000 ? ~u32[0] >>> 0 : (u32[0] | 0x80000000) >>> 0);
    const high = new Uint32Array(65536);
    const bins = [0x8000, keyOf(0.25) >>> 16, keyOf(-1e-42) >>> 16, 0xff80]; // +0's, a step's, a subnormal's, +Infinity's (never counted)
    const lows = bins.map(() => new Uint32Array(65536));
    let count = 0;
    for (let y = border; y < height - border; y++) {
      for (let x = border; x < width - border; x++) {
        const v = values[y * width + x];
        if (!Number.isFinite(v)) continue;
        const k = keyOf(v);
        high[k >>> 16]++;
        count++;
        const s = bins.indexOf(k >>> 16);
        if (s >= 0) lows[s][k & 0xffff]++;
      }
    }
    const kernels = wasmDrawKernels()!;
    const got = kernels.keyHistogramHigh(values, layout);
    expect(got.count).toBe(count);
    expect(Buffer.from(got.high.buffer).equals(Buffer.from(high.buffer))).toBe(true);
    const gotLows = kernels.keyHistogramLow(values, layout, bins)!;
    gotLows.forEach((low, s) => expect(Buffer.from(low.buffer).equals(Buffer.from(lows[s].buffer)), `bin ${bins[s].toString(16)}`).toBe(true));
    expect(lows[0][0]).toBeGreaterThan(1000); // the zeros were there to count
  });

  it("level every value as mapLevels' float64 arithmetic does, tails and specials included", () => {
    for (const n of [1, 15, 16, 17, 65535, 65536, 65537, 200003]) {
      const values = awkwardMap(n, n);
      for (const range of [[0, 1], [-0.3, 0.7], [1 / 3, 2 / 3 + 1e-9], [-1e-3, 1e-3]] as [number, number][]) {
        const layout = { height: 1, width: n, stride: 1, channel: 0, border: 0 };
        const [a, b] = both(() => mapLevels(values, layout, range));
        expect(Buffer.compare(a, b), `n ${n} range ${range}`).toBe(0);
      }
    }
    // Values whose level sits exactly on a rounding boundary: x + 0.5 rounds up in float64.
    const halves = Float32Array.from({ length: 4096 }, (_, i) => (i + 0.5) / 255 / 16);
    const [a, b] = both(() => mapLevels(halves, { height: 1, width: halves.length, stride: 1, channel: 0, border: 0 }, [0, 1 / 16]));
    expect(Buffer.compare(a, b)).toBe(0);
  });

  it("shrink levels to a panel with the same pixels, for every box shape", () => {
    const rand = rng(9);
    const sizes: [number, number, number][] = [[2120, 1416, 240], [1000, 7, 3], [7, 1000, 240], [333, 501, 240], [640, 480, 100], [1500, 1500, 31]];
    for (const [width, height, to] of sizes) {
      const levels = Uint8Array.from({ length: width * height }, () => (rand() < 0.5 ? 255 : Math.floor(rand() * 256)));
      for (const colormap of ["magma", "gray"] as ColormapName[]) {
        const [a, b] = both(() => levelsToRaster({ width, height, levels, colormap }, to));
        expect([b.width, b.height]).toEqual([a.width, a.height]);
        expect(Buffer.compare(Buffer.from(a.data), Buffer.from(b.data)), `${width}x${height} → ${to} rows, ${colormap}`).toBe(0);
      }
    }
    expect(colormapTable("magma").length).toBe(768);
  });

  it("keep their SIMD loop (the levels are f64x2 arithmetic narrowed to bytes)", () => {
    const wat = readFileSync(fileURLToPath(new URL("../../build/image/simdconv-image.wat", import.meta.url)), "utf8");
    const levels = wat.slice(wat.indexOf("(func $assembly/image/index/f32_levels"));
    for (const op of ["f64x2.promote_low_f32x4", "f64x2.floor", "i32x4.trunc_sat_f64x2_s_zero", "i8x16.narrow_i16x8_u"]) expect(levels).toContain(op);
  });
});
