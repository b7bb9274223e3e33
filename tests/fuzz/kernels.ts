/**
 * The kernel fuzzer: seeded random configurations of conv2d, fused.conv2d, maxPool and relu,
 * run with the heap's guard mode on (canary bytes before and after every block: tensors,
 * packed weights, Winograd and im2col scratch, the zero row). After each op every guard is
 * checked and the result is compared with the float64 reference (tests/helpers/reference.ts).
 *
 * Conv configurations aim at one kernel path each in turn (direct 1-channel, one output
 * channel, 2–4 output channels, Winograd, 1×1 GEMM, strided 1×1 gather + GEMM, im2col + GEMM, IGEMM); the path that
 * actually ran is read from the kernels the op looked up, and counted. Used by
 * tests/fuzz/kernels.test.ts (short) and `npm run fuzz` (long).
 */
import { conv2d, fused, getThreadsCount, init, maxPool, relu, relu6, setThreadsCount, tensor, type Tensor } from "../../src/index.js";
import { backend, type Backend } from "../../src/loader/backend.js";
import { testing } from "../../src/threads/threads.js";
import type { GuardDamage } from "../../src/memory/heap.js";
import { conv2dRef, maxPoolRef, padding1d, randomData, rng, worstError, type Conv2DCase } from "../helpers/reference.js";

export interface FuzzFailure {
  index: number;
  config: string;
  problem: string;
}

export interface FuzzReport {
  build: string;
  seed: number;
  configurations: number;
  /** Configurations per kernel path that ran (conv paths, maxPool kernels, the clamp). */
  paths: Record<string, number>;
  ops: Record<string, number>;
  threads: Record<string, number>;
  canaryFailures: number;
  wrongResults: number;
  /** Other failures: an op that threw, leaked a tensor, or ran no kernel. */
  otherFailures: number;
  failures: FuzzFailure[];
  /** Every kind of block that was guarded (the heap's `what` names). */
  guardedKinds: string[];
}

/** Guard bytes on each side of a block (the slack after a block is canary-filled as well). */
const GUARD = 64;
/** Multiply-adds a conv configuration may cost, so the float64 reference stays quick. */
const MAX_MACS = 300_000;

type Rand = () => number;
const intIn = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

type PadKind = "same" | "valid" | "numeric" | "explicit";
const CONV_PATHS = ["direct1", "dot1", "dot4", "winograd", "gemm", "subsample", "im2col", "igemm"] as const;

interface ConvConfig {
  op: "conv2d" | "fused.conv2d";
  target: (typeof CONV_PATHS)[number];
  c: Conv2DCase;
  padKind: PadKind;
  /** The pad as the API takes it. */
  pad: "same" | "valid" | number | [[0, 0], [number, number], [number, number], [0, 0]];
  nchw: boolean;
  bias: boolean;
  activation: "linear" | "relu" | "relu6";
}

interface PoolConfig {
  op: "maxPool";
  x: [number, number, number, number];
  k: [number, number];
  s: [number, number];
  padKind: PadKind;
  pad: "same" | "valid" | [number, number, number, number];
  inPlace: boolean;
}

interface ReluConfig {
  op: "relu" | "relu6";
  shape: number[];
  inPlace: boolean;
}

type Config = ConvConfig | PoolConfig | ReluConfig;

function padFor(r: Rand, kind: PadKind, kh: number, kw: number) {
  const explicit = (): [number, number, number, number] => [intIn(r, 0, kh), intIn(r, 0, kh), intIn(r, 0, kw), intIn(r, 0, kw)];
  if (kind === "numeric") {
    const p = intIn(r, 0, Math.max(kh, kw));
    return { ref: [p, p, p, p] as [number, number, number, number], api: p };
  }
  if (kind === "explicit") {
    const e = explicit();
    return { ref: e, api: [[0, 0], [e[0], e[1]], [e[2], e[3]], [0, 0]] as [[0, 0], [number, number], [number, number], [0, 0]] };
  }
  return { ref: kind, api: kind };
}

