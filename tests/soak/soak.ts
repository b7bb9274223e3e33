/**
 * The soak: a long seeded run of random ops (tensor, relu, relu6, maxPool, conv2d, fused.conv2d,
 * createConv2d operators, reshape, clone, tidy, reads) on a changing set of live tensors that
 * are disposed in random order, switching between one and two threads. At the end everything is
 * disposed: memory() must be back at its baseline, the heap must hold no more than before, the
 * tensors made from data must still hold it, and the wasm memory must have stopped growing.
 * Used by tests/soak/soak.test.ts (short) and `npm run soak` (long).
 */
import {
  conv2d, createConv2d, fused, init, maxPool, memory, relu, relu6, setThreadsCount, tensor, tidy,
  type Conv2DOperator, type Tensor,
} from "../../src/index.js";
import { backend } from "../../src/loader/backend.js";
import { testing } from "../../src/threads/threads.js";
import { randomData, rng } from "../helpers/reference.js";

export interface SoakReport {
  build: string;
  seed: number;
  ops: number;
  /** Ops by name. */
  counts: Record<string, number>;
  /** Ops run on each thread count. */
  threads: Record<string, number>;
  /** Tensors and tensor bytes left once everything made was disposed (goal 0). */
  leakedTensors: number;
  leakedBytes: number;
  /** Heap bytes held by tensors and by packed weights beyond the baseline (goal 0). */
  leakedHeapTensorBytes: number;
  leakedHeapPackingBytes: number;
  /** Scratch beyond the baseline: only the shared zero row may grow (to the largest ci + 3 floats). */
  scratchGrowth: number;
  /** Tensors whose values changed while they were live (goal 0). */
  corrupted: number;
  /** wasm memory size at each twentieth of the run. */
  wasmBytes: number[];
  /** Growth of the wasm memory over the second half of the random run (new peaks of the live set grow it). */
  growthSecondHalf: number;
  /** Ops of the steady workload run twice after the random run, and the memory growth of its second run (goal 0). */
  steadyOps: number;
  steadyGrowth: number;
  /** The most heap bytes live at once: the wasm memory should stay within a small multiple. */
  peakLiveBytes: number;
  seconds: number;
}

