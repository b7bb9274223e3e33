/**
 * conv2d's plan (src/ops/conv2d_plan.ts): the ordered path table picks the path from the
 * filter and the options; createConv2d packs only what its path uses, once, and keeps its path;
 * plain conv2d() goes through the same table and caches its packing on the filter.
 */
import { readFileSync } from "node:fs";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { conv2d, createConv2d, tensor, type Tensor } from "../../src/index.js";
import { backend } from "../../src/loader/backend.js";
import { Heap } from "../../src/memory/heap.js";
import { CONV_PATHS, convGeometry, planConv2d, setWinogradMode, type PathName } from "../../src/ops/conv2d_plan.js";
import { dot4Floats, NR, packingsOf } from "../../src/ops/conv2d_packing.js";
import type { Padding } from "../../src/ops/conv_util.js";
import { randomData, rng } from "../helpers/reference.js";

const saved = setWinogradMode("auto");
afterEach(() => void setWinogradMode("auto"));
afterAll(() => void setWinogradMode(saved));

type PlanCase = [string, number[], number | [number, number], Padding, PathName];
const plans: PlanCase[] = [
  ["1→1 3×3 (image filter)", [3, 3, 1, 1], 1, "same", "direct1"],
  ["1→1 3×3 stride 2 (the direct kernel needs width stride 1)", [3, 3, 1, 1], 2, "same", "dot1"],
  ["3→1 3×3 (RGB image filter)", [3, 3, 3, 1], 1, "same", "dot1"],
  ["64→1 3×3 (a last 1-map conv, before Winograd)", [3, 3, 64, 1], 1, "same", "dot1"],
  ["3→3 5×5 (RGB image filter)", [5, 5, 3, 3], 1, "same", "dot4"],
  ["64→4 3×3 (before Winograd)", [3, 3, 64, 4], 1, "same", "dot4"],
  ["16→4 1×1 (before the GEMM)", [1, 1, 16, 4], 1, "valid", "dot4"],
  ["16→32 3×3 stride 1", [3, 3, 16, 32], 1, "same", "winograd"],
  ["8→8 3×3 stride 1 valid", [3, 3, 8, 8], 1, "valid", "winograd"],
  ["32→64 3×3 stride 1 (too few input channels for F(4×4))", [3, 3, 32, 64], 1, "valid", "winograd"],
  ["64→32 3×3 stride 1 (too few output channels for F(4×4))", [3, 3, 64, 32], 1, "same", "winograd"],
  ["64→64 3×3 stride 1", [3, 3, 64, 64], 1, "same", "winograd4"],
  ["512→512 3×3 stride 1 valid", [3, 3, 512, 512], 1, "valid", "winograd4"],
  ["64→64 3×3 stride 1, a pad as wide as the window", [3, 3, 64, 64], 1, [[0, 0], [3, 0], [0, 0], [0, 0]], "winograd"],
  ["4→64 3×3 stride 1 (too few input channels for Winograd)", [3, 3, 4, 64], 1, "same", "im2col"],
  ["32→64 1×1 same", [1, 1, 32, 64], 1, "same", "gemm"],
  ["32→64 1×1 explicit zero pads", [1, 1, 32, 64], 1, [[0, 0], [0, 0], [0, 0], [0, 0]], "gemm"],
  ["32→64 1×1 padded bottom", [1, 1, 32, 64], 1, [[0, 0], [0, 1], [0, 0], [0, 0]], "igemm"],
  ["32→64 1×1 stride 2", [1, 1, 32, 64], 2, "valid", "subsample"],
  ["32→64 1×1 stride [1, 2] same (no padding on a 1×1 window)", [1, 1, 32, 64], [1, 2], "same", "subsample"],
  ["32→64 1×1 stride 2 padded", [1, 1, 32, 64], 2, [[0, 0], [1, 0], [0, 0], [0, 0]], "im2col"],
  ["3→64 7×7 stride 2 (stem)", [7, 7, 3, 64], 2, "same", "im2col"],
  ["16→16 3×3 stride 2", [3, 3, 16, 16], 2, "same", "im2col"],
  ["16→16 5×5 stride 1", [5, 5, 16, 16], 1, "same", "igemm"],
  ["8→16 3×3 stride 2", [3, 3, 8, 16], 2, "same", "igemm"],
];

