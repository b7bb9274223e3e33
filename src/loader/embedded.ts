/**
 * The wasm builds embedded in the JS, in order of preference: the first one the engine
 * validates runs. Embedding means no file has to be found at run time, under any bundler.
 *
 * relaxed-simd comes first: it fuses multiply-add (f32x4.relaxed_madd) and is on by default
 * in Chromium and Node 22+; Node 20 accepts it only when started with
 * `--experimental-wasm-relaxed-simd`. Engines without it fail validation and get plain SIMD.
 */
import relaxedSimd from "./wasm-relaxed-simd.gen.js";
import simd from "./wasm-simd.gen.js";

export interface EmbeddedBuild {
  name: string;
  base64: string;
}

export const embeddedBuilds: EmbeddedBuild[] = [
  { name: "relaxed-simd", base64: relaxedSimd },
  { name: "simd", base64: simd },
];

// The -threads builds are not embedded: src/threads/shared_builds.ts derives them from these.
