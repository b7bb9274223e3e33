/**
 * Loading: picks a wasm build, compiles it (synchronously on first use where the platform
 * allows, or from whatever `init()` is handed), creates the one memory every tensor lives
 * in, and instantiates the kernels on it.
 *
 * The kernels import their memory (`env.memory`) instead of owning it, so the same code
 * path serves a private memory today and a shared one that worker threads instantiate on.
 */
import { Heap, WASM_PAGE } from "../memory/heap.js";
import { embeddedBuilds, type EmbeddedBuild } from "./embedded.js";

/** The kernels' exports: plain numbers in, results written to memory. */
export interface Kernels {
  f32_vclamp_simd(x: number, y: number, n: number, lo: number, hi: number): void;
  f32_maxpool_nhwc_simd(
    x: number, y: number, h: number, w: number, c: number, ho: number, wo: number,
    fh: number, fw: number, sh: number, sw: number, padTop: number, padLeft: number,
    r0: number, r1: number,
  ): void;
  f32_conv2d_nhwc_minmax_c16_simd(
    x: number, w: number, b: number, y: number, h: number, wd: number, ci: number,
    ho: number, wo: number, co: number, kh: number, kw: number, sh: number, sw: number,
    dh: number, dw: number, padTop: number, padLeft: number, outMin: number, outMax: number,
    r0: number, r1: number,
  ): void;
  f32_conv2d_nhwc_c1_minmax_w8_simd(
    x: number, w: number, bias: number, y: number, h: number, wd: number, ho: number, wo: number,
    kh: number, kw: number, sh: number, dh: number, dw: number, padTop: number, padLeft: number,
    outMin: number, outMax: number, r0: number, r1: number,
  ): void;
  f32_packw_hwio_x8(w: number, b: number, packed: number, k: number, co: number): void;
  f32_gemm_minmax_4x8_simd: GemmKernel;
  f32_gemm_minmax_6x8_simd: GemmKernel;
  f32_igemm_nhwc_minmax_4x8_simd: IgemmKernel;
  f32_igemm_nhwc_minmax_6x8_simd: IgemmKernel;
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
  "f32_conv2d_nhwc_minmax_c16_simd",
  "f32_conv2d_nhwc_c1_minmax_w8_simd",
  "f32_packw_hwio_x8",
  "f32_gemm_minmax_4x8_simd",
  "f32_gemm_minmax_6x8_simd",
  "f32_igemm_nhwc_minmax_4x8_simd",
  "f32_igemm_nhwc_minmax_6x8_simd",
];

export interface Backend {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly heap: Heap;
  readonly kernels: Kernels;
  /** Which build runs: 'simd', or 'relaxed-simd' where the engine has relaxed SIMD. */
  readonly build: string;
}

/** What `init({ wasm })` accepts: anything that leads to simdconv's .wasm. */
export type WasmSource =
  | WebAssembly.Module
  | ArrayBuffer
  | ArrayBufferView
  | Response
  | PromiseLike<Response>
  | URL
  | string;

export interface InitOptions {
  /**
   * Where the kernels come from. Default: the builds embedded in the JS, so nothing has to
   * be located at run time. Pass a `WebAssembly.Module` where the runtime forbids compiling
   * bytes (Cloudflare Workers), or a URL/Response/bytes for pages with a strict CSP.
   */
  wasm?: WasmSource;
}

/** Initial memory: 1 MiB; it grows on demand. Maximum: all a wasm32 memory can address. */
const INITIAL_PAGES = 16;
const MAX_PAGES = 65536;

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
      const module = opts.wasm === undefined ? await compileEmbedded() : await toModule(opts.wasm);
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

function chooseEmbedded(): { build: EmbeddedBuild; bytes: Uint8Array } {
  for (const build of embeddedBuilds) {
    const bytes = decodeBase64(build.base64);
    if (WebAssembly.validate(bytes as BufferSource)) return { build, bytes };
  }
  throw new Error(
    "simdconv needs WebAssembly SIMD (Chrome/Edge 91+, Firefox 89+, Safari 16.4+, Node 16.4+, Deno, Bun).",
  );
}

