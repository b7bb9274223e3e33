/**
 * The -threads builds, embedded like the single-thread ones: the same kernels compiled to
 * import a shared memory. Keyed by the single-thread build each one replaces.
 */
import simdThreads from "../loader/wasm-simd-threads.gen.js";
import relaxedSimdThreads from "../loader/wasm-relaxed-simd-threads.gen.js";

export const threadsBuilds: Record<string, { name: string; base64: string }> = {
  "simd": { name: "simd-threads", base64: simdThreads },
  "relaxed-simd": { name: "relaxed-simd-threads", base64: relaxedSimdThreads },
};