describe("the path table", () => {
  it("names each path once, ends in a path that always applies, and cites the bench behind each", () => {
    expect(new Set(CONV_PATHS.map((p) => p.name)).size).toBe(CONV_PATHS.length);
    expect(CONV_PATHS.at(-1)!.when({ ci: 1, co: 1, kh: 1, kw: 1, sh: 9, sw: 9, dh: 1, dw: 1, mayPad: true })).toBe(true);
    // The evidence is the comment just above each entry, naming a bench under bench/.
    const source = readFileSync(new URL("../../src/ops/conv2d_plan.ts", import.meta.url), "utf8");
    for (const p of CONV_PATHS) {
      expect(p.kernels.length, p.name).toBeGreaterThan(0);
      const doc = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*\{\s*name: "(\w+)"/g;
      const found = [...source.matchAll(doc)].find((m) => m[2] === p.name);
      expect(found?.[1], p.name).toMatch(/bench[/ ]/);
    }
  });

  it.each(plans)("%s: filter %j, strides %j, pad %j → %s", (_name, shape, strides, pad, want) => {
    const s: [number, number] = typeof strides === "number" ? [strides, strides] : strides;
    expect(planConv2d(convGeometry(shape, s, [1, 1], pad)).name).toBe(want);
  });

  it("Winograd's mode switch moves eligible shapes only", () => {
    setWinogradMode("on");
    expect(planConv2d(convGeometry([3, 3, 4, 64], [1, 1], [1, 1], "same")).name).toBe("winograd");
    expect(planConv2d(convGeometry([3, 3, 16, 16], [2, 2], [1, 1], "same")).name).toBe("im2col");
    setWinogradMode("off");
    expect(planConv2d(convGeometry([3, 3, 16, 32], [1, 1], [1, 1], "same")).name).toBe("igemm");
  });
});

/** Bytes the heap gives a block of `floats` floats. */
const block = (floats: number) => Heap.blockSize(floats * 4);
const gemmFloats = (k: number, co: number) => Math.ceil(co / NR) * (NR + NR * k);
const winogradFloats = (ci: number, co: number) => 16 * Math.ceil(co / NR) * NR * ci;

function filterOf(shape: number[], seed: number): Tensor {
  return tensor(randomData(shape.reduce((a, b) => a * b, 1), rng(seed)), shape);
}

describe("createConv2d packs only what its path uses", () => {
  // Operators made here hold one packing (or a 1→1 filter); the zero row is shared, so it
  // is made first by a conv that needs a larger one than any case below.
  const warm = () => {
    const x = tensor(new Float32Array(1 * 3 * 3 * 300), [1, 3, 3, 300]);
    const f = tensor(new Float32Array(3 * 3 * 300 * 8), [3, 3, 300, 8]);
    conv2d(x, f, 1, "same").dispose();
    x.dispose();
    f.dispose();
  };

  it.each([
    ["a Winograd-eligible 3×3 filter holds only Winograd weights", [3, 3, 16, 24], "winograd"],
    ["a 5×5 filter holds only the GEMM packing", [5, 5, 16, 24], "gemm"],
    ["a 1→1 filter holds no packing", [3, 3, 1, 1], "none"],
    ["a 3→3 filter holds only its dot4 packing", [5, 5, 3, 3], "dot4"],
  ] as const)("%s, before and after it runs", (_name, shape, packing) => {
    warm();
    const heap = backend().heap;
    const [kh, kw, ci, co] = shape;
    const w = filterOf([...shape], 7);
    const before = heap.liveBytes;
    const op = createConv2d(w, { strides: 1, pad: "same" });
    const packed = packing === "winograd" ? block(winogradFloats(ci, co)) : packing === "gemm" ? block(gemmFloats(kh * kw * ci, co))
      : packing === "dot4" ? block(dot4Floats(kh, kw, ci)) : 0;
    // The operator owns its packing and keeps no HWIO copy; a filter its path reads as it is (none) is kept.
    const held = packing === "none" ? block(kh * kw * ci * co) : packed;
    expect(heap.liveBytes - before).toBe(held);
    const x = tensor(randomData(2 * 9 * 7 * ci, rng(3)), [2, 9, 7, ci]);
    const afterX = heap.liveBytes;
    op.run(x).dispose();
    op.run(x).dispose();
    expect(heap.liveBytes, "run() packs nothing more").toBe(afterX);
    x.dispose();
    op.dispose();
    expect(heap.liveBytes).toBe(before);
    w.dispose();
  });

  it("an operator keeps the path it was made with when the Winograd mode changes", () => {
    warm();
    const heap = backend().heap;
    const w = filterOf([3, 3, 16, 8], 9);
    const op = createConv2d(w, { strides: 1, pad: "valid" });
    const x = tensor(randomData(1 * 6 * 6 * 16, rng(4)), [1, 6, 6, 16]);
    const want = Array.from(conv2d(x, w, 1, "valid").dataSync());
    setWinogradMode("off");
    const before = heap.liveBytes;
    const y = op.run(x);
    expect(Array.from(y.dataSync())).toEqual(want);
    y.dispose();
    expect(heap.liveBytes).toBe(before);
    for (const t of [op, x, w]) t.dispose();
  });
});

describe("plain conv2d() goes through the same plan", () => {
  it.each([
    [[3, 3, 16, 8], ["winograd"]],
    [[5, 5, 16, 8], ["gemm"]],
    [[1, 1, 16, 8], ["gemm"]],
    [[3, 3, 1, 1], []],
  ])("filter %j caches %j on its storage, once", (shape, want) => {
    const w = filterOf(shape, 11);
    const x = tensor(randomData(1 * 6 * 6 * shape[2], rng(5)), [1, 6, 6, shape[2]]);
    conv2d(x, w, 1, "same").dispose();
    conv2d(x, w, 1, "same").dispose();
    expect(packingsOf(w)).toEqual(want);
    x.dispose();
    w.dispose();
  });
});
