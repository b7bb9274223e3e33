/**
 * conv2d's plan (XNNPACK's create → reshape → setup → run): an ordered table of paths, each
 * with the condition that selects it, the kernels it runs, the weights it packs and the
 * measurement that put it there. A conv takes the first path whose condition holds. The
 * conditions read only the filter's shape, strides, dilations and whether the pad is zero,
 * never the input's size, so `createConv2d` plans once when it is made and packs only what
 * its path uses; plain `conv2d()` plans per call (a few compares) and finds its packing in the
 * cache on the filter (conv2d_packing.ts). The cut into work units that depends on the input
 * size is made per run (conv2d_winograd.ts for Winograd, the chunking below for im2col).
 */
import { backend } from "../loader/backend.js";
import type { RowKernel } from "../loader/kernels.gen.js";
import type { Tensor } from "../tensor.js";
import { getThreadsCount } from "../threads/threads.js";
import { dot4Weights, packedWeights, winograd4Weights, winogradWeights, zeros, type Packing } from "./conv2d_packing.js";
import { winogradPlan, winogradUnitBytes, type WinogradTile } from "./conv2d_winograd.js";
import { mayPad, padsPastWindow, type Window2D } from "./conv_util.js";
import { runRows, type RowArgs } from "./dispatch.js";

/** What a path's condition may read: known from the filter and the options alone. */
export interface ConvGeometry {
  ci: number; co: number; kh: number; kw: number;
  sh: number; sw: number; dh: number; dw: number;
  /** Whether some input size gets padding (false for VALID, zero pads, or SAME on a 1×1 window). */
  mayPad: boolean;
  /** Whether an explicit pad is as wide as the window, so an output's window can be all padding. */
  padPastWindow?: boolean;
}

/** The geometry of a conv with this HWIO filter shape and these options. */
export function convGeometry(
  filterShape: readonly number[], strides: [number, number], dilations: [number, number], pad: unknown,
): ConvGeometry {
  const [kh, kw, ci, co] = filterShape;
  const [sh, sw] = strides;
  const [dh, dw] = dilations;
  const ekh = (kh - 1) * dh + 1, ekw = (kw - 1) * dw + 1;
  return { ci, co, kh, kw, sh, sw, dh, dw, mayPad: mayPad(pad, ekh, ekw), padPastWindow: padsPastWindow(pad, ekh, ekw) };
}

/** A conv's sizes at run time. */
export interface ConvDims {
  n: number; h: number; w: number; ci: number; co: number; kh: number; kw: number;
}

/**
 * Everything a path's run needs: NHWC input and output, weights, clamp bounds. `packed` is the
 * path's packing when the caller owns it (an operator, which then keeps no HWIO filter except
 * for direct1); 0 finds or makes it in the cache on `filter`.
 */
interface ConvRun {
  input: Tensor; filter: Tensor | undefined; bias: Tensor | undefined; out: Tensor;
  d: ConvDims; win: Window2D; lo: number; hi: number; packed: number;
}

/** The GEMM packing of the run's filter: the caller's, or the cache's. */
const gemmWeights = (r: ConvRun, k: number) => r.packed || packedWeights(r.filter!, r.bias, k, r.d.co);

/**
 * One pixel (a dense layer on one sample, a squeeze-excite 1×1 conv after global pooling): the
 * GEMV streams the packed weights once, where the GEMM tile spends its 4 rows on one; the same
 * bits (tests/kernels/f32-gemv.test.ts). Its work units are 8-column blocks.
 */
const gemv = (r: ConvRun) => runRows(
  "f32_gemv_minmax_x32_simd",
  [r.input.ptr(), gemmWeights(r, r.d.ci), r.out.ptr(), r.d.ci, r.d.co, r.lo, r.hi],
  (r.d.co + 7) >> 3, 16 * r.d.ci,
);

export type PathName = "direct1" | "dot1" | "dot4" | "winograd4" | "winograd" | "gemm" | "subsample" | "im2col" | "igemm";