function compileEmbeddedSync(): { module: WebAssembly.Module; build: string } {
  const { build, bytes } = chooseEmbedded();
  try {
    return { module: new WebAssembly.Module(bytes as BufferSource), build: build.name };
  } catch (e) {
    throw new Error(
      "simdconv: this runtime does not allow compiling WebAssembly synchronously " +
        `(${(e as Error).message}). Call \`await init()\` once before the first op; where compiling ` +
        "from bytes is forbidden altogether (Cloudflare Workers), import the module and pass it: " +
        "`import wasm from 'simdconv/wasm/simdconv-simd.wasm'; await init({ wasm })`.",
      { cause: e },
    );
  }
}

async function compileEmbedded(): Promise<{ module: WebAssembly.Module; build: string }> {
  const { build, bytes } = chooseEmbedded();
  return { module: await WebAssembly.compile(bytes as BufferSource), build: build.name };
}

async function toModule(src: WasmSource): Promise<{ module: WebAssembly.Module; build: string }> {
  if (src instanceof WebAssembly.Module) return { module: src, build: buildOf(src) };
  let bytes: Uint8Array;
  if (src instanceof ArrayBuffer) bytes = new Uint8Array(src);
  else if (ArrayBuffer.isView(src)) bytes = new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
  else if (typeof src === "string" || src instanceof URL) bytes = await fetchBytes(new URL(src, baseUrl()));
  else bytes = await responseBytes(await src, "the Response given to init()");
  checkMagic(bytes, "the bytes given to init()");
  const module = await WebAssembly.compile(bytes as BufferSource);
  return { module, build: buildOf(module) };
}

/** The build's name, from the `simdconv.build` custom section written by the build script. */
function buildOf(module: WebAssembly.Module): string {
  const sections = WebAssembly.Module.customSections(module, "simdconv.build");
  return sections.length ? new TextDecoder().decode(sections[0]) : "unknown";
}

function baseUrl(): string | undefined {
  const loc = (globalThis as { location?: { href: string } }).location;
  return loc?.href;
}

async function fetchBytes(url: URL): Promise<Uint8Array> {
  if (url.protocol === "file:") {
    // Node's fetch has no file: scheme; getBuiltinModule avoids an import bundlers would chase.
    const proc = (globalThis as { process?: { getBuiltinModule?: (m: string) => unknown } }).process;
    type Fs = { promises: { readFile(u: URL): Promise<Uint8Array> } };
    const fs = proc?.getBuiltinModule?.("fs") as Fs | undefined;
    if (fs) return new Uint8Array(await fs.promises.readFile(url));
  }
  return responseBytes(await fetch(url), url.href);
}

async function responseBytes(res: Response, what: string): Promise<Uint8Array> {
  if (!res.ok) throw new Error(`simdconv: fetching the wasm failed: ${what} answered ${res.status} ${res.statusText}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  checkMagic(bytes, `${what} (content-type ${res.headers.get("content-type") ?? "none"})`);
  return bytes;
}

/** Turns the cryptic "expected magic word 00 61 73 6d" into what arrived and how to fix it. */
function checkMagic(bytes: Uint8Array, what: string): void {
  if (bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d) return;
  const head = new TextDecoder().decode(bytes.subarray(0, 60)).replace(/\s+/g, " ").trim();
  const html = /^<(!doctype|html|head|body)/i.test(head);
  throw new Error(
    `simdconv: ${what} is not WebAssembly: it starts with ${JSON.stringify(head)}` +
      (html
        ? ". That is an HTML page: the server answered the .wasm URL with a page (often a dev server's fallback). "
        : ". ") +
      "Serve simdconv's .wasm file at that URL, or call init() without a wasm option to use the embedded build.",
  );
}

function instantiate(compiled: { module: WebAssembly.Module; build: string }, _origin: string): Backend {
  const { module } = compiled;
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES });
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
  return { module, memory, heap: new Heap(memory, MAX_PAGES), kernels: exports, build: compiled.build };
}

function decodeBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export { WASM_PAGE };
