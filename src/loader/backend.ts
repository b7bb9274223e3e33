/**
 * Loading: picks a wasm build, compiles it (synchronously on first use where the platform
 * allows, or from whatever `init()` is handed), creates the one memory every tensor lives
 * in, and instantiates the kernels on it.
 *
 * The kernels import their memory (`env.memory`) instead of owning it, so the same code
 * path serves a private memory today and a shared one that worker threads instantiate on.
 */
import { Heap, WASM_PAGE } from "../memory/heap.js";
import { compileEmbedded, compileEmbeddedSync, compileSource, type CompiledBuild, type WasmSource } from "./source.js";

export type { WasmSource };

/** The kernels' exports: plain numbers in, results written to memory. */
export interface Kernels {
  f32_vclamp_simd(x: number, y: number, n: number, lo: number, hi: number): void;
  f32_maxpool_nhwc_simd(
    x: number, y: number, h: number, w: number, c: number, ho: number, wo: number,
    fh: number, fw: number, sh: number, sw: number, padTop: number, padLeft: number,
    r0: number, r1: number,
  ): void;
  /** Whole 2×2 windows only (no padding taps), any stride. */
  f32_maxpool_2x2_nhwc_simd(
    x: number, y: number, h: number, w: number, c: number, ho: number, wo: number,
    sh: number, sw: number, r0: number, r1: number,
  ): void;
  f32_conv2d_nhwc_c1_minmax_w8_simd(
    x: number, w: number, bias: number, y: number, h: number, wd: number, ho: number, wo: number,
    kh: number, kw: number, sh: number, dh: number, dw: number, padTop: number, padLeft: number,
    outMin: number, outMax: number, r0: number, r1: number,
  ): void;
  f32_packw_hwio_x8(w: number, b: number, packed: number, k: number, co: number): void;
  f32_gemm_minmax_4x8_splat_simd: GemmKernel;
  f32_gemm_minmax_6x8_splat_simd: GemmKernel;
  /** 2 input channels per step: the short-K GEMMs (see conv2d_kernels.ts). */
  f32_gemm_minmax_4x8_splat2_simd: GemmKernel;
  f32_igemm_nhwc_minmax_4x8_splat_simd: IgemmKernel;
  f32_igemm_nhwc_minmax_6x8_splat_simd: IgemmKernel;
  /** Gathers output rows rowBase + [r0, r1) into contiguous K-float rows (few-channel convs). */
  f32_im2col_nhwc(
    x: number, col: number, h: number, wd: number, ci: number, ho: number, wo: number,
    kh: number, kw: number, sh: number, sw: number, dh: number, dw: number,
    padTop: number, padLeft: number, rowBase: number, r0: number, r1: number,
  ): void;
  f32_winograd_2x2_3x3_packw_hwio_x8(w: number, u: number, ci: number, co: number): void;
  /** Winograd F(2×2,3×3) over tile-rows [r0, r1) (pairs of output rows); see assembly/f32-winograd. */
  f32_winograd_2x2_3x3_nhwc_minmax_4x8_simd(
    x: number, u: number, bias: number, zero: number, scratch: number, y: number,
    h: number, wd: number, ci: number, ho: number, wo: number, co: number,
    padTop: number, padLeft: number, outMin: number, outMax: number, r0: number, r1: number,
  ): void;
  /** sigmoid over n floats; swish = 1 gives x·sigmoid(x). */
  f32_vsigmoid_simd(x: number, y: number, n: number, swish: number): void;
  f32_vtanh_simd(x: number, y: number, n: number): void;
  /** x < 0 ? alpha·expm1(x) : beta·x (elu, selu). */
  f32_velu_simd(x: number, y: number, n: number, alpha: number, beta: number): void;
  f32_vlrelu_simd(x: number, y: number, n: number, alpha: number): void;
  /** Rows [r0, r1) of c floats, slope alpha[j] for column j. */
  f32_vprelu_simd(x: number, alpha: number, y: number, c: number, r0: number, r1: number): void;
  /** Softmax over rows [r0, r1) of c floats. */
  f32_softmax_simd(x: number, y: number, c: number, r0: number, r1: number): void;
  /** Padding taps excluded from sum and count. Same geometry as f32_maxpool_nhwc_simd. */
  f32_avgpool_nhwc_simd(
    x: number, y: number, h: number, w: number, c: number, ho: number, wo: number,
    fh: number, fw: number, sh: number, sw: number, padTop: number, padLeft: number,
    r0: number, r1: number,
  ): void;
  /** (x - mean[j])·scale[j] + offset[j] over rows [r0, r1) of c floats. */
  f32_batchnorm_simd(x: number, mean: number, scale: number, offset: number, y: number, c: number, r0: number, r1: number): void;
}

/** A 1×1 conv as GEMM over the pixels of output rows [r0, r1). */
type GemmKernel = (
  x: number, packed: number, y: number, ci: number, co: number, pixelsPerRow: number,
  outMin: number, outMax: number, r0: number, r1: number,
) => void;

