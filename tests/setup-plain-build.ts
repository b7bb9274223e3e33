// Forces the plain SIMD build for the "simd" test project, even where the engine would pick
// relaxed SIMD (Node 22+, Chromium), so both builds are always tested.
import { readFileSync } from "node:fs";
import { init } from "../src/index.js";

await init({ wasm: readFileSync(new URL("../build/simdconv-simd.wasm", import.meta.url)) });