export interface ConvPath {
  readonly name: PathName;
  /** Taken when this holds and no earlier path's does. */
  readonly when: (g: ConvGeometry) => boolean;
  /** The kernels it runs (the GEMM of gemm and im2col is chosen by K: gemmFor). */
  readonly kernels: readonly RowKernel[];
  /** The weights it packs, once per filter. */
  readonly packing: Packing;
  /** Floats of the shared zero row its padding taps read (0: none). */
  readonly zeroFloats: (ci: number) => number;
  readonly run: (r: ConvRun) => void;
}

/**
 * Winograd F(2×2,3×3) is chosen for 3×3 stride-1 undilated convs with at least this many input
 * channels; from 8 on it beat the 4×8 IGEMM at every output channel count measured, and
 * with 4 or fewer it lost on most (bench/kernels/f32-winograd.mjs; docs/kernels.md).
 */
export const WINOGRAD_MIN_CI = 8;

type WinogradMode = "auto" | "on" | "off";

/** SIMDCONV_WINOGRAD=0 / =1 in Node's environment (read once) turns the path off / forces it (benchmarks). */
function modeFromEnv(name = "SIMDCONV_WINOGRAD"): WinogradMode {
  try {
    const g = globalThis as { Deno?: unknown; process?: { env?: Record<string, string | undefined> } };
    if (g.Deno !== undefined) return "auto"; // reading the environment needs a permission there
    const v = g.process?.env?.[name];
    return v === "0" ? "off" : v === "1" ? "on" : "auto";
  } catch {
    return "auto";
  }
}

let winogradMode: WinogradMode = modeFromEnv();
let winograd4Mode: WinogradMode = modeFromEnv("SIMDCONV_WINOGRAD4");

/**
 * For tests and benchmarks: "on" uses Winograd for every eligible shape, "off" never. Operators
 * made before keep their path. Returns the previous mode.
 */
export function setWinogradMode(mode: WinogradMode): WinogradMode {
  const was = winogradMode;
  winogradMode = mode;
  return was;
}

/**
 * F(4×4,3×3)'s error against the direct bound K·2⁻²⁴·Σ|x·w|: at most 0.14 of it from 32 input
 * channels, 0.07 from 64, on uniform, post-ReLU and smooth data; below 32 an output whose window
 * holds few inputs (a corner, a pad of 2) passed it (1.3× at ci = 6, 1.1–6× at ci = 1), since the
 * bound shrinks with ci while the rounding comes from the whole 6×6 tile (docs/kernels.md,
 * "Winograd F(4×4,3×3)"). No mode takes it below this, nor where an explicit pad
 * is as wide as the window: an output whose window is all padding would get the rounding of its
 * 6×6 tile's neighbours (about 1e-12 for inputs near 1) instead of TF's exact 0.
 */
export const WINOGRAD4_MIN_CI = 32;

/**
 * For tests and benchmarks: "on" uses Winograd F(4×4,3×3) for every 3×3 stride-1 undilated conv
 * with at least WINOGRAD4_MIN_CI input channels (unless Winograd is "off"), "off" never (F(2×2,3×3) then takes its shapes), "auto" where it pays.
 * Returns the previous mode. SIMDCONV_WINOGRAD4=1 / =0 in Node's environment sets it at start.
 */
export function setWinograd4Mode(mode: WinogradMode): WinogradMode {
  const was = winograd4Mode;
  winograd4Mode = mode;
  return was;
}

/**
 * The plain GEMM for K rows of weights. One tile for every K since 2026-11-29: the 4×8 tile
 * broadcasting each input channel from memory (loadsplat) ran 1×1 GEMMs with K = 16–2048
 * 1.05–1.26× (plain) and 1.20–1.50× (relaxed) faster than the 4×8 splat2 (K ≤ 32) and 6×8 splat
 * tiles it replaced (`node [--experimental-wasm-relaxed-simd] bench/kernels/f32-gemm.mjs [--plain]
 * --k-sweep --tiles …`; docs/kernels.md, "GEMM tiles"). Kept a function of K so a tile for some
 * K can come back without touching its callers.
 */
