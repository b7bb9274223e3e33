/**
 * Wasm memory a model needs: building and running the VGG16 conv base must grow the memory by at
 * most 1.2 × (its packed weights + its two largest activations), as memory() reports it. The
 * operators keep no HWIO copy beside their packing, the HWIO values pass through wasm memory
 * above the packing only while it is made, and Winograd's scratch is bounded (bands of
 * tile-rows), so what is left is the heap's geometric growth.
 */
import { describe, expect, it } from "vitest";
import * as sc from "../../src/index.js";
import { backend } from "../../src/loader/backend.js";
import { packingBytes } from "../../src/ops/conv2d_packing.js";
import { convGeometry, planConv2d } from "../../src/ops/conv2d_plan.js";

/** Keras's VGG16 without its top: 13 same-padded 3×3 relu convs in 5 blocks, each ending in a 2×2 max pool. */
function vgg16Base(size: number): sc.Layer[] {
  const out: sc.Layer[] = [];
  for (const [filters, convs] of [[64, 2], [128, 2], [256, 3], [512, 3], [512, 3]]) {
    for (let c = 0; c < convs; c++) {
      const first = out.length === 0 ? { inputShape: [size, size, 3] } : {};
      out.push(sc.layers.conv2d({ ...first, filters, kernelSize: 3, padding: "same", activation: "relu" }));
    }
    out.push(sc.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  }
  return out;
}

/** Packed bytes of a same-padded 3×3 conv from ci to co channels on the path the plan gives it (GEMM, Winograd F(2×2) or F(4×4)). */
const packed = (ci: number, co: number) => {
  const kind = planConv2d(convGeometry([3, 3, ci, co], [1, 1], [1, 1], "same")).packing;
  return kind === "none" ? 0 : packingBytes(kind, 3, 3, ci, co);
};

describe("wasm memory of a model", () => {
  it("the VGG16 conv base at 64×64 grows memory by at most 1.2 × (packed weights + two largest activations)", () => {
    const size = 64;
    const before = sc.memory().wasmBytes;
    const model = sc.sequential({ layers: vgg16Base(size) });
    let weights = 0;
    const acts = [size * size * 3 * 4];
    let ci = 3;
    let hw = size;
    for (const l of model.layers) {
      if (l.className === "Conv2D") {
        const co = l.outputShape[3] as number;
        weights += packed(ci, co);
        ci = co;
      } else hw >>= 1;
      acts.push(hw * hw * ci * 4);
    }
    acts.sort((a, b) => b - a);
    const budget = weights + acts[0] + acts[1];
    const x = sc.tensor(new Float32Array(size * size * 3).fill(0.5), [1, size, size, 3]);
    for (let i = 0; i < 2; i++) model.predict(x).dispose();
    const grown = sc.memory().wasmBytes - before;
    model.dispose();
    x.dispose();
    expect(grown / budget).toBeLessThanOrEqual(1.2);
    // The model cannot fit in less than its packed weights.
    expect(grown).toBeGreaterThan(weights);
  });

  it("packs the weights when the model is built, so no predict pays for it", () => {
    const heap = backend().heap;
    const before = heap.inUse.packing;
    const model = sc.sequential({ layers: vgg16Base(32) });
    let weights = 0;
    let ci = 3;
    for (const l of model.layers) {
      if (l.className !== "Conv2D") continue;
      const co = l.outputShape[3] as number;
      weights += packed(ci, co);
      ci = co;
    }
    try {
      expect(heap.inUse.packing - before).toBeGreaterThanOrEqual(weights);
    } finally {
      model.dispose();
    }
  });
});