function outSize(c: Conv2DCase): [number, number] {
  const p = (d: 0 | 1) => (typeof c.pad === "string" ? c.pad : ([c.pad[2 * d], c.pad[2 * d + 1]] as [number, number]));
  return [
    padding1d(c.x[1], c.filter[0], c.strides[0], c.dilations[0], p(0))[2],
    padding1d(c.x[2], c.filter[1], c.strides[1], c.dilations[1], p(1))[2],
  ];
}

function convConfig(r: Rand, target: ConvConfig["target"]): ConvConfig {
  for (;;) {
    let ci = intIn(r, 1, 70), co = intIn(r, 1, 70);
    let kh = intIn(r, 1, 7), kw = intIn(r, 1, 7);
    let sh = intIn(r, 1, 3), sw = intIn(r, 1, 3), dh = intIn(r, 1, 3), dw = intIn(r, 1, 3);
    let padKind: PadKind = pick(r, ["same", "valid", "numeric", "explicit"] as const);
    if (target === "direct1") [ci, co, sw] = [1, 1, 1];
    if (target === "dot1") {
      [co, dw] = [1, 1];
      if (ci === 1 && sw === 1) sw = intIn(r, 2, 3);
    }
    if (target === "dot4") [co, dw] = [intIn(r, 2, 4), 1];
    if (target === "winograd") [kh, kw, sh, sw, dh, dw, ci] = [3, 3, 1, 1, 1, 1, intIn(r, 8, 70)];
    if (target === "gemm") [kh, kw, sh, sw, padKind] = [1, 1, 1, 1, pick(r, ["same", "valid"] as const)];
    if (target === "subsample") {
      [kh, kw, padKind] = [1, 1, pick(r, ["same", "valid"] as const)];
      if (sh === 1 && sw === 1) sh = intIn(r, 2, 3);
    }
    if (target === "im2col") {
      if (r() < 0.5) [ci, co] = [intIn(r, 1, 4), intIn(r, 16, 70)];
      else [ci, co] = [intIn(r, 5, 8), intIn(r, 64, 70)];
      if (kh === 1 && kw === 1) kh = intIn(r, 2, 7);
    }
    // Small images for large windows and many channels, so the reference stays quick.
    const effH = (kh - 1) * dh + 1, effW = (kw - 1) * dw + 1;
    const h = intIn(r, 1, effH + intIn(r, 0, 12)), w = intIn(r, 1, effW + intIn(r, 0, 12));
    const n = r() < 0.7 ? 1 : intIn(r, 2, 3);
    const pad = padFor(r, padKind, kh, kw);
    const c: Conv2DCase = { x: [n, h, w, ci], filter: [kh, kw, ci, co], strides: [sh, sw], dilations: [dh, dw], pad: pad.ref };
    const [ho, wo] = outSize(c);
    if (ho <= 0 || wo <= 0 || n * ho * wo * co * kh * kw * ci > MAX_MACS) continue;
    const op = r() < 0.5 ? "conv2d" : "fused.conv2d";
    return {
      op, target, c, padKind, pad: pad.api, nchw: r() < 0.1,
      bias: op === "fused.conv2d" && r() < 0.8,
      activation: op === "fused.conv2d" ? pick(r, ["linear", "relu", "relu6"] as const) : "linear",
    };
  }
}