export const gemmFor = (_k: number) => "f32_gemm_minmax_4x8_loadsplat_simd" as const;

/**
 * Few input channels and enough output channels to share the gather (im2col's condition); see
 * the im2col path's comment.
 */
const im2colPays = (ci: number, co: number) => (ci <= 4 && co >= 16) || (ci <= 8 && co >= 64);
/**
 * Output rows gathered per chunk, per thread: each thread's share of a chunk's columns
 * (rows·wo·K floats) stays in its L2, and each chunk is one split across the threads.
 */
const IM2COL_CHUNK_BYTES = 256 << 10;

const flopsPerRow = ({ d, win }: ConvRun) => 2 * win.wo * d.co * d.kh * d.kw * d.ci;

/**
 * The paths, in order: the first whose condition holds runs. The comment on each entry is the
 * measurement that justified it, with the bench that made it (comments, not strings, so the
 * evidence costs no bytes in the bundle).
 */
export const CONV_PATHS: readonly ConvPath[] = [
  /**
   * One channel in and out (image filtering): vectorised across the output width, 9 multiply-adds
   * per 4 outputs for 3×3, where a GEMM tile would be 1/8 full (bench shape 1, bench/ops/compare.mjs).
   */
  {
    name: "direct1",
    when: (g) => g.ci === 1 && g.co === 1 && g.sw === 1,
    kernels: ["f32_conv2d_nhwc_c1_minmax_w8_simd"],
    packing: "none",
    zeroFloats: () => 0,
    run: runDirect1,
  },
  /**
   * One output channel (3→1 image filters), width dilation 1: each output is a dot product over
   * each filter row's contiguous kw·ci inputs, 4 floats per step, where the IGEMM's 8-channel
   * tile would use one lane of eight. 3→1 3×3 filters at 128² and 720×480 ran 3.2–4.5× faster
   * than on the IGEMM (minimum of 25 interleaved runs, `bench/ops/conv-ab.mjs --only
   * filter.128.3to1,filter.720x480.3to1 --base <main checkout>`, both builds, 2026-11-29), and
   * 1.9–3.8× faster than Winograd (3×3 16→1, 64→1, 256→1) and the 1×1 GEMM (64→1) it comes before
   * (the same minimum over 40 runs against the main checkout's dist, load 14).
   */
  {
    name: "dot1",
    when: (g) => g.co === 1 && g.dw === 1,
    kernels: ["f32_conv2d_nhwc_co1_minmax_w4_dot_simd"],
    packing: "none",
    zeroFloats: () => 0,
    run: runDot1,
  },
  /**
   * 2–4 output channels (3→3 image filters), width dilation 1: the same dot products, 2 pixels ×
   * 4 channels per step, where an 8-channel tile would use 2–4 lanes of eight. Against the paths
   * it comes before (IGEMM, Winograd, GEMM), minimum of 30 interleaved runs against the main
   * checkout's dist, both builds, 2026-11-29, load 11: 3→3 5×5 at 720×480 2.3–2.5× and at 128²
   * 1.4–1.8× faster; 3→2 and 3→4 3×3 at 128² 1.5–1.7×; 3×3 16→4, 64→4, 256→3 1.2–1.6×; 1×1 64→4
   * 1.8–1.9×; 3×3 8→2 2.7–3.2× (bench/ops/conv-ab.mjs's method, on those shapes). The kernel
   * takes any co, 4 channels at a time, but from 8 channels it lost to the im2col, IGEMM and
   * Winograd paths (0.69–0.97×: 3→8, 3→16, 3→32, 5×5 3→8, 64→8, 1×1 64→8; `node
   * bench/ops/conv-paths.mjs --variants '[["now",[]],["dot4",[],["dot4"]]]'`, both builds), so
   * only co ≤ 4 takes it.
   */
  {
    name: "dot4",
    when: (g) => g.co >= 2 && g.co <= 4 && g.dw === 1,
    kernels: ["f32_conv2d_nhwc_minmax_2x4_dot_simd"],
    packing: "dot4",
    zeroFloats: () => 0,
    run: (r) => {
      const { input, filter, bias, out, d, win, lo, hi } = r;
      runRows(
        "f32_conv2d_nhwc_minmax_2x4_dot_simd",
        [
          input.ptr(), r.packed || dot4Weights(filter!, bias, d.kh, d.kw, d.ci, d.co), out.ptr(), d.h, d.w, d.ci, win.ho, win.wo, d.co,
          d.kh, d.kw, win.sh, win.sw, win.dh, win.padTop, win.padLeft, lo, hi,
        ],
        d.n * win.ho, flopsPerRow(r),
      );
    },
  },
  /**
   * F(4×4,3×3): 2.25 multiplies per output and (input, output channel) pair instead of F(2×2)'s 4,
   * for 2.25× F(2×2)'s packed weights. From 64 input and output channels it beat F(2×2) on the
   * layer suite's 3×3 stride-1 rows, and lost with 32 input channels (bench/ops/conv-ab.mjs;
   * winograd4Pays below has the command and figures).
   */
  {
    name: "winograd4",
    when: (g) =>
      g.kh === 3 && g.kw === 3 && g.sh === 1 && g.sw === 1 && g.dh === 1 && g.dw === 1 && winogradMode !== "off" &&
      g.ci >= WINOGRAD4_MIN_CI && !g.padPastWindow &&
      (winograd4Mode === "on" || (winograd4Mode === "auto" && winogradMode === "auto" && winograd4Pays(g.ci, g.co))),
    kernels: ["f32_winograd_4x4_3x3_nhwc_minmax_4x8_simd"],
    packing: "winograd4",
    zeroFloats: (ci) => ci + 3,
    run: (r) => runWinograd(r, 4),
  },
  /**
   * 3×3 stride 1 from 8 input channels: beat the 4×8 IGEMM at every output channel count measured;
   * with 4 or fewer input channels it lost on most (bench/kernels/f32-winograd.mjs).
   */
  {
    name: "winograd",
    when: (g) =>
      g.kh === 3 && g.kw === 3 && g.sh === 1 && g.sw === 1 && g.dh === 1 && g.dw === 1 &&
      (winogradMode === "on" || (winogradMode === "auto" && g.ci >= WINOGRAD_MIN_CI)),
    kernels: ["f32_winograd_2x2_3x3_nhwc_minmax_4x8_simd"],
    packing: "winograd",
    zeroFloats: (ci) => ci + 3,
    run: (r) => runWinograd(r, 2),
  },
  /**
   * 1×1 stride 1 unpadded is a GEMM over pixels: no indirection; its tile is gemmFor's. The 4×8
   * loadsplat tile against the 6×8 splat / 4×8 splat2 tiles before it, minimums of interleaved
   * runs, this checkout's dist against main's (`node [--experimental-wasm-relaxed-simd]
   * bench/ops/conv-ab.mjs --only resnet50,mobilenet_v1.pw,yolo_tiny --base <main checkout>`,
   * 2026-11-29 23:48–00:04 UTC, load 5–8): ResNet-50's and MobileNetV1's 1×1 rows 1.13–1.37×
   * faster (plain, 25 runs), the 1×1 rows of the suite 1.04–1.81× (relaxed, 15 runs; pw1 read
   * 0.53× in that run, its shape alone 1.46× faster in bench/kernels/f32-gemm.mjs). Before it, against
   * tfjs-wasm, plain / relaxed, once warm ops ran in one call (2026-11-29, 25 runs, load 4–5):
   * ResNet-50's 1×1 rows 1.04–1.15× (one plain run 0.70–1.68×) / 1.20–1.42×; conv5.1x1a
   * 1.07–1.28× / 1.25×, was 0.62–0.81× plain: its 7×7 map was cut into 4 calls, each re-reading
   * the 4 MB of packed weights and ending on a 1-pixel tile (docs/performance.md, "Warm ops in
   * one call"). K-blocking the tile (256 channels a pass, partial sums in y) was bit for bit the
   * same and no faster at K = 256–2048, so the tiles have no K blocking.
   */
  {
    name: "gemm",
    when: (g) => g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && !g.mayPad,
    kernels: ["f32_gemm_minmax_4x8_loadsplat_simd", "f32_gemv_minmax_x32_simd"],
    packing: "gemm",
    zeroFloats: () => 0,
    run: (r) => r.d.n * r.win.ho * r.win.wo === 1 ? gemv(r) : runRows(
      gemmFor(r.d.ci),
      [r.input.ptr(), gemmWeights(r, r.d.ci), r.out.ptr(), r.d.ci, r.d.co, r.win.wo, r.lo, r.hi],
      r.d.n * r.win.ho, flopsPerRow(r),
    ),
  },
  /**
   * 1×1 at a stride, unpadded (ResNet's downsampling shortcuts): the strided pixels are gathered
   * into contiguous rows, then the plain GEMM runs over them. Against the IGEMM (minimum of 25
   * interleaved runs, `bench/ops/conv-ab.mjs --only downsample --base <main checkout>`, both builds,
   * 2026-11-29, load 8–9): ResNet-18's layer3/layer4 shortcuts 1.16–1.53× faster, the other four
   * shortcut rows 0.74–1.06× (plain) and 0.92–2.55× (relaxed), inside that host's noise.
   */
  {
    name: "subsample",
    when: (g) => g.kh === 1 && g.kw === 1 && (g.sh > 1 || g.sw > 1) && !g.mayPad,
    kernels: ["f32_im2col_nhwc_1x1", "f32_gemm_minmax_4x8_loadsplat_simd"],
    packing: "gemm",
    zeroFloats: () => 0,
    run: (r) => runGathered(r, (col, r0) => [
      r.input.ptr(), col, r.d.h, r.d.w, r.d.ci, r.win.ho, r.win.wo, r.win.sh, r.win.sw, r0,
    ] as const, "f32_im2col_nhwc_1x1"),
  },
  /**
   * Gather + plain GEMM beat the IGEMM's kh short runs of kw·ci for ci ≤ 4 from co = 16 (5–13 %;
   * 3×3 over RGB to 64 channels, bench shape 2, 10–25 %; the 7×7 stride-2 stem, shape 7, 25 %) and
   * for ci ≤ 8 from co = 64 (14–18 %); at ci = 8 with co ≤ 24, and from ci = 16, they tie or the
   * IGEMM wins at stride 1. At stride > 1 from ci = 16 the gather wins too, on every strided
   * layer tried (3×3 and 5×5 stride 2, ci 16–512, batch 1 and 8): 1.02–1.38× plain, 1.02–1.38×
   * relaxed, minimums of 15 interleaved runs, quiet host, 2026-11-29 (`node
   * [--experimental-wasm-relaxed-simd] bench/ops/conv-paths.mjs --variants
   * '[["igemm",[]],["im2col",[],["im2col"]]]' --shapes …`, the ResNet stride-2 rows of
   * bench/ops/layer-table.mjs and six others); a 7×7 ci = 8 co = 16 one lost (0.83×), so ci < 16 stays.
   */
  {
    name: "im2col",
    when: (g) => im2colPays(g.ci, g.co) || ((g.sh > 1 || g.sw > 1) && g.ci >= 16),
    kernels: ["f32_im2col_nhwc", "f32_gemm_minmax_4x8_loadsplat_simd"],
    packing: "gemm",
    zeroFloats: () => 0,
    run: runIm2col,
  },
  /**
   * The general case. The 4×8 loadsplat IGEMM ran the bench's conv shapes 2–5, 7 and 8 1.02–1.31×
   * (plain) and 1.11–1.40× (relaxed) faster than the 4×8 and 6×8 splat IGEMMs it replaced
   * (`node [--experimental-wasm-relaxed-simd] bench/kernels/f32-gemm.mjs [--plain] --tiles …`,
   * 2026-11-29, load 6–7; docs/kernels.md, "GEMM tiles").
   */
  {
    name: "igemm",
    when: () => true,
    kernels: ["f32_igemm_nhwc_minmax_4x8_loadsplat_simd"],
    packing: "gemm",
    zeroFloats: (ci) => ci,
    run: (r) => {
      const { input, out, d, win, lo, hi } = r;
      runRows(
        "f32_igemm_nhwc_minmax_4x8_loadsplat_simd",
        [
          input.ptr(), gemmWeights(r, d.kh * d.kw * d.ci), zeros(backend().heap, d.ci), out.ptr(),
          d.h, d.w, d.ci, win.ho, win.wo, d.co, d.kh, d.kw, win.sh, win.sw, win.dh, win.dw, win.padTop, win.padLeft, lo, hi,
        ],
        d.n * win.ho, flopsPerRow(r),
      );
    },
  },
];

