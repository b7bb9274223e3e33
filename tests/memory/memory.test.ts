/**
 * The memory model: tensors live in the wasm memory, blocks are reused, growth keeps live
 * tensors valid, and tidy/keep/dispose/reshape/clone account for every byte.
 */
import { describe, expect, it, vi } from "vitest";
import { conv2dRef, randomData, rng, worstError } from "../helpers/reference.js";
import {
  conv2d, dispose, keep, maxPool, memory, relu, tensor, tidy, type Tensor,
} from "../../src/index.js";

/** Byte address of a tensor's data in wasm memory. */
const addressOf = (t: Tensor) => t.view().byteOffset;
const values = (n: number, seed: number) => randomData(n, rng(seed));

describe("soak", () => {
  it("500 conv → relu → maxPool rounds with dispose: memory returns to baseline and stops growing", () => {
    const filter = tensor(values(3 * 3 * 3 * 8, 1), [3, 3, 3, 8]);
    const baseline = memory();
    // Three input sizes in turn, so freed blocks of different sizes must be reused.
    const sizes = [[1, 24, 24, 3], [2, 17, 13, 3], [1, 31, 9, 3]];
    const inputs = sizes.map((s, i) => values(s.reduce((a, b) => a * b, 1), 10 + i));
    const want = sizes.map((s, i) =>
      tidy(() => maxPool(relu(conv2d(tensor(inputs[i], s), filter, 1, "same")), 2, 2, "same").dataSync()),
    );
    let wasmAfter100 = 0;
    for (let round = 0; round < 500; round++) {
      const k = round % 3;
      const x = tensor(inputs[k], sizes[k]);
      const c = conv2d(x, filter, 1, "same");
      const r = relu(c);
      const p = maxPool(r, 2, 2, "same");
      if (round % 50 === 0) expect(p.dataSync()).toEqual(want[k]);
      dispose([x, c, r, p]);
      if (round === 100) wasmAfter100 = memory().wasmBytes;
    }
    expect(memory().numTensors).toBe(baseline.numTensors);
    expect(memory().numBytes).toBe(baseline.numBytes);
    expect(memory().wasmBytes).toBe(wasmAfter100);
  });

  it("a tidy loop of 500 rounds leaves nothing behind", () => {
    const filter = tensor(values(2 * 2 * 4 * 5, 2), [2, 2, 4, 5]);
    const x = tensor(values(12 * 12 * 4, 3), [1, 12, 12, 4]);
    const baseline = memory();
    for (let round = 0; round < 500; round++) {
      // Nothing returned, so the tidy disposes all three results.
      tidy(() => {
        maxPool(relu(conv2d(x, filter, 1, "valid")), 2, 2, "valid");
      });
    }
    expect(memory()).toEqual(baseline);
  });
});

