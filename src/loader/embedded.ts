/**
 * The wasm builds embedded in the JS, in order of preference: the first one the engine
 * validates runs. Embedding means no file has to be found at run time, under any bundler.
 */
import simd from "./wasm-simd.gen.js";

export interface EmbeddedBuild {
  name: string;
  base64: string;
}

export const embeddedBuilds: EmbeddedBuild[] = [{ name: "simd", base64: simd }];
