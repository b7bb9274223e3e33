/**
 * The drawing kernels of assembly/image (a 2.4 KB module with its own memory) behind the
 * DrawKernels hooks of colormap.ts. simdconv/image in Node installs them; elsewhere the
 * JavaScript loops run. Values are copied in a chunk at a time and levels copied out, so the
 * tensor's memory (shared or not) is never imported. Results are bit for bit the JavaScript
 * loops' (tests/image/draw-kernels.test.ts).
 */
import wasmBase64 from "./wasm-image.gen.js";
import type { DrawKernels, MapLayout } from "./colormap.js";

interface Exports {
  memory: WebAssembly.Memory;
  keyhist_reset(): void;
  keyhist_min(): number;
  keyhist_max(): number;
  f32_keyhist_hi(x: number, n: number, hist: number): number;
  f32_keyhist_lo(x: number, n: number, b0: number, b1: number, b2: number, b3: number, lows: number): void;
  f32_levels(x: number, n: number, lo: number, scale: number, y: number): void;
  u8_boxsum_row(levels: number, n: number, cell: number, table: number, acc: number): void;
}

/** Values per call: 256 KB of floats, small enough to stay in cache between copy and kernel. */
const CHUNK = 1 << 16;
// Memory layout (bytes). The first 64 KB page is left to AssemblyScript's own statics (none today).
const HIST = 1 << 16; // 65536 u32
const LOWS = HIST + (1 << 18); // MAX_SLOTS × 65536 u32
const MAX_SLOTS = 4;
const TABLE = LOWS + MAX_SLOTS * (1 << 18); // 256 u64
const IN = TABLE + 4096; // then the chunk's floats, the levels out, box cells and sums

function instantiate(): Exports {
  const bytes = typeof Buffer !== "undefined" ? Buffer.from(wasmBase64, "base64") : Uint8Array.from(atob(wasmBase64), (c) => c.charCodeAt(0));
  return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as Exports;
}

class WasmDrawKernels implements DrawKernels {
  private wasm = instantiate();

  /** Makes the memory at least `bytes` long; the views are taken after this. */
  private room(bytes: number): ArrayBuffer {
    const mem = this.wasm.memory;
    if (mem.buffer.byteLength < bytes) mem.grow(Math.ceil((bytes - mem.buffer.byteLength) / 65536));
    return mem.buffer;
  }

  /** Calls `visit(n)` with runs of the layout's interior values copied to IN, at most CHUNK at a time. */
  private interiorChunks(values: Float32Array, l: MapLayout, visit: (n: number) => void): void {
    const f32 = new Float32Array(this.room(IN + CHUNK * 4), IN, CHUNK);
    const b = l.height > 2 * l.border && l.width > 2 * l.border ? l.border : 0;
    let n = 0;
    for (let y = b; y < l.height - b; y++) {
      let s = y * l.width + b;
      const e = y * l.width + l.width - b;
      while (s < e) {
        const take = Math.min(e - s, CHUNK - n);
        f32.set(values.subarray(s, s + take), n);
        n += take;
        s += take;
        if (n === CHUNK) visit(n), (n = 0);
      }
    }
    if (n) visit(n);
  }

  keyHistogramHigh(values: Float32Array, layout: MapLayout) {
    const w = this.wasm;
    new Uint32Array(this.room(IN + CHUNK * 4), HIST, 65536).fill(0);
    w.keyhist_reset();
    let count = 0;
    this.interiorChunks(values, layout, (n) => (count += w.f32_keyhist_hi(IN, n, HIST)));
    const high = new Uint32Array(w.memory.buffer, HIST, 65536).slice();
    return { high, count, minKey: w.keyhist_min() >>> 0, maxKey: w.keyhist_max() >>> 0 };
  }

  keyHistogramLow(values: Float32Array, layout: MapLayout, bins: number[]): Uint32Array[] | undefined {
    if (bins.length > MAX_SLOTS) return undefined;
    const buffer = this.room(IN + CHUNK * 4);
    new Uint32Array(buffer, LOWS, bins.length * 65536).fill(0);
    const [b0, b1, b2, b3] = [0, 1, 2, 3].map((i) => bins[i] ?? 0x10000); // 0x10000: no key's top bits
    this.interiorChunks(values, layout, (n) => this.wasm.f32_keyhist_lo(IN, n, b0, b1, b2, b3, LOWS));
    return bins.map((_, i) => new Uint32Array(this.wasm.memory.buffer, LOWS + i * (1 << 18), 65536).slice());
  }

  levels(values: Float32Array, lo: number, scale: number, out: Uint8Array): void {
    const buffer = this.room(IN + CHUNK * 5);
    const f32 = new Float32Array(buffer, IN, CHUNK);
    const u8 = new Uint8Array(buffer, IN + CHUNK * 4, CHUNK);
    for (let s = 0; s < out.length; s += CHUNK) {
      const n = Math.min(CHUNK, out.length - s);
      f32.set(values.subarray(s, s + n));
      this.wasm.f32_levels(IN, n, lo, scale, IN + CHUNK * 4);
      out.set(n === CHUNK ? u8 : u8.subarray(0, n), s);
    }
  }

  readonly boxMaxPixels = 8224; // u64 sums with R, G and B 21 bits apart stay exact up to 8224 × 255

  boxSums(levels: Uint8Array, width: number, rows: { start: number; end: number }[], cellOf: Uint32Array, cells: number, table: Uint8Array): Float64Array[] {
    const cellAt = IN, accAt = IN + width * 4, rowAt = accAt + cells * 8;
    const buffer = this.room(rowAt + width);
    new Uint32Array(buffer, cellAt, width).set(cellOf);
    const packed = new Uint32Array(buffer, TABLE, 512);
    for (let i = 0; i < 256; i++) {
      packed[2 * i] = (table[i * 3] | (table[i * 3 + 1] << 21)) >>> 0;
      packed[2 * i + 1] = table[i * 3 + 2] << 10;
    }
    const acc = new Uint32Array(buffer, accAt, cells * 2);
    const row = new Uint8Array(buffer, rowAt, width);
    const sums = [0, 1, 2].map(() => new Float64Array(rows.length * cells));
    rows.forEach(({ start, end }, y) => {
      acc.fill(0);
      for (let v = start; v < end; v++) {
        row.set(levels.subarray(v * width, (v + 1) * width));
        this.wasm.u8_boxsum_row(rowAt, width, cellAt, TABLE, accAt);
      }
      for (let x = 0, o = y * cells; x < cells; x++, o++) {
        const lo = acc[2 * x], hi = acc[2 * x + 1];
        sums[0][o] = lo & 0x1fffff;
        sums[1][o] = (lo >>> 21) | ((hi & 0x3ff) << 11);
        sums[2][o] = hi >>> 10;
      }
    });
    return sums;
  }
}

let kernels: DrawKernels | null | undefined;

/** The wasm drawing kernels, made on first use; null where WebAssembly cannot compile them (then JavaScript draws). */
export function wasmDrawKernels(): DrawKernels | null {
  if (kernels === undefined) {
    try {
      kernels = new WasmDrawKernels();
    } catch {
      kernels = null;
    }
  }
  return kernels;
}