interface Live {
  t: Tensor;
  /** The values it was made with, when made from data (checked before it is disposed). */
  data?: Float32Array;
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

export async function soak(ops: number, seed: number, log?: (line: string) => void): Promise<SoakReport> {
  let r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const heap = backend().heap;
  const base = memory();
  const baseHeap = { ...heap.inUse };
  const live: Live[] = [];
  const operators: { op: Conv2DOperator; ci: number }[] = [];
  const counts: Record<string, number> = {};
  const threads: Record<string, number> = {};
  const wasmBytes: number[] = [];
  let corrupted = 0;
  let peakLiveBytes = 0;
  let threadCount = 1;
  const started = Date.now();
  const count = (name: string) => (counts[name] = (counts[name] ?? 0) + 1);

  const check = (l: Live) => {
    if (!l.data) return;
    const got = l.t.dataSync();
    for (let i = 0; i < got.length; i++) {
      if (!Object.is(got[i], l.data[i])) {
        corrupted++;
        return;
      }
    }
  };
  const disposeAt = (i: number) => {
    const [l] = live.splice(i, 1);
    if (r() < 0.2) check(l);
    l.t.dispose();
  };
  const random4d = (): Tensor | undefined => {
    const cands = live.filter((l) => l.t.rank === 4 && l.t.size > 0);
    return cands.length ? cands[int(0, cands.length - 1)].t : undefined;
  };
  const made = (t: Tensor, data?: Float32Array) => live.push({ t, data });
  const fresh = () => {
    // Mostly small; one in ten up to 2 MB, so the memory grows and free blocks get split and merged.
    const shape = r() < 0.1 ? [1, int(8, 64), int(8, 64), int(1, 128)] : [int(1, 2), int(1, 14), int(1, 14), int(1, 20)];
    const data = randomData(size(shape), r);
    made(tensor(data, shape), data);
  };

  /** `n` random ops; threads on for every other tenth of them (every op split across them). */
  const phase = async (n: number, sample: boolean) => {
  for (let i = 0; i < n; i++) {
    const want = Math.floor(i / Math.max(1, Math.floor(n / 10))) % 2 === 1 ? 2 : 1;
    if (want !== threadCount) {
      if (want === 2) await init({ threads: 2 });
      setThreadsCount(want);
      testing.splitEverything(want === 2); // small ops too are shared out to the workers
      threadCount = want;
    }
    threads[threadCount] = (threads[threadCount] ?? 0) + 1;
    if (sample && i % Math.max(1, Math.floor(n / 20)) === 0) wasmBytes.push(heap.wasmBytes);

    const a = r();
    const x = random4d();
    if (!x || live.length < 4 || a < 0.2) {
      fresh();
      count("tensor");
    } else if (a < 0.65) {
      const kind = int(0, 9);
      const ci = x.shape[3];
      if (kind === 0) (made(relu(x)), count("relu"));
      else if (kind === 1) (made(relu6(x)), count("relu6"));
      else if (kind === 2) {
        // "valid" with a window larger than the image is rejected: errors must leave nothing held.
        try {
          made(maxPool(x, int(1, 3), int(1, 3), r() < 0.5 ? "same" : "valid"));
          count("maxPool");
        } catch (e) {
          if (!(e instanceof RangeError)) throw e;
          count("rejected");
        }
      }
      else if (kind <= 4) {
        const k = int(1, 3);
        const fd = randomData(k * k * ci * int(1, 12), r);
        const f = tensor(fd, [k, k, ci, fd.length / (k * k * ci)]);
        made(f, fd);
        made(kind === 3 ? conv2d(x, f, int(1, 2), "same") : fused.conv2d({ x, filter: f, strides: 1, pad: "same", bias: randomData(f.shape[3], r), activation: "relu" }));
        count(kind === 3 ? "conv2d" : "fused.conv2d");
      } else if (kind === 5) {
        const op = operators.find((o) => o.ci === ci);
        if (op && r() < 0.7) (made(op.op.run(x)), count("operator.run"));
        else {
          const k = int(1, 3);
          const f = tensor(randomData(k * k * ci * 8, r), [k, k, ci, 8]);
          operators.push({ op: createConv2d(f, { strides: 1, pad: "same" }), ci }); // packs its own copy
          f.dispose();
          count("createConv2d");
        }
      } else if (kind === 6) (made(x.reshape([-1])), count("reshape"));
      else if (kind === 7) (made(x.clone()), count("clone"));
      else if (kind === 8) {
        // A tidy that makes intermediates and returns one.
        made(tidy(() => maxPool(relu(x), 2, 2, "same")));
        count("tidy");
      } else {
        const l = live[int(0, live.length - 1)];
        if (r() < 0.5) l.t.dataSync();
        else l.t.view();
        count("read");
      }
    } else {
      for (let k = int(1, 3); k > 0 && live.length; k--) disposeAt(int(0, live.length - 1));
      if (operators.length && r() < 0.1) operators.splice(int(0, operators.length - 1), 1)[0].op.dispose();
      count("dispose");
    }
    while (live.length > 40) disposeAt(int(0, live.length - 1));
    peakLiveBytes = Math.max(peakLiveBytes, heap.liveBytes);
    if (log && sample && (i + 1) % 10_000 === 0) log(`${i + 1} ops, ${live.length} live, wasm ${heap.wasmBytes} bytes, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  };
  /** Disposes everything live in random order (checking the tensors made from data first). */
  const disposeAll = () => {
    for (const l of live) check(l);
    while (live.length) disposeAt(int(0, live.length - 1));
    for (const o of operators.splice(0)) o.op.dispose();
  };

  await phase(ops, true);
  wasmBytes.push(heap.wasmBytes);
  disposeAll();
  // A steady workload: the same ops (same seed) twice; the second run must not grow the memory.
  const steadyOps = Math.min(ops, 1000);
  r = rng(seed + 1);
  await phase(steadyOps, false);
  disposeAll();
  const steadyBefore = heap.wasmBytes;
  r = rng(seed + 1);
  await phase(steadyOps, false);
  disposeAll();
  const steadyGrowth = heap.wasmBytes - steadyBefore;
  if (threadCount !== 1) setThreadsCount(1);
  testing.splitEverything(false);
  const end = memory();
  return {
    build: backend().build, seed, ops, counts, threads,
    leakedTensors: end.numTensors - base.numTensors,
    leakedBytes: end.numBytes - base.numBytes,
    leakedHeapTensorBytes: heap.inUse.tensor - baseHeap.tensor,
    leakedHeapPackingBytes: heap.inUse.packing - baseHeap.packing,
    scratchGrowth: heap.inUse.scratch - baseHeap.scratch,
    corrupted,
    wasmBytes,
    peakLiveBytes,
    growthSecondHalf: wasmBytes[wasmBytes.length - 1] - wasmBytes[Math.floor(wasmBytes.length / 2)],
    steadyOps,
    steadyGrowth,
    seconds: (Date.now() - started) / 1000,
  };
}