function poolConfig(r: Rand): PoolConfig {
  for (;;) {
    // A third are whole 2×2 windows (their own kernel); the rest anything up to 7×7.
    const whole2 = r() < 0.33;
    const k: [number, number] = whole2 ? [2, 2] : [intIn(r, 1, 7), intIn(r, 1, 7)];
    const s: [number, number] = whole2 ? [2, intIn(r, 1, 2)] : [intIn(r, 1, 3), intIn(r, 1, 3)];
    const padKind: PadKind = whole2 ? "valid" : pick(r, ["same", "valid", "explicit"] as const);
    const pad = padKind === "explicit"
      ? ([intIn(r, 0, k[0] - 1), intIn(r, 0, k[0] - 1), intIn(r, 0, k[1] - 1), intIn(r, 0, k[1] - 1)] as [number, number, number, number])
      : (padKind as "same" | "valid");
    const x: [number, number, number, number] = [r() < 0.7 ? 1 : intIn(r, 2, 3), intIn(r, 1, 20), intIn(r, 1, 20), intIn(r, 1, 70)];
    const [, , ho] = padding1d(x[1], k[0], s[0], 1, typeof pad === "string" ? pad : [pad[0], pad[1]]);
    const [, , wo] = padding1d(x[2], k[1], s[1], 1, typeof pad === "string" ? pad : [pad[2], pad[3]]);
    if (ho <= 0 || wo <= 0) continue;
    return { op: "maxPool", x, k, s, padKind, pad, inPlace: r() < 0.5 };
  }
}

function reluConfig(r: Rand): ReluConfig {
  const rank = intIn(r, 1, 4);
  const shape = Array.from({ length: rank }, () => intIn(r, 1, rank === 1 ? 5000 : rank === 2 ? 70 : 20));
  return { op: r() < 0.5 ? "relu" : "relu6", shape, inPlace: r() < 0.5 };
}

function configFor(r: Rand, i: number): Config {
  // Conv paths in turn (so each is hit the same number of times), then pool, then relu.
  const slot = i % 11;
  if (slot < 8) return convConfig(r, CONV_PATHS[slot]);
  if (slot < 10) return poolConfig(r);
  return reluConfig(r);
}

/** Which path ran, from the kernels the op looked up. */
function pathOf(kernels: Set<string>): string | undefined {
  if (kernels.has("f32_conv2d_nhwc_c1_minmax_w8_simd")) return "direct1";
  if (kernels.has("f32_conv2d_nhwc_co1_minmax_w4_dot_simd")) return "dot1";
  if (kernels.has("f32_conv2d_nhwc_minmax_2x4_dot_simd")) return "dot4";
  if (kernels.has("f32_winograd_2x2_3x3_nhwc_minmax_4x8_simd") || kernels.has("f32_winograd_4x4_3x3_nhwc_minmax_4x8_simd")) return "winograd";
  if (kernels.has("f32_im2col_nhwc_1x1")) return "subsample";
  if (kernels.has("f32_im2col_nhwc")) return "im2col";
  for (const k of kernels) if (k.startsWith("f32_igemm")) return "igemm";
  for (const k of kernels) if (k.startsWith("f32_gemm") || k === "f32_gemv_minmax_x32_simd") return "gemm";
  if (kernels.has("f32_maxpool_2x2_nhwc_simd")) return "maxPool 2x2";
  if (kernels.has("f32_maxpool_nhwc_simd")) return "maxPool";
  if (kernels.has("f32_vclamp_simd")) return "clamp";
  return undefined;
}

/** A 1×1 window at stride 1 with no padding is a copy: maxPool runs no kernel for it. */
const isCopy = (cfg: Config) =>
  cfg.op === "maxPool" && cfg.k[0] === 1 && cfg.k[1] === 1 && cfg.s[0] === 1 && cfg.s[1] === 1 &&
  (cfg.pad === "same" || cfg.pad === "valid" || cfg.pad.every((p) => p === 0));

/** Kernels looked up since the last clear (every call site looks them up on the backend per call). */
const seen = new Set<string>();