describe("growth", () => {
  it("live tensors keep their contents while big allocations grow the memory", () => {
    const small = Array.from({ length: 20 }, (_, i) => i * 1.5 - 7);
    const live = [tensor(small, [4, 5]), tensor(small.map((v) => -v), [20]), tensor([3.25])];
    const reshaped = live[0].reshape([2, 10]);
    const before = memory().wasmBytes;
    const big: Tensor[] = [];
    for (let i = 0; i < 3; i++) big.push(tensor(new Float32Array(4 << 20).fill(i + 1)));
    expect(memory().wasmBytes).toBeGreaterThan(before);
    expect(memory().wasmBytes).toBeGreaterThanOrEqual(3 * (16 << 20));
    expect(Array.from(live[0].dataSync())).toEqual(small);
    expect(Array.from(live[1].dataSync())).toEqual(small.map((v) => -v));
    expect(live[2].arraySync()).toEqual([3.25]);
    expect(Array.from(reshaped.view())).toEqual(small);
    // The big ones hold what was written, at both ends.
    big.forEach((t, i) => {
      const v = t.view();
      expect([v[0], v[v.length - 1]]).toEqual([i + 1, i + 1]);
    });
    // Ops on pre-growth tensors still compute right.
    expect(Array.from(relu(live[1]).dataSync())).toEqual(small.map((v) => Math.max(-v, 0)));
    dispose([live, reshaped, big]);
  });

  it("an op whose output grows the memory reads its inputs correctly", () => {
    const x = tensor(values(128 * 128, 4), [1, 128, 128, 1]);
    // Enough output channels that the output alone is larger than the whole memory now.
    const co = Math.ceil(memory().wasmBytes / (128 * 128 * 4)) + 16;
    const w = tensor(values(co, 5), [1, 1, 1, co]);
    const before = memory().wasmBytes;
    const y = conv2d(x, w, 1, "valid");
    expect(memory().wasmBytes).toBeGreaterThan(before);
    const xd = x.dataSync();
    const wd = w.dataSync();
    const yd = y.dataSync();
    let mismatches = 0;
    for (let p = 0; p < xd.length; p++) {
      for (let o = 0; o < co; o++) if (yd[p * co + o] !== Math.fround(xd[p] * wd[o])) mismatches++;
    }
    expect(mismatches).toBe(0);
    dispose([x, w, y]);
  });

  it("view(): an old view reads as empty after growth, never as stale numbers; a new view is right", () => {
    const t = tensor([1, 2, 3, 4]);
    const old = t.view();
    expect(Array.from(old)).toEqual([1, 2, 3, 4]);
    const grower = tensor(new Float32Array((memory().wasmBytes >> 2) + 1024));
    // The memory grew, so the old ArrayBuffer is detached: the view has length 0, its
    // elements read as undefined and iterating it throws a TypeError.
    expect(old.length).toBe(0);
    expect(old[0]).toBeUndefined();
    expect(() => Array.from(old)).toThrow(TypeError);
    expect(Array.from(t.view())).toEqual([1, 2, 3, 4]);
    // A view writes through to the tensor.
    t.view()[2] = 30;
    expect(Array.from(t.dataSync())).toEqual([1, 2, 30, 4]);
    dispose([t, grower]);
  });

  it("tensor(other.view()) copies right even when that allocation grows the memory", async () => {
    // A fresh copy of the library, so its memory starts at its initial 1 MiB.
    vi.resetModules();
    const lib = await import("../../src/index.js");
    const src = lib.tensor(Array.from({ length: 1 << 18 }, (_, i) => i % 251)); // 1 MiB
    const before = lib.memory();
    const copy = lib.tensor(src.view());
    expect(lib.memory().wasmBytes).toBeGreaterThan(before.wasmBytes);
    expect(copy.dataSync()).toEqual(src.dataSync());
    expect(lib.memory().numTensors).toBe(before.numTensors + 1);
    lib.dispose([src, copy]);
  });

  it("dataSync() returns a copy that outlives growth and disposal", () => {
    const t = tensor([5, 6, 7]);
    const copy = t.dataSync();
    const grower = tensor(new Float32Array((memory().wasmBytes >> 2) + 1024));
    t.dispose();
    expect(Array.from(copy)).toEqual([5, 6, 7]);
    grower.dispose();
  });
});

describe("allocator", () => {
  it("reuses a disposed block for the next tensor of the same size", () => {
    const a = tensor(new Float32Array(100));
    const b = tensor(new Float32Array(100));
    const c = tensor(new Float32Array(100));
    const where = addressOf(b);
    b.dispose();
    const d = tensor(new Float32Array(100).fill(2));
    expect(addressOf(d)).toBe(where);
    // Its neighbours were not touched by the reuse.
    expect(a.dataSync().every((v) => v === 0)).toBe(true);
    expect(c.dataSync().every((v) => v === 0)).toBe(true);
    dispose([a, c, d]);
  });

  it("coalesces neighbouring free blocks so a larger tensor fits where two were", () => {
    const a = tensor(new Float32Array(64));
    const b = tensor(new Float32Array(64));
    const c = tensor(new Float32Array(64));
    const guard = tensor(new Float32Array(4)); // keeps the freed blocks below the top
    const where = addressOf(a);
    a.dispose();
    b.dispose();
    const big = tensor(new Float32Array(128 + 4).fill(1));
    expect(addressOf(big)).toBe(where);
    dispose([c, guard, big]);
  });

  it("returns the top of the heap, so a steady workload stops growing", () => {
    const baseline = memory();
    const t = tensor(new Float32Array(1 << 18));
    const where = addressOf(t);
    t.dispose();
    const u = tensor(new Float32Array(1 << 18));
    expect(addressOf(u)).toBe(where);
    u.dispose();
    expect(memory()).toEqual({ ...baseline, wasmBytes: memory().wasmBytes });
  });

  it("aligns every tensor to 16 bytes and leaves at least 16 bytes of slack after each", () => {
    const ts = [1, 2, 3, 4, 5, 7, 8, 13, 16].map((n) => tensor(new Float32Array(n)));
    for (const t of ts) expect(addressOf(t) % 16).toBe(0);
    // Allocated back to back at the top of the heap, so each next block starts after the slack.
    for (let i = 1; i < ts.length; i++) {
      expect(addressOf(ts[i]) - addressOf(ts[i - 1])).toBeGreaterThanOrEqual(ts[i - 1].size * 4 + 16);
    }
    dispose(ts);
  });

  it("counts numBytes as 4 bytes per value and numTensors per tensor", () => {
    const baseline = memory();
    const t = tensor(new Float32Array(10));
    expect(memory().numTensors).toBe(baseline.numTensors + 1);
    expect(memory().numBytes).toBe(baseline.numBytes + 40);
    t.dispose();
    expect(memory().numBytes).toBe(baseline.numBytes);
  });
});

