/**
 * The wasm builds embedded in the JS, in order of preference: the first one the engine
 * validates runs. Embedding means no file has to be found at run time, under any bundler.
 *
 * relaxed-simd comes first: it fuses multiply-add (f32x4.relaxed_madd) and is on by default
 * in Chromium and Node 22+; Node 20 accepts it only when started with
 * `--experimental-wasm-relaxed-simd`. Engines without it fail validation and get plain SIMD.
 */
import pieces from "./wasm-embedded.gen.js";

export interface EmbeddedBuild {
  name: string;
  /** Decodes the build's bytes (a fresh copy each call). */
  bytes(): Uint8Array;
}

/** The same order as `embedded` in scripts/build.mjs, whose hex pieces take turns (it says why). */
const names = ["relaxed-simd", "simd"];

/**
 * A native hex decoder where there is one (Uint8Array.fromHex; Node's and Bun's Buffer): the JS
 * loop below takes 25-30 ms on a cold engine for a 27 KB build, natively well under 1 ms.
 */
const g = globalThis as { Buffer?: { from(s: string, enc: "hex"): Uint8Array } };
const nativeHex: ((hex: string) => Uint8Array) | undefined =
  (Uint8Array as unknown as { fromHex?: (hex: string) => Uint8Array }).fromHex ??
  (typeof g.Buffer?.from === "function" ? (hex) => g.Buffer!.from(hex, "hex") : undefined);

export const embeddedBuilds: EmbeddedBuild[] = names.map((name, k) => ({
  name,
  bytes() {
    const hex = pieces.filter((_, i) => i % names.length === k).join("");
    if (nativeHex) return nativeHex(hex);
    const out = new Uint8Array(hex.length >> 1);
    // '0'-'9' are 0x30-0x39 and 'a'-'f' 0x61-0x66: the low nibble, plus 9 for a letter.
    const digit = (c: number) => (c & 15) + (c >> 6) * 9;
    for (let i = 0; i < out.length; i++) out[i] = (digit(hex.charCodeAt(2 * i)) << 4) | digit(hex.charCodeAt(2 * i + 1));
    return out;
  },
}));

// The -threads builds are not embedded: src/threads/shared_builds.ts derives them from these.