/** The path a conv of this geometry takes. */
export function planConv2d(g: ConvGeometry): ConvPath {
  return CONV_PATHS.find((p) => p.when(g))!;
}

/**
 * Makes the long-lived data `path` needs (its packed weights, the zero row) before the caller
 * allocates its output, so that freeing the output leaves no hole below them.
 */
export function prepareConv2d(path: ConvPath, filter: Tensor, bias: Tensor | undefined, d: Pick<ConvDims, "ci" | "co" | "kh" | "kw">): void {
  if (path.packing === "gemm") packedWeights(filter, bias, d.kh * d.kw * d.ci, d.co);
  if (path.packing === "winograd") winogradWeights(filter, d.ci, d.co);
  if (path.packing === "winograd4") winograd4Weights(filter, d.ci, d.co);
  if (path.packing === "dot4") dot4Weights(filter, bias, d.kh, d.kw, d.ci, d.co);
  const z = path.zeroFloats(d.ci);
  if (z > 0) zeros(backend().heap, z);
}

/** Runs the conv of NHWC `input` into `out` on `path` (with the caller's `packed` weights, or 0: the cache's). */
export function runConv2d(
  path: ConvPath, input: Tensor, filter: Tensor | undefined, bias: Tensor | undefined, out: Tensor,
  d: ConvDims, win: Window2D, lo: number, hi: number, packed = 0,
): void {
  path.run({ input, filter, bias, out, d, win, lo, hi, packed });
}

