/**
 * The shared-memory twin of a build, made from its bytes. The -threads builds are the same
 * kernels compiled to import a shared memory: they differ only in the memory import's limits
 * (shared, with a maximum) and in the `simdconv.build` name section, so the bundle embeds one
 * copy of each build and derives the other when threads start. tests/build/builds.test.ts
 * checks the result is byte for byte the -threads .wasm the build script compiles.
 */

/** The maximum the -threads builds declare (scripts/build.mjs: --maximumMemory 65536). */
export const SHARED_MAX_PAGES = 65536;

function leb(n: number, out: number[] = []): number[] {
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

/** `bytes` with its one imported memory made shared (maximum SHARED_MAX_PAGES), renamed `name`. */
export function sharedTwin(bytes: Uint8Array, name: string): Uint8Array {
  let pos = 8;
  const u32 = (): number => {
    let result = 0;
    let shift = 0;
    let b: number;
    do {
      b = bytes[pos++];
      result |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    return result >>> 0;
  };
  // Sections are copied as they are, except the two rewritten ones.
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  const section = (id: number, body: number[]) => parts.push(Uint8Array.from([id, ...leb(body.length), ...body]));
  while (pos < bytes.length) {
    const start = pos;
    const id = bytes[pos++];
    const size = u32();
    const end = pos + size;
    if (id === 2) {
      // Imports: (module, field, kind, limits) for each; a simdconv build imports only its memory.
      const body = leb(u32());
      while (pos < end) {
        const fieldsStart = pos;
        for (let s = 0; s < 2; s++) {
          const len = u32();
          pos += len;
        }
        body.push(...bytes.subarray(fieldsStart, pos));
        if (bytes[pos++] !== 2) throw new TypeError("sharedTwin: a simdconv build imports only its memory");
        const flags = bytes[pos++];
        const initial = u32();
        if (flags & 1) u32();
        body.push(2, 0x03, ...leb(initial), ...leb(SHARED_MAX_PAGES)); // limits: shared, with a maximum
      }
      section(2, body);
    } else if (
      // A custom section whose name (one length byte: short names only) is simdconv.build.
      id === 0 && new TextDecoder().decode(bytes.subarray(pos + 1, pos + 1 + bytes[pos])) === "simdconv.build"
    ) {
      section(0, [...bytes.subarray(pos, pos + 1 + bytes[pos]), ...new TextEncoder().encode(name)]);
    } else {
      parts.push(bytes.subarray(start, end));
    }
    pos = end;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
