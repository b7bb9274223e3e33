/**
 * The embedded-build list of the workerd entry (dist/workerd.js): empty, because Workers
 * forbid compiling wasm from bytes, so wasm bytes in the JS would be dead weight. Workers
 * import the .wasm as a module and pass it to `init({ wasm })`.
 */
import type { EmbeddedBuild } from "./embedded.js";

export const embeddedBuilds: EmbeddedBuild[] = [];
