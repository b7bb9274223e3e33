/**
 * The runtime as users see it: `init()` loads the kernels and starts the threads asked for,
 * `capabilities()` says what runs. It sits above loader/ and threads/ (see docs/design.md,
 * layers), so loading never imports threads.
 */
import { backend, init as initBackend, type InitOptions, type WasmSource } from "./loader/backend.js";
import { startThreads, threadsStatus } from "./threads/threads.js";

export interface Capabilities {
  /** Always true: simdconv runs only where WebAssembly SIMD does. */
  simd: boolean;
  /** Whether the running build uses relaxed SIMD (fused multiply-add). */
  relaxedSimd: boolean;
  /** Whether large ops run on worker threads. */
  threads: boolean;
  /** Threads per large op, the calling thread included (1 when threads are off). */
  threadsCount: number;
  /** Why threads are off, when they are. */
  reasonThreadsOff?: string;
  /** Set when threadsCount exceeds the cores (hardwareConcurrency): the count is honoured, and this says what it costs. */
  threadsOverCores?: string;
  /** The running wasm build's name. */
  build: string;
}

/**
 * Loads the kernels; idempotent. Optional in Node, browsers, Deno and Bun (the first op
 * loads the embedded build); required where compiling wasm from bytes is forbidden.
 */
export async function init(options?: InitOptions | WasmSource): Promise<Capabilities> {
  await initBackend(options);
  const threads = (options as InitOptions | undefined)?.threads;
  if (threads !== undefined) await startThreads(threads);
  return capabilities();
}

/** What the running build can do. Loads the embedded build if nothing is loaded yet. */
export function capabilities(): Capabilities {
  const b = backend();
  return {
    simd: true,
    relaxedSimd: b.build.includes("relaxed"),
    ...threadsStatus(),
    build: b.build,
  };
}
