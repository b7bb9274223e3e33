/**
 * The shared-memory twin of a build, made from its bytes. The -threads builds are the same
 * kernels compiled to import a shared memory: they differ only in the memory import's limits
 * (shared, with a maximum) and in the `simdconv.build` name section, so the bundle embeds one
 * copy of each build and derives the other when threads start. tests/kernels/build.test.ts
 * checks the result is byte for byte the -threads .wasm the build script compiles.
 */

/** The maximum the -threads builds declare (scripts/build.mjs: --maximumMemory 65536). */
export const SHARED_MAX_PAGES = 65536;

function leb(n: number, out: number[]): void {
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
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
  const out: number[] = Array.from(bytes.subarray(0, 8));
  const section = (id: number, body: number[]): void => {
    out.push(id);
    leb(body.length, out);
    for (const b of body) out.push(b);
  };
  const text = new TextEncoder();
  while (pos < bytes.length) {
    const id = bytes[pos++];
    const size = u32();
    const end = pos + size;
    if (id === 2) {
      const body: number[] = [];
      const count = u32();
      leb(count, body);
      for (let i = 0; i < count; i++) {
        for (let s = 0; s < 2; s++) {
          const len = u32();
          leb(len, body);
          for (let k = 0; k < len; k++) body.push(bytes[pos + k]);
          pos += len;
        }
        const kind = bytes[pos++];
        if (kind !== 2) throw new TypeError("sharedTwin: a simdconv build imports only its memory");
        const flags = bytes[pos++];
        const initial = u32();
        if (flags & 1) u32();
        body.push(kind, 0x03); // limits: has a maximum, shared
        leb(initial, body);
        leb(SHARED_MAX_PAGES, body);
      }
      section(2, body);
    } else if (id === 0) {
      const start = pos;
      const len = u32();
      const sectionName = new TextDecoder().decode(bytes.subarray(pos, pos + len));
      if (sectionName === "simdconv.build") {
        const body: number[] = [];
        leb(len, body);
        for (const b of text.encode(sectionName)) body.push(b);
        for (const b of text.encode(name)) body.push(b);
        section(0, body);
      } else section(0, Array.from(bytes.subarray(start, end)));
    } else section(id, Array.from(bytes.subarray(pos, end)));
    pos = end;
  }
  return Uint8Array.from(out);
}
