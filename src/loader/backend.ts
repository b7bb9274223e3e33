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
import { REQUIRED_EXPORTS, type Kernels } from "./kernels.gen.js";

export type { WasmSource, Kernels };

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
