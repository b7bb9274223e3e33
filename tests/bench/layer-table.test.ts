// The layer suite's table (bench/ops/layer-table.mjs) is well-formed: valid shapes with a
// non-empty output, unique ids, FLOPs as counted by hand for a few known layers.
import { describe, expect, it } from "vitest";
// @ts-ignore: a plain .mjs bench module without types
import { LAYERS, SKIPPED, flopsOf, outputShape, minBytes, isImageFilter } from "../../bench/ops/layer-table.mjs";

type Row = {
  id: string; group: string; label: string; op: string; x: number[]; f?: number[]; k?: number;
  stride?: number; pad?: string; quick: boolean; also: string[];
};
const rows = LAYERS as Row[];
const byId = (id: string) => rows.find((r) => r.id === id)!;

describe("layer suite table", () => {
  it("has unique ids, also across merged duplicates and skipped layers", () => {
    const ids = [...rows.flatMap((r) => [r.id, ...r.also]), ...SKIPPED.map((s: { id: string }) => s.id)];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("has no two rows with the same op and shape", () => {
    const keys = rows.map((r) => JSON.stringify([r.op, r.x, r.f, r.k, r.stride, r.pad]));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("gives every row a valid shape with an output of at least one element", () => {
    for (const r of rows) {
      expect(["conv", "relu", "maxPool"], r.id).toContain(r.op);
      expect(r.x.length, r.id).toBe(4);
      for (const d of r.x) expect(Number.isInteger(d) && d >= 1, r.id).toBe(true);
      if (r.op === "conv") {
        expect(r.f!.length, r.id).toBe(4);
        expect(r.f![2], `${r.id}: filter in-channels`).toBe(r.x[3]);
      }
      if (r.op !== "relu") {
        expect(["same", "valid"], r.id).toContain(r.pad);
        expect(Number.isInteger(r.stride) && r.stride! >= 1, r.id).toBe(true);
      }
      const out = outputShape(r) as number[];
      for (const d of out) expect(Number.isInteger(d) && d >= 1, `${r.id}: output ${out}`).toBe(true);
      expect(r.label.length, r.id).toBeGreaterThan(0);
    }
  });

  it("counts FLOPs as 2·N·Ho·Wo·Co·Kh·Kw·Ci", () => {
    // VGG16 conv1_2: 224·224 outputs × 64 maps × 3·3·64 taps.
    expect(flopsOf(byId("vgg16.conv1_2"))).toBe(2 * 224 * 224 * 64 * 9 * 64);
    expect(flopsOf(byId("vgg16.conv1_2"))).toBe(3_699_376_128);
    // The ResNet stem, 7×7 stride 2 SAME: 112×112 outputs.
    expect(outputShape(byId("resnet18.conv1"))).toEqual([1, 112, 112, 64]);
    expect(flopsOf(byId("resnet18.conv1"))).toBe(2 * 112 * 112 * 64 * 49 * 3);
    // A 1×1 stride-2 shortcut, 56² → 28².
    expect(flopsOf(byId("resnet50.conv3.downsample"))).toBe(2 * 28 * 28 * 512 * 256);
    // The course's first conv, VALID: 148×148.
    expect(flopsOf(byId("course150.conv1"))).toBe(2 * 148 * 148 * 32 * 9 * 3);
    // Batch 8 counts every image.
    expect(flopsOf(byId("batch8.course150.conv2"))).toBe(8 * flopsOf(byId("course150.conv2")));
    // The memory-bound ops do no multiply-adds.
    expect(flopsOf(byId("relu.1MB"))).toBe(0);
  });

  it("sizes pools and filters as TensorFlow does", () => {
    expect(outputShape(byId("resnet18.maxpool"))).toEqual([1, 56, 56, 64]); // 3×3 s2 SAME on 112
    expect(outputShape(byId("course150.pool4"))).toEqual([1, 7, 7, 128]); // 2×2 s2 VALID on 15
    expect(outputShape(byId("yolo_tiny.pool6_s1"))).toEqual([1, 13, 13, 512]); // stride 1 SAME
    expect(outputShape(byId("filter.4000x3000.1to1.3x3"))).toEqual([1, 3000, 4000, 1]);
    expect(minBytes(byId("relu.1MB"))).toBe(2 * 4 * 64 * 64 * 64);
  });

  it("covers the layer classes the suite is for", () => {
    const convs = rows.filter((r) => r.op === "conv");
    expect(convs.some((r) => r.f![0] === 7 && r.stride === 2)).toBe(true);
    expect(convs.some((r) => r.f![0] === 3 && r.stride === 2)).toBe(true);
    expect(convs.some((r) => r.f![0] === 1 && r.stride === 2)).toBe(true);
    for (const hw of [56, 28, 14, 7]) expect(convs.some((r) => r.f![0] === 1 && r.x[1] === hw), `1×1 at ${hw}²`).toBe(true);
    expect(rows.some((r) => r.x[0] === 8)).toBe(true);
    const filters = rows.filter(isImageFilter);
    for (const [h, w] of [[128, 128], [480, 720], [720, 1280], [3000, 4000]]) {
      expect(filters.some((r) => r.x[1] === h && r.x[2] === w && r.x[3] === 1), `${w}×${h}`).toBe(true);
    }
    const memoryBytes = rows.filter((r) => r.op === "relu").map((r) => 4 * r.x.reduce((a, b) => a * b, 1));
    expect(Math.min(...memoryBytes)).toBeLessThanOrEqual(110_000);
    expect(Math.max(...memoryBytes)).toBeGreaterThanOrEqual(50_000_000);
    expect(rows.filter((r) => r.quick).length).toBeGreaterThan(10);
  });
});