function runDirect1(r: ConvRun): void {
  const { input, filter, bias, out, d, win, lo, hi } = r;
  const b = bias ? backend().heap.f32[bias.ptr() >>> 2] : 0;
  runRows(
    "f32_conv2d_nhwc_c1_minmax_w8_simd",
    [
      input.ptr(), filter!.ptr(), b, out.ptr(), d.h, d.w, win.ho, win.wo,
      d.kh, d.kw, win.sh, win.dh, win.dw, win.padTop, win.padLeft, lo, hi,
    ],
    d.n * win.ho, flopsPerRow(r),
  );
}

function runDot1(r: ConvRun): void {
  const { input, filter, bias, out, d, win, lo, hi } = r;
  const b = bias ? backend().heap.f32[bias.ptr() >>> 2] : 0;
  runRows(
    "f32_conv2d_nhwc_co1_minmax_w4_dot_simd",
    [
      input.ptr(), filter!.ptr(), b, out.ptr(), d.h, d.w, d.ci, win.ho, win.wo,
      d.kh, d.kw, win.sh, win.sw, win.dh, win.padTop, win.padLeft, lo, hi,
    ],
    d.n * win.ho, flopsPerRow(r),
  );
}

function runWinograd(r: ConvRun, m: WinogradTile): void {
  const { input, out, d, win } = r;
  const heap = backend().heap;
  const threads = getThreadsCount();
  const u = r.packed || (m === 4 ? winograd4Weights : winogradWeights)(r.filter!, d.ci, d.co);
  const zero = zeros(heap, d.ci + 3);
  // The kernel wants a scratch slot per work unit of a call (it works in its first unit's), so a
  // conv made in one call would hold the whole transformed input: 55 MB for VGG16's 224×224×64
  // convs with F(2×2). Bands of tile-rows, each one call with its own few units, bound the
  // scratch; a tile's arithmetic is the same whichever band or group holds it, so the result is too.
  const whole = winogradPlan(d.n, win.ho, win.wo, d.ci, d.co, threads, m);
  const th = Math.ceil(win.ho / m);
  let bandRows = d.n * th;
  if (whole.units * whole.unitBytes > WINOGRAD_SCRATCH_BYTES) {
    // At least two tile-rows per thread, so the threads still share each call.
    const rowBytes = whole.parts * winogradUnitBytes(1, win.wo, d.ci, m, whole.chunk);
    bandRows = Math.min(th, Math.max(2 * threads, Math.floor(WINOGRAD_SCRATCH_BYTES / rowBytes)));
  }
  if (bandRows >= d.n * th) return winogradBand(r, m, u, zero, input.ptr(), out.ptr(), d.n, d.h, win.ho, win.padTop, threads);
  const inRow = d.w * d.ci * 4;
  const outRow = win.wo * d.co * 4;
  if (bandRows >= th) {
    // Small maps in a batch (7×7 at batch 8): bands of whole images, so each band's weights
    // stream past for several images at once rather than once per image.
    const images = Math.floor(bandRows / th);
    for (let b = 0; b < d.n; b += images) {
      const n = Math.min(images, d.n - b);
      winogradBand(r, m, u, zero, input.ptr() + b * d.h * inRow, out.ptr() + b * win.ho * outRow, n, d.h, win.ho, win.padTop, threads);
    }
    return;
  }
  for (let b = 0; b < d.n; b++) {
    for (let t0 = 0; t0 < th; t0 += bandRows) {
      const oy = m * t0;
      const ho = Math.min(win.ho, m * (t0 + bandRows)) - oy;
      // The band's first input row; rows above the image are the kernel's top padding.
      const iy = oy - win.padTop;
      const top = Math.max(0, iy);
      winogradBand(
        r, m, u, zero, input.ptr() + (b * d.h + top) * inRow, out.ptr() + (b * win.ho + oy) * outRow,
        1, d.h - top, ho, top - iy, threads,
      );
    }
  }
}

