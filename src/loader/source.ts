/**
 * Where the wasm comes from: the builds embedded in the JS, or whatever the user hands to
 * `init({ wasm })` (a compiled module, bytes, a Response, a URL). Everything here ends in a
 * `WebAssembly.Module` plus the name of its build; instantiating it is backend.ts's job, so
 * worker threads can reuse the same module on a shared memory.
 */
import { embeddedBuilds, type EmbeddedBuild } from "./embedded.js";

/** What `init({ wasm })` accepts: anything that leads to simdconv's .wasm. */
export type WasmSource =
  | WebAssembly.Module
  | ArrayBuffer
  | ArrayBufferView
  | Response
  | PromiseLike<Response>
  | URL
  | string;

export interface CompiledBuild {
  module: WebAssembly.Module;
  /** The build's name ('simd', 'relaxed-simd', ...), or 'unknown' for a foreign module. */
  build: string;
}

/** How a user loads the kernels where the JS carries none or the runtime cannot compile them. */
const IMPORT_THE_MODULE =
  "import the module and pass it: `import wasm from 'simdconv/wasm/simdconv-simd.wasm'; await init({ wasm })`";

function chooseEmbedded(): { build: EmbeddedBuild; bytes: Uint8Array } {
  if (embeddedBuilds.length === 0) {
    throw new Error(`simdconv: this entry point (for Cloudflare Workers) embeds no wasm; ${IMPORT_THE_MODULE}.`);
  }
  for (const build of embeddedBuilds) {
    const bytes = build.bytes();
    if (WebAssembly.validate(bytes as BufferSource)) return { build, bytes };
  }
  throw new Error(
    "simdconv needs WebAssembly SIMD (Chrome/Edge 91+, Firefox 89+, Safari 16.4+, Node 16.4+, Deno, Bun).",
  );
}

/** Workers and strict CSPs forbid code generation from bytes; say what to do instead. */
function compileForbidden(e: unknown, sync: boolean): Error {
  const why = (e as Error).message;
  const fix = /Content Security Policy|unsafe-eval/i.test(why)
    ? "The page's Content-Security-Policy forbids it: add 'wasm-unsafe-eval' to its script-src (every WebAssembly library needs it)."
    : `${sync ? "Call `await init()` once before the first op. " : ""}Where compiling from bytes is forbidden ` +
      `altogether (Cloudflare Workers), ${IMPORT_THE_MODULE}.`;
  return new Error(
    `simdconv: this runtime does not allow compiling WebAssembly${sync ? " synchronously" : ""} (${why}). ${fix}`,
    { cause: e },
  );
}

/** The embedder refused code generation (as opposed to a corrupt module). */
function isForbidden(e: unknown): boolean {
  return /disallowed|unsafe-eval|Content Security Policy/i.test((e as Error)?.message ?? "");
}

export function compileEmbeddedSync(): CompiledBuild {
  const { build, bytes } = chooseEmbedded();
  try {
    return { module: new WebAssembly.Module(bytes as BufferSource), build: build.name };
  } catch (e) {
    throw compileForbidden(e, true);
  }
}

export async function compileEmbedded(): Promise<CompiledBuild> {
  const { build, bytes } = chooseEmbedded();
  try {
    return { module: await WebAssembly.compile(bytes as BufferSource), build: build.name };
  } catch (e) {
    throw compileForbidden(e, false);
  }
}

export async function compileSource(src: WasmSource): Promise<CompiledBuild> {
  if (src instanceof WebAssembly.Module) return { module: src, build: buildOf(src) };
  let bytes: Uint8Array;
  if (src instanceof ArrayBuffer) bytes = new Uint8Array(src);
  else if (ArrayBuffer.isView(src)) bytes = new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
  else if (typeof src === "string" || src instanceof URL) bytes = await fetchBytes(toUrl(src));
  else if (isResponseLike(src)) bytes = await responseBytes(await src, "the Response given to init()");
  else {
    throw new TypeError(
      "init: wasm must be a WebAssembly.Module, an ArrayBuffer or typed array, a Response (or a promise of one), " +
        `a URL or a string; got ${typeof src === "object" && src ? (src as object).constructor?.name : String(src)}`,
    );
  }
  checkMagic(bytes, "the bytes given to init()");
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(bytes as BufferSource);
  } catch (e) {
    throw isForbidden(e) ? compileForbidden(e, false) : e;
  }
  return { module, build: buildOf(module) };
}

function isResponseLike(v: unknown): v is Response | PromiseLike<Response> {
  if (typeof v !== "object" || v === null) return false;
  return typeof (v as Response).arrayBuffer === "function" || typeof (v as PromiseLike<unknown>).then === "function";
}

/** The build's name, from the `simdconv.build` custom section written by the build script. */
function buildOf(module: WebAssembly.Module): string {
  const sections = WebAssembly.Module.customSections(module, "simdconv.build");
  return sections.length ? new TextDecoder().decode(sections[0]) : "unknown";
}

function toUrl(src: string | URL): URL {
  const base = (globalThis as { location?: { href: string } }).location?.href;
  try {
    return new URL(src, base);
  } catch {
    throw new TypeError(
      `init: wasm ${JSON.stringify(String(src))} is not a URL, and there is no page location to resolve it against; ` +
        "pass an absolute URL (https:, http: or file:), or the module or bytes themselves",
    );
  }
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