describe("tidy, keep, dispose", () => {
  it("disposes everything made inside except what is returned", () => {
    const baseline = memory();
    let inner: Tensor | undefined;
    const out = tidy(() => {
      inner = tensor([1, -2]);
      return relu(inner);
    });
    expect(inner!.isDisposed).toBe(true);
    expect(out.isDisposed).toBe(false);
    expect(Array.from(out.dataSync())).toEqual([1, 0]);
    out.dispose();
    expect(memory()).toEqual(baseline);
  });

  it("keeps tensors returned in arrays and objects, nested", () => {
    const baseline = memory();
    let scratch: Tensor | undefined;
    const out = tidy(() => {
      scratch = tensor([0]);
      return { a: tensor([1]), list: [tensor([2]), { b: tensor([3]) }] };
    });
    expect(scratch!.isDisposed).toBe(true);
    expect(out.a.dataSync()[0]).toBe(1);
    expect(out.list[0] instanceof Object && (out.list[0] as Tensor).dataSync()[0]).toBe(2);
    expect(((out.list[1] as { b: Tensor }).b).dataSync()[0]).toBe(3);
    dispose(out);
    expect(memory()).toEqual(baseline);
  });

  it("keeps tensors held by a returned class instance, as tfjs does", () => {
    class Features {
      constructor(readonly edges: Tensor, readonly pooled: Tensor) {}
    }
    const out = tidy(() => {
      const e = relu(tensor([-1, 2, -3, 4], [1, 2, 2, 1]));
      return new Features(e, maxPool(e, 2, 2, "valid"));
    });
    expect(out.edges.isDisposed).toBe(false);
    expect(Array.from(out.pooled.dataSync())).toEqual([4]);
    dispose(out);
    expect(out.edges.isDisposed && out.pooled.isDisposed).toBe(true);
  });

  it("nested tidy: the inner result survives the inner scope and belongs to the outer one", () => {
    const baseline = memory();
    let innerResult: Tensor | undefined;
    let innerScratch: Tensor | undefined;
    const outer = tidy(() => {
      innerResult = tidy(() => {
        innerScratch = tensor([9]);
        return tensor([1, 2]);
      });
      expect(innerScratch!.isDisposed).toBe(true);
      expect(innerResult.isDisposed).toBe(false);
      return tensor([3]);
    });
    // The inner result was not returned by the outer tidy, so it is gone now.
    expect(innerResult!.isDisposed).toBe(true);
    expect(outer.isDisposed).toBe(false);
    outer.dispose();
    expect(memory()).toEqual(baseline);
  });

  it("keep() saves a tensor from every enclosing tidy", () => {
    const baseline = memory();
    let kept: Tensor | undefined;
    tidy(() => {
      tidy(() => {
        kept = keep(tensor([7]));
        tensor([8]);
      });
    });
    expect(kept!.isDisposed).toBe(false);
    expect(memory().numTensors).toBe(baseline.numTensors + 1);
    kept!.dispose();
    expect(memory()).toEqual(baseline);
  });

  it("tensors made outside a tidy and returned from it are left alone", () => {
    const t = tensor([1]);
    const out = tidy(() => t);
    expect(out).toBe(t);
    expect(t.isDisposed).toBe(false);
    t.dispose();
  });

  it("dispose() takes a tensor, an array or an object, and is safe twice", () => {
    const baseline = memory();
    const a = tensor([1]);
    const b = tensor([2]);
    const c = tensor([3]);
    dispose(a);
    dispose([b, { c, again: a }]);
    expect([a, b, c].every((t) => t.isDisposed)).toBe(true);
    dispose([a, b, c]);
    expect(memory()).toEqual(baseline);
  });
});