/** Records kernel look-ups on the running backend (starting threads makes a new one). */
function watchKernels(): void {
  const b = backend() as { kernels: Backend["kernels"] } & { watched?: boolean };
  if (b.watched) return;
  const real = b.kernels;
  b.kernels = new Proxy(real, {
    get(t, k) {
      if (typeof k === "string") seen.add(k);
      return Reflect.get(t, k);
    },
  });
  b.watched = true;
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

function describeConfig(c: Config): string {
  return JSON.stringify(c);
}

/** Runs one configuration; returns the problems found (empty when all is well) and the path. */
function runOne(cfg: Config, seed: number): { problems: string[]; path?: string; damage: GuardDamage[] } {
  const rand = rng(seed);
  const problems: string[] = [];
  watchKernels();
  const owned: Tensor[] = [];
  const heap = backend().heap;
  const track = <T extends Tensor>(t: T) => (owned.push(t), t);
  try {
    if (cfg.op === "relu" || cfg.op === "relu6") {
      const xs = randomData(size(cfg.shape), rand).map((v) => v * 8);
      const x = track(tensor(xs, cfg.shape));
      seen.clear();
      const y = track((cfg.op === "relu" ? relu : relu6)(x));
      const got = cfg.inPlace ? y.view().slice() : y.dataSync();
      const hi = cfg.op === "relu" ? Infinity : 6;
      for (let i = 0; i < xs.length; i++) {
        if (!Object.is(got[i], Math.min(Math.max(xs[i], 0), hi))) {
          problems.push(`wrong: element ${i} is ${got[i]}, want ${Math.min(Math.max(xs[i], 0), hi)}`);
          break;
        }
      }
    } else if (cfg.op === "maxPool") {
      const xs = randomData(size(cfg.x), rand);
      const x = track(tensor(xs, cfg.x));
      const apiPad = typeof cfg.pad === "string" ? cfg.pad : [[0, 0], [cfg.pad[0], cfg.pad[1]], [cfg.pad[2], cfg.pad[3]], [0, 0]];
      seen.clear();
      const y = track(maxPool(x, cfg.k, cfg.s, apiPad as "same"));
      const want = maxPoolRef(xs, cfg.x, cfg.k, cfg.s, cfg.pad);
      if (JSON.stringify(y.shape) !== JSON.stringify(want.shape)) problems.push(`wrong: shape [${y.shape}], want [${want.shape}]`);
      else {
        const got = cfg.inPlace ? y.view().slice() : y.dataSync();
        for (let i = 0; i < got.length; i++) {
          if (!Object.is(got[i], Math.fround(want.y[i]))) {
            problems.push(`wrong: element ${i} is ${got[i]}, want ${want.y[i]}`);
            break;
          }
        }
      }
    } else {
      const cc = cfg as ConvConfig; // the branches above took relu, relu6 and maxPool
      const c = cc.c;
      const xs = randomData(size(c.x), rand);
      const ws = randomData(size(c.filter), rand);
      const bs = cc.bias ? randomData(c.filter[3], rand) : undefined;
      const [n, h, w, ci] = c.x;
      const nchwData = () => {
        const out = new Float32Array(xs.length);
        for (let b = 0; b < n; b++)
          for (let y = 0; y < h; y++)
            for (let xx = 0; xx < w; xx++)
              for (let ch = 0; ch < ci; ch++) out[((b * ci + ch) * h + y) * w + xx] = xs[((b * h + y) * w + xx) * ci + ch];
        return out;
      };
      const x = track(cc.nchw ? tensor(nchwData(), [n, ci, h, w]) : tensor(xs, c.x));
      const f = track(tensor(ws, c.filter));
      const b = bs ? track(tensor(bs)) : undefined;
      const format = cc.nchw ? "NCHW" : "NHWC";
      // Explicit pads are given in the data format's dimension order.
      const pad = Array.isArray(cc.pad) && cc.nchw ? [[0, 0], [0, 0], cc.pad[1], cc.pad[2]] : cc.pad;
      seen.clear();
      const y = track(
        cc.op === "conv2d"
          ? conv2d(x, f, c.strides, pad as "same", format, c.dilations)
          : fused.conv2d({ x, filter: f, strides: c.strides, pad: pad as "same", dataFormat: format, dilations: c.dilations, bias: b, activation: cc.activation }),
      );
      const want = conv2dRef(xs, c, bs, cc.activation, ws);
      let got = y.dataSync();
      const [, ho, wo, co] = want.shape;
      const shape = cc.nchw ? [n, co, ho, wo] : want.shape;
      if (JSON.stringify(y.shape) !== JSON.stringify(shape)) problems.push(`wrong: shape [${y.shape}], want [${shape}]`);
      else {
        if (cc.nchw) {
          const nhwc = new Float32Array(got.length);
          for (let bb = 0; bb < n; bb++)
            for (let o = 0; o < co; o++)
              for (let yy = 0; yy < ho; yy++)
                for (let xx = 0; xx < wo; xx++) nhwc[((bb * ho + yy) * wo + xx) * co + o] = got[((bb * co + o) * ho + yy) * wo + xx];
          got = nhwc;
        }
        const { err, at } = worstError(got, want);
        // Float32 sums of K products err by at most K·2^-24·Σ|x·w|: K/16 + 1 in these units.
        const bound = (c.filter[0] * c.filter[1] * c.filter[2]) / 16 + 1;
        if (!(err < bound)) problems.push(`wrong: output ${at} is ${got[at]}, want ${want.y[at]} (error ${err.toFixed(2)} > ${bound.toFixed(2)})`);
      }
    }
  } catch (e) {
    problems.push(`threw ${(e as Error).name}: ${(e as Error).message}`);
  }
  // Guards are checked while the op's tensors and packed weights are still live, then again
  // once they are freed.
  const damage = heap.checkGuards();
  for (const t of owned) t.dispose();
  damage.push(...heap.checkGuards());
  return { problems, path: pathOf(seen), damage };
}


/**
 * Fuzzes `count` configurations from `seed`: the first half on one thread, the rest on two
 * (workers started by init, every op split across them). Returns the counts and failures.
 */
export async function fuzzKernels(count: number, seed: number, log?: (line: string) => void): Promise<FuzzReport> {
  const heap = backend().heap;
  heap.setGuards(GUARD);
  const r = rng(seed);
  const report: FuzzReport = {
    build: backend().build, seed, configurations: 0, paths: {}, ops: {}, threads: {},
    canaryFailures: 0, wrongResults: 0, otherFailures: 0, failures: [], guardedKinds: [],
  };
  const half = Math.ceil(count / 2);
  const started = Date.now();
  try {
    for (let i = 0; i < count; i++) {
      if (i === half) {
        await init({ threads: 2 });
        setThreadsCount(2); // init is idempotent: when the backend was loaded before, this starts them
        testing.splitEverything(true);
        heap.checkGuards(); // moving to shared memory copies blocks; nothing was written by a kernel
      }
      const threads = getThreadsCount(); // what ran, not what was asked for
      const cfg = configFor(r, i);
      const { problems, path, damage } = runOne(cfg, seed * 1_000_003 + i);
      report.configurations++;
      report.ops[cfg.op] = (report.ops[cfg.op] ?? 0) + 1;
      report.threads[threads] = (report.threads[threads] ?? 0) + 1;
      const ran = path ?? (isCopy(cfg) ? "maxPool 1x1 copy" : "none");
      report.paths[ran] = (report.paths[ran] ?? 0) + 1;
      if (ran === "none" && !problems.some((p) => p.startsWith("threw"))) problems.push("ran no kernel");
      for (const d of damage) problems.push(`canary: ${d.side} '${d.what}' damaged at offset ${d.offset} (${d.when})`);
      if (damage.length) report.canaryFailures++;
      if (problems.some((p) => p.startsWith("wrong"))) report.wrongResults++;
      else if (problems.length && !damage.length) report.otherFailures++;
      if (problems.length && report.failures.length < 20) {
        report.failures.push({ index: i, config: `${describeConfig(cfg)} threads ${threads}`, problem: problems.join("; ") });
      }
      if (log && (i + 1) % 10_000 === 0) log(`${i + 1} configurations, ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
  } finally {
    testing.splitEverything(false);
    heap.setGuards(0);
  }
  report.guardedKinds = [...heap.guardedKinds].sort();
  return report;
}