/**
 * Where F(4×4,3×3) beats F(2×2,3×3): from 64 input and 64 output channels. Against main's
 * F(2×2) (minimum of 10 interleaved runs, `node [--experimental-wasm-relaxed-simd]
 * bench/ops/conv-ab.mjs --only vgg16.conv,resnet18.layer1.conv,resnet18.layer2.conv2,resnet18.layer3.conv2,resnet18.layer4.conv2,course,yolo_tiny.conv
 * --base <main checkout>`, both builds, 2026-11-30, shared host, load 5–10): the 3×3 stride-1
 * rows with ci ≥ 64 ran 0.95–2.33× (median 1.2×) faster, the three with ci = 32 (course150.conv2,
 * course128.conv2, yolo_tiny.conv3, 32→64) 0.56–0.90×. No row of the suite has ci ≥ 64 with
 * co < 64, so those stay on F(2×2) untried. docs/performance.md, "Winograd", has the rows.
 */
const winograd4Pays = (ci: number, co: number) => ci >= 64 && co >= 64;

/** Scratch above which a Winograd conv runs in bands of tile-rows (see runWinograd). */
let WINOGRAD_SCRATCH_BYTES = 4 << 20;

/** @internal For tests: the scratch bound of Winograd's bands (Infinity: one call). Returns the previous one. */
export function setWinogradBandBytes(bytes: number): number {
  const was = WINOGRAD_SCRATCH_BYTES;
  WINOGRAD_SCRATCH_BYTES = bytes;
  return was;
}

