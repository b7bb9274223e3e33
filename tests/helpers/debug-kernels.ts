/**
 * The kernels of the debug build (build/debug/, written by `npm run build`): the shipped code
 * with every assert() precondition kept, instantiated on the running backend's memory so
 * tensors' pointers work unchanged. Kernel tests call these, so a test that breaks a
 * precondition traps instead of passing by luck. The debug builds keep no static data, so
 * instantiating one writes nothing into the shared memory.
 */
import { readFileSync } from "node:fs";
import { backend, type Kernels } from "../../src/loader/backend.js";

let cached: { memory: WebAssembly.Memory; kernels: Kernels } | undefined;

export function debugKernels(): Kernels {
  const { memory, build } = backend();
  if (cached?.memory !== memory) {
    const bytes = readFileSync(new URL(`../../build/debug/simdconv-${build}.wasm`, import.meta.url));
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    cached = { memory, kernels: instance.exports as unknown as Kernels };
  }
  return cached.kernels;
}