describe("reshape and clone", () => {
  it("reshape shares the data and frees it only after the last tensor over it is disposed", () => {
    const baseline = memory();
    const t = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const r = t.reshape([3, 2]);
    const flat = r.reshape([-1]);
    expect(r.shape).toEqual([3, 2]);
    expect(flat.shape).toEqual([6]);
    expect(addressOf(r)).toBe(addressOf(t));
    expect(memory().numTensors).toBe(baseline.numTensors + 3);
    expect(memory().numBytes).toBe(baseline.numBytes + 24); // counted once
    t.view()[0] = 10; // shared: visible through every reshape
    expect(r.arraySync()).toEqual([[10, 2], [3, 4], [5, 6]]);
    t.dispose();
    expect(Array.from(flat.dataSync())).toEqual([10, 2, 3, 4, 5, 6]);
    expect(memory().numBytes).toBe(baseline.numBytes + 24);
    r.dispose();
    flat.dispose();
    expect(memory()).toEqual(baseline);
  });

  it("a reshape stays valid when the original is disposed and its block would be reused", () => {
    const t = tensor([1, 2, 3, 4]);
    const r = t.reshape([2, 2]);
    t.dispose();
    const other = tensor([9, 9, 9, 9]);
    expect(addressOf(other)).not.toBe(addressOf(r));
    expect(r.arraySync()).toEqual([[1, 2], [3, 4]]);
    dispose([r, other]);
  });

  it("clone is an independent copy of the same shape", () => {
    const baseline = memory();
    const t = tensor([1, 2, 3, 4, 5, 6], [1, 2, 3]);
    const c = t.clone();
    expect(c.shape).toEqual([1, 2, 3]);
    expect(addressOf(c)).not.toBe(addressOf(t));
    expect(c.arraySync()).toEqual(t.arraySync());
    t.view()[0] = 100;
    expect(c.dataSync()[0]).toBe(1);
    t.dispose();
    expect(Array.from(c.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    c.dispose();
    expect(memory()).toEqual(baseline);
  });

  it("clone of a reshape copies only that tensor's data, and survives growth", () => {
    const t = tensor(Array.from({ length: 33 }, (_, i) => i));
    const r = t.reshape([3, 11]);
    const c = r.clone();
    const grower = tensor(new Float32Array((memory().wasmBytes >> 2) + 1024));
    expect(Array.from(c.dataSync())).toEqual(Array.from({ length: 33 }, (_, i) => i));
    const c2 = c.clone();
    expect(c2.shape).toEqual([3, 11]);
    expect(Array.from(c2.dataSync())).toEqual(Array.from(c.dataSync()));
    dispose([t, r, c, c2, grower]);
  });
});

describe("the grid still holds after heavy churn", () => {
  it("conv2d is right on tensors allocated into reused, fragmented memory", () => {
    // Fragment the heap: allocate many, free every other one.
    const junk = Array.from({ length: 40 }, (_, i) => tensor(new Float32Array(17 + i * 13).fill(NaN)));
    junk.forEach((t, i) => i % 2 && t.dispose());
    const c = { x: [2, 9, 8, 5] as [number, number, number, number], filter: [3, 3, 5, 17] as [number, number, number, number], strides: [1, 1] as [number, number], dilations: [1, 1] as [number, number], pad: "same" as const };
    const xd = values(2 * 9 * 8 * 5, 6);
    const wd = values(3 * 3 * 5 * 17, 7);
    const y = tidy(() => conv2d(tensor(xd, c.x), tensor(wd, c.filter), 1, "same"));
    expect(worstError(y.dataSync(), conv2dRef(xd, c, undefined, "linear", wd)).err).toBeLessThan(16);
    dispose([y, junk]);
  });
});