/** One Winograd kernel call over `n` images of `h` input rows at x, giving `ho` output rows at y. */
function winogradBand(
  r: ConvRun, m: WinogradTile, u: number, zero: number, x: number, y: number, n: number, h: number, ho: number, padTop: number, threads: number,
): void {
  const { bias, d, win, lo, hi } = r;
  const heap = backend().heap;
  const plan = winogradPlan(n, ho, win.wo, d.ci, d.co, threads, m);
  const bytes = plan.units * plan.unitBytes;
  const scratch = heap.alloc(bytes, "conv2d winograd scratch");
  const flops = (m * flopsPerRow(r) * plan.groupRows) / plan.parts; // a tile-row is m output rows
  try {
    if (m === 4) {
      runRows(
        "f32_winograd_4x4_3x3_nhwc_minmax_4x8_simd",
        [
          x, u, bias ? bias.ptr() : 0, zero, scratch, y, n, h, d.w, d.ci,
          ho, win.wo, d.co, padTop, win.padLeft, plan.groupRows, plan.parts, plan.chunk, lo, hi,
        ],
        plan.units, flops,
      );
    } else {
      runRows(
        "f32_winograd_2x2_3x3_nhwc_minmax_4x8_simd",
        [
          x, u, bias ? bias.ptr() : 0, zero, scratch, y, n, h, d.w, d.ci,
          ho, win.wo, d.co, padTop, win.padLeft, plan.groupRows, plan.parts, lo, hi,
        ],
        plan.units, flops,
      );
    }
  } finally {
    heap.free(scratch, bytes);
  }
}