/** The general conv as an indirect GEMM over output rows [r0, r1); `zero` is a row of ci zeros. */
type IgemmKernel = (
  x: number, packed: number, zero: number, y: number, h: number, wd: number, ci: number,
  ho: number, wo: number, co: number, kh: number, kw: number, sh: number, sw: number,
  dh: number, dw: number, padTop: number, padLeft: number, outMin: number, outMax: number,
  r0: number, r1: number,
) => void;

const REQUIRED_EXPORTS: (keyof Kernels)[] = [
  "f32_vclamp_simd",
  "f32_maxpool_nhwc_simd",
  "f32_conv2d_nhwc_c1_minmax_w8_simd",
  "f32_packw_hwio_x8",
  "f32_gemm_minmax_4x8_splat_simd",
  "f32_gemm_minmax_6x8_splat_simd",
  "f32_gemm_minmax_4x8_splat2_simd",
  "f32_igemm_nhwc_minmax_4x8_splat_simd",
  "f32_igemm_nhwc_minmax_6x8_splat_simd",
  "f32_im2col_nhwc",
  "f32_winograd_2x2_3x3_packw_hwio_x8",
  "f32_winograd_2x2_3x3_nhwc_minmax_4x8_simd",
  "f32_maxpool_2x2_nhwc_simd",
  "f32_vsigmoid_simd",
  "f32_vtanh_simd",
  "f32_velu_simd",
  "f32_vlrelu_simd",
  "f32_vprelu_simd",
  "f32_softmax_simd",
  "f32_avgpool_nhwc_simd",
  "f32_batchnorm_simd",
];

export interface Backend {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly heap: Heap;
  readonly kernels: Kernels;
  /** Which build runs: 'simd', or 'relaxed-simd' where the engine has relaxed SIMD. */
  readonly build: string;
}

export interface InitOptions {
  /**
   * Where the kernels come from. Default: the builds embedded in the JS, so nothing has to
   * be located at run time. Pass a `WebAssembly.Module` where the runtime forbids compiling
   * bytes (Cloudflare Workers), or a URL/Response/bytes for pages with a strict CSP.
   */
  wasm?: WasmSource;
  /**
   * Threads per op, the calling thread included: a count, or 'auto' for one per core.
   * init() resolves once the workers run. Default: 1.
   */
  threads?: number | "auto";
}

/** Initial memory: 1 MiB; it grows on demand. Maximum: all a wasm32 memory can address. */
const INITIAL_PAGES = 16;
export const MAX_PAGES = 65536;

let current: Backend | undefined;
let pending: Promise<Backend> | undefined;

/** The running backend, compiling the embedded build synchronously on first use. */
export function backend(): Backend {
  return current ?? (current = instantiate(compileEmbeddedSync(), "embedded"));
}

/** True once the kernels are loaded. */
export function isInitialized(): boolean {
  return current !== undefined;
}

/**
 * Loads the kernels. Idempotent: the first call decides the source, and later calls return
 * the same promise. Not needed in Node, browsers, Deno or Bun, where the first op loads
 * the embedded build; required where a runtime forbids compiling wasm from bytes.
 */
export function init(options: InitOptions | WasmSource = {}): Promise<Backend> {
  if (current) return Promise.resolve(current);
  if (!pending) {
    const opts = isInitOptions(options) ? options : { wasm: options };
    pending = (async () => {
      const module = opts.wasm === undefined ? await compileEmbedded() : await compileSource(opts.wasm);
      // A synchronous first op may have won the race while we awaited.
      return current ?? (current = instantiate(module, opts.wasm === undefined ? "embedded" : "given"));
    })();
    pending.catch(() => (pending = undefined)); // a failed init can be retried
  }
  return pending;
}

function isInitOptions(o: unknown): o is InitOptions {
  return (
    typeof o === "object" && o !== null && !(o instanceof WebAssembly.Module) && !(o instanceof URL) &&
    !ArrayBuffer.isView(o) && !(o instanceof ArrayBuffer) && typeof (o as Response).arrayBuffer !== "function" &&
    typeof (o as PromiseLike<unknown>).then !== "function"
  );
}

function instantiate(compiled: CompiledBuild, _origin: string): Backend {
  const { module } = compiled;
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES });
  const kernels = instantiateKernels(module, memory);
  return { module, memory, heap: new Heap(memory, MAX_PAGES), kernels, build: compiled.build };
}

/**
 * @internal Moves every tensor into `memory` (at the same addresses, so pointers stay valid)
 * and runs `module` on it from then on: the switch to shared memory when threads start.
 */
export function moveToMemory(module: WebAssembly.Module, build: string, memory: WebAssembly.Memory, maxPages: number): Backend {
  const { heap } = backend();
  const kernels = instantiateKernels(module, memory);
  heap.adopt(memory, maxPages);
  return (current = { module, memory, heap, kernels, build });
}

function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): Kernels {
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(module, { env: { memory } });
  } catch (e) {
    throw new Error(`simdconv: the wasm module could not be instantiated: ${(e as Error).message}`, { cause: e });
  }
  const exports = instance.exports as unknown as Kernels;
  for (const name of REQUIRED_EXPORTS) {
    if (typeof exports[name] !== "function") {
      throw new Error(`simdconv: the wasm module is not simdconv's or is out of date: it lacks the export ${name}`);
    }
  }
  return exports;
}

export { WASM_PAGE };
