/**
 * The row-split ops other than conv and maxPool (tests/contracts/rows.test.ts checks those)
 * give the same bits on 1 and 2 threads, with every op split; so does the Winograd filter
 * packing a model's load shares out.
 */
import { afterAll, describe, expect, it } from "vitest";
import * as sc from "../../src/index.js";
import { backend } from "../../src/loader/backend.js";
import { winograd4Bytes, winograd4Weights, winogradBytes, winogradWeights } from "../../src/ops/conv2d_packing.js";
import { testing } from "../../src/threads/threads.js";
import { randomData, rng } from "../helpers/reference.js";
import { bitsOf, expectSameBits } from "../helpers/same-bits.js";


/**
 * Rounds an op is repeated until a worker has taken a chunk of it. Under load the calling
 * thread can finish every chunk of a small op (the Winograd packing of six blocks) before the
 * worker wakes, round after round: 5 rounds were seen to pass with no worker chunk.
 */
const ROUNDS = 100;

describe("the row-split ops give the same bits on 1 and 2 threads", () => {
  afterAll(async () => {
    testing.splitEverything(false);
    await sc.shutdownThreads();
  });
  function outputs(): Uint32Array[] {
    const rand = rng(5);
    const x = sc.tensor(randomData(2 * 23 * 19 * 13, rand).map((v) => v * 5), [2, 23, 19, 13]);
    const b = sc.tensor(randomData(13 * 21, rand), [13, 21]);
    const alpha = sc.tensor(randomData(13, rand));
    const ys = [
      sc.avgPool(x, 3, 2, "same"),
      sc.softmax(x),
      sc.batchNorm(x, alpha, alpha.clone(), alpha, alpha, 0.5),
      sc.prelu(x, alpha),
      sc.fused.matMul({ a: x.reshape([-1, 13]), b, activation: "elu" }),
      sc.matMul(sc.tensor(randomData(3 * 40 * 13, rand), [3, 40, 13]), sc.tensor(randomData(3 * 13 * 9, rand), [3, 13, 9])),
    ];
    const bits = ys.map((y) => bitsOf(y.dataSync()));
    sc.dispose([x, b, alpha, ...ys]);
    return bits;
  }
  it("avgPool, softmax, batchNorm, prelu, matMul", async () => {
    testing.splitEverything(true);
    await sc.init({ threads: 1 });
    const one = outputs();
    await sc.init({ threads: 2 });
    const before = testing.pool()!.workerChunks;
    // On a busy machine the calling thread may take every chunk of a round before the worker
    // wakes; the worker must take part in one of the rounds, and every round must agree.
    for (let round = 0; round < ROUNDS && testing.pool()!.workerChunks === before; round++) {
      expectSameBits(one, outputs(), `2 threads, round ${round}`);
    }
    expect(testing.pool()!.workerChunks).toBeGreaterThan(before);
    await sc.init({ threads: 1 });
  });

  /** The Winograd packing (F(2×2) or F(4×4)) of a fresh 3×3 filter, 13 → 45 channels (six 8-channel blocks, the last part-filled). */
  let tile = 2;
  function winogradPacking(): Uint32Array {
    const f = sc.tensor(randomData(9 * 13 * 45, rng(8)).map((v) => v * 3), [3, 3, 13, 45]);
    const ptr = tile === 4 ? winograd4Weights(f, 13, 45) : winogradWeights(f, 13, 45);
    const bytes = tile === 4 ? winograd4Bytes(13, 45) : winogradBytes(13, 45);
    const bits = new Uint32Array(backend().heap.u8.slice(ptr, ptr + bytes).buffer);
    f.dispose();
    return bits;
  }
  it.each([[2, 2], [4, 4]])("the Winograd filter packing, %i×%i output tiles", async (m) => {
    tile = m;
    testing.splitEverything(true);
    await sc.init({ threads: 1 });
    const one = winogradPacking();
    await sc.init({ threads: 2 });
    const before = testing.pool()!.workerChunks;
    for (let round = 0; round < ROUNDS && testing.pool()!.workerChunks === before; round++) {
      expectSameBits([one], [winogradPacking()], `2 threads, round ${round}`);
    }
    expect(testing.pool()!.workerChunks).toBeGreaterThan(before);
    await sc.init({ threads: 1 });
  });
});
