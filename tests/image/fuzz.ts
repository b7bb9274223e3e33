/**
 * Seeded mutations of valid PNG and JPEG files, fed to the decoder. Every case must end in
 * an image whose pixels match its size, or in one of the documented errors: a TypeError that
 * says the file is damaged or not an image, or a RangeError about maxPixels.
 */
import { decodeRaster, encodeRasterPng } from "../../src/image/node.js";
import { rng } from "../helpers/reference.js";
import { photo } from "../../bench/image/photo.mjs";
import { jpegOf, quadrants, withExifOrientation } from "./files.js";

export interface FuzzReport {
  cases: number;
  decoded: number;
  errors: Record<string, number>;
  /** Slowest case, in ms, and which. */
  slowest: { ms: number; label: string };
  /** Failures: an unexpected error kind or message, or a malformed image. */
  failures: string[];
}

/** The documented ways a decode may fail. */
const DOCUMENTED = /^(the (PNG|JPEG) file is damaged|bytes are not a PNG or JPEG image|the image is \d+×\d+ .*maxPixels)/;

function seeds(): { name: string; bytes: Uint8Array }[] {
  const p = photo(48, 32, 11);
  const gray = { ...p, data: p.data.map((v, i) => (i % 4 === 3 ? 255 : p.data[i - (i % 4)])) };
  const clear = { ...p, data: p.data.map((v, i) => (i % 4 === 3 ? (i * 7) & 255 : v)) };
  return [
    { name: "png-rgb", bytes: encodeRasterPng(p) },
    { name: "png-rgba", bytes: encodeRasterPng(clear) },
    { name: "png-gray-as-rgb", bytes: encodeRasterPng(gray) },
    { name: "jpeg-q85", bytes: jpegOf(p, 85) },
    { name: "jpeg-q30-exif6", bytes: withExifOrientation(jpegOf(quadrants(24, 16), 30), 6) },
  ];
}

/** Offsets of PNG chunk length fields, or JPEG segment length fields, in a file. */
function lengthFields(b: Uint8Array): number[] {
  const out: number[] = [];
  if (b[0] === 0x89) {
    for (let o = 8; o + 8 <= b.length; ) {
      out.push(o);
      const len = ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
      o += 12 + len;
    }
  } else {
    for (let o = 2; o + 4 <= b.length && b[o] === 0xff && b[o + 1] !== 0xda; ) {
      out.push(o + 2);
      o += 2 + ((b[o + 2] << 8) | b[o + 3]);
    }
  }
  return out;
}

/** Where the size sits: PNG IHDR width/height, JPEG SOF height/width. */
function sizeField(b: Uint8Array): { at: number; bytes: number } | undefined {
  if (b[0] === 0x89) return { at: 16, bytes: 4 };
  for (let o = 2; o + 4 <= b.length && b[o] === 0xff; ) {
    if (b[o + 1] >= 0xc0 && b[o + 1] <= 0xc2) return { at: o + 5, bytes: 2 };
    o += 2 + ((b[o + 2] << 8) | b[o + 3]);
  }
  return undefined;
}

/** One mutation of `src`, chosen and shaped by `rand`. */
export function mutate(src: Uint8Array, rand: () => number): { bytes: Uint8Array; kind: string } {
  const b = Uint8Array.from(src);
  const int = (n: number) => Math.floor(rand() * n);
  switch (int(6)) {
    case 0: {
      const flips = 1 + int(8);
      for (let i = 0; i < flips; i++) b[int(b.length)] ^= 1 << int(8);
      return { bytes: b, kind: "bit flips" };
    }
    case 1:
      return { bytes: b.subarray(0, int(b.length)), kind: "truncation" };
    case 2: {
      const fields = lengthFields(b);
      const at = fields.length ? fields[int(fields.length)] : int(b.length - 4);
      const values = [0, 1, 0xffff, 0xffffffff, int(65536), int(b.length * 2)];
      const v = values[int(values.length)];
      if (b[0] === 0x89) new DataView(b.buffer).setUint32(at, v >>> 0);
      else new DataView(b.buffer).setUint16(at, v & 0xffff);
      return { bytes: b, kind: "length field" };
    }
    case 3: {
      const f = sizeField(b);
      if (!f) return { bytes: b, kind: "huge dimensions (no size field)" };
      const v = new DataView(b.buffer);
      const huge = [65535, 60000, 1, 0, 2049, 40000];
      for (const off of [0, f.bytes]) {
        const n = huge[int(huge.length)];
        if (f.bytes === 4) v.setUint32(f.at + off, rand() < 0.2 ? 0x7fffffff : n);
        else v.setUint16(f.at + off, n);
      }
      return { bytes: b, kind: "huge dimensions" };
    }
    case 4: {
      // A run of random bytes written over the file.
      const at = int(b.length), n = 1 + int(32);
      for (let i = at; i < Math.min(b.length, at + n); i++) b[i] = int(256);
      return { bytes: b, kind: "overwritten run" };
    }
    default: {
      // A chunk of the file repeated or dropped.
      const a = int(b.length), len = 1 + int(64);
      const out = rand() < 0.5
        ? new Uint8Array([...b.subarray(0, a), ...b.subarray(a, a + len), ...b.subarray(a)])
        : new Uint8Array([...b.subarray(0, a), ...b.subarray(a + len)]);
      return { bytes: out, kind: "repeat or drop" };
    }
  }
}

/** Runs `cases` mutations from `seed`; decodes each with a 1 MP limit (larger claims are refused from the header, which the cases also cover). */
export function fuzzDecoders(cases: number, seed = 1): FuzzReport {
  const rand = rng(seed);
  const inputs = seeds();
  const report: FuzzReport = { cases, decoded: 0, errors: {}, slowest: { ms: 0, label: "" }, failures: [] };
  for (let i = 0; i < cases; i++) {
    const input = inputs[i % inputs.length];
    const { bytes, kind } = mutate(input.bytes, rand);
    const label = `case ${i} (${input.name}, ${kind})`;
    const t0 = performance.now();
    try {
      const r = decodeRaster(bytes, { maxPixels: 1_000_000, onWarning: () => {} });
      if (!(r.width > 0 && r.height > 0 && r.data.length === r.width * r.height * 4)) report.failures.push(`${label}: ${r.width}×${r.height} with ${r.data.length} bytes`);
      report.decoded++;
    } catch (e) {
      const err = e as Error;
      const ok = (err instanceof TypeError || err instanceof RangeError) && DOCUMENTED.test(err.message);
      if (!ok) report.failures.push(`${label}: ${err?.constructor?.name}: ${err?.message ?? err}`);
      const key = err?.message?.replace(/\d+/g, "N").slice(0, 60) ?? String(e);
      report.errors[key] = (report.errors[key] ?? 0) + 1;
    }
    const ms = performance.now() - t0;
    if (ms > report.slowest.ms) report.slowest = { ms, label };
  }
  return report;
}