/**
 * Few-channel path: per chunk of output rows, f32_im2col_nhwc gathers each pixel's K inputs
 * into a scratch block, then the GEMM runs over it with one unbroken K loop. Both are
 * row-parallel, and each output is one GEMM dot product of the same gathered values, so
 * the result does not depend on the split.
 */
function runIm2col(r: ConvRun): void {
  const { input, d, win } = r;
  runGathered(r, (col, r0) => [
    input.ptr(), col, d.h, d.w, d.ci, win.ho, win.wo,
    d.kh, d.kw, win.sh, win.sw, win.dh, win.dw, win.padTop, win.padLeft, r0,
  ] as const, "f32_im2col_nhwc");
}

/**
 * Per chunk of output rows (≤ IM2COL_CHUNK_BYTES of gathered rows per thread), `gather` writes
 * each output pixel's K = kh·kw·ci inputs to scratch, then the plain GEMM (chosen by K) runs
 * over them.
 */
function runGathered<K extends "f32_im2col_nhwc" | "f32_im2col_nhwc_1x1">(
  r: ConvRun, gatherArgs: (col: number, r0: number) => RowArgs<K>, gather: K,
): void {
  const { out, d, win, lo, hi } = r;
  const heap = backend().heap;
  const rows = d.n * win.ho;
  const k = d.kh * d.kw * d.ci;
  const packed = gemmWeights(r, k);
  const rowFloats = win.wo * k;
  const perThread = Math.max(1, Math.floor(IM2COL_CHUNK_BYTES / (rowFloats * 4)));
  const chunk = Math.min(rows, perThread * getThreadsCount());
  const bytes = chunk * rowFloats * 4 + 16;
  const col = heap.alloc(bytes, "conv2d im2col scratch");
  try {
    const outRowBytes = win.wo * d.co * 4;
    for (let r0 = 0; r0 < rows; r0 += chunk) {
      const n = Math.min(chunk, rows - r0);
      runRows(gather, gatherArgs(col, r0), n, rowFloats);
      runRows(gemmFor(k), [col, packed, out.ptr() + r0 * outRowBytes, k, d.co, win.wo, lo, hi], n, 2 * win.wo * d.co * k);
    }
  } finally {
    heap.free(col, bytes);
  }
}
