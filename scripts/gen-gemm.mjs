// Generates the GEMM and indirect-GEMM microkernels (assembly/f32-gemm, assembly/f32-igemm)
// for each MR×NR tile from one template, as XNNPACK does. The output is committed; edit this
// file, not the generated ones, then run `node scripts/gen-gemm.mjs`.
import { mkdirSync, writeFileSync } from "node:fs";

const root = new URL("..", import.meta.url);
/**
 * Tiles generated, each as a plain GEMM and an IGEMM: MR output pixels × NR output channels
 * (NR a multiple of 4) and the step's name tag. "loadsplat" broadcasts each input channel
 * straight from memory (`v128.load32_splat`, one `vbroadcastss` on x64) with one channel per
 * loop iteration, which V8 unrolls itself; "splat" loads 4 channels per pixel and broadcasts
 * them by shuffles, "splat2" 2 (kept to compare: add a tile here and export it from
 * assembly/index.ts). V8 schedules a loop body's loads before its arithmetic, so a step holds
 * MR broadcasts + NR/4 weights + MR·NR/4 accumulators (+ 1 product without FMA) in x64's 15
 * allocatable xmm registers: 4×8 loadsplat needs 15 (14 with FMA) and never spills; 5×8 needs
 * 18, and every shuffle variant keeps its loaded vectors live too. 4×8 loadsplat ran 1×1 GEMMs
 * with K = 16–2048 1.05–1.26× (plain) and 1.20–1.50× (relaxed) faster than the best of 4×8
 * splat, 6×8 splat and 4×8 splat2, and the IGEMM bench shapes 1.02–1.31× / 1.11–1.40× faster;
 * 5×8 and 6×8 loadsplat lost (2026-11-29; docs/kernels.md, "GEMM tiles").
 */
export const TILES = [{ mr: 4, nr: 8, step: "loadsplat" }];

/** Input channels per step of a variant (0: loadsplat, one channel per iteration). */
const LANES = { loadsplat: 0, splat: 4, splat2: 2 };

/** The kernels' name tag for a step of `lanes` input channels. */
const splat = (lanes) => (lanes === 0 ? "loadsplat" : lanes === 4 ? "splat" : `splat${lanes}`);

const range = (n) => [...Array(n).keys()];
const vecs = (nr) => nr / 4;

/** Accumulator names: a{row}{vec}. */
const acc = (i, j) => `a${i}${j}`;

function declareAccumulators(mr, nr, from) {
  const lines = [];
  for (let j = 0; j < vecs(nr); j++) lines.push(`const b${j} = v128.load(${from}, ${16 * j});`);
  for (let i = 0; i < mr; i++) lines.push(`let ${range(vecs(nr)).map((j) => `${acc(i, j)} = b${j}`).join(", ")};`);
  return lines;
}

/** Block `bi` of the packed weights: its channels, output pointers and bias-seeded accumulators. */
function blockSetup(mr, nr, outs) {
  return [
    `const c = bi * ${nr};`,
    `const block = packed + <usize>bi * blockBytes;`,
    `const cOff = <usize>c << 2;`,
    `const nc = min(co - c, ${nr});`,
    ...outs,
    ...declareAccumulators(mr, nr, "block"),
  ];
}

/** One input channel (loadsplat's step, and the splat loops' remainder): NR/4 weight vectors, MR broadcast loads, MR·NR/4 multiply-adds. */
function step(mr, nr, byteOffset, pointer, weights) {
  const lines = [];
  for (let j = 0; j < vecs(nr); j++) lines.push(`const w${j}_${byteOffset} = v128.load(${weights}, ${nr * byteOffset + 16 * j});`);
  for (let i = 0; i < mr; i++) {
    lines.push(`const x${i}_${byteOffset} = v128.load32_splat(${pointer(i)}, ${byteOffset});`);
    for (let j = 0; j < vecs(nr); j++) {
      lines.push(`${acc(i, j)} = madd(x${i}_${byteOffset}, w${j}_${byteOffset}, ${acc(i, j)});`);
    }
  }
  return lines;
}

/**
 * Four (or two) input channels: one vector (or 64-bit) load per pixel, then each lane broadcast
 * by a shuffle (the "splat" of the kernels' names, as in XNNPACK), so there are half the loads
 * per multiply-add of broadcast loads. 6×8 splat ran bench shapes 2 and 6–8 7–27 % faster than
 * a 4×8 loop unrolled by hand over 4 broadcast loads (2026-11-28), not than loadsplat's loop.
 */
function stepLanes(mr, nr, weights, lanes) {
  const load = lanes === 4 ? "v128.load" : "v128.load64_zero";
  const lines = range(mr).map((i) => `const xv${i} = ${load}(p${i});`);
  for (let l = 0; l < lanes; l++) {
    for (let j = 0; j < vecs(nr); j++) lines.push(`const w${j}_${l} = v128.load(${weights}, ${nr * 4 * l + 16 * j});`);
    for (let i = 0; i < mr; i++) {
      lines.push(`const x${i}_${l} = v128.shuffle<i32>(xv${i}, xv${i}, ${l}, ${l}, ${l}, ${l});`);
      for (let j = 0; j < vecs(nr); j++) lines.push(`${acc(i, j)} = madd(x${i}_${l}, w${j}_${l}, ${acc(i, j)});`);
    }
  }
  return lines;
}

/** Inner loop over `count` channels from pointers p0..p{mr-1}, weights advancing in `w`. */
function innerLoop(mr, nr, count, indent, lanes = 4) {
  const p = (i) => `p${i}`;
  const advance = (bytes) => [...range(mr).map((i) => `p${i} += ${bytes};`), `w += ${nr * bytes};`];
  // lanes 0 ("loadsplat"): one channel per iteration, broadcast from memory. Unrolled by hand,
  // binaryen nests each accumulator's updates into one expression and all the unrolled steps'
  // loads come first, which spills; V8 unrolls the one-step loop without that.
  const unroll = lanes === 0 ? 1 : lanes;
  const steps = lanes === 0 ? step(mr, nr, 0, p, "w") : stepLanes(mr, nr, "w", lanes);
  const body = [
    `let k = ${count};`,
    `for (; k >= ${unroll}; k -= ${unroll}) {`,
    ...steps.map((l) => "  " + l),
    ...advance(4 * unroll).map((l) => "  " + l),
    `}`,
    ...(unroll === 1 ? [] : [
      `for (; k > 0; k--) {`,
      ...step(mr, nr, 0, p, "w").map((l) => "  " + l),
      ...advance(4).map((l) => "  " + l),
      `}`,
    ]),
  ];
  return body.map((l) => indent + l);
}

function storeTile(mr, nr, indent) {
  const lines = [];
  for (let i = 0; i < mr; i++) {
    const guard = i === 0 ? "" : `if (rows > ${i}) `;
    lines.push(`${guard}storeRow${nr}(y${i}, ${range(vecs(nr)).map((j) => `clampMinMax(${acc(i, j)}, vlo, vhi)`).join(", ")}, nc);`);
  }
  return lines.map((l) => indent + l);
}

const header = (what) =>
  `// Generated by scripts/gen-gemm.mjs; do not edit. ${what}\n` +
  `import { CACHE_BYTES, clampMinMax, isAligned16, madd, storeRow8 } from "../common";\n`;

function gemm(mr, nr, lanes = 4) {
  const name = `f32_gemm_minmax_${mr}x${nr}_${splat(lanes)}_simd`;
  const pointers = range(mr).map((i) => `const q${i} = x + <usize>min(m + ${i}, m1 - 1) * rowBytes;`);
  const outs = range(mr).map((i) => `const y${i} = y + <usize>(m + ${i}) * outRow + cOff;`);
  return `${header("The 1×1 convolution: a plain GEMM, no indirection.")}
/**
 * y[m, :] = clamp(bias + x[m, :] · W) for the pixels of output rows [r0, r1), where one row is
 * \`pixelsPerRow\` pixels (a 1×1 stride-1 VALID conv over NHWC is a GEMM over pixels).
 * \`packed\` holds ${nr}-channel blocks of [bias(${nr}), W[k][${nr}] for k < ci], zero-padded past co.
 * Tiles are ${mr} pixels × ${nr} channels; the last tile of the range re-reads its last pixel
 * instead of reading past the range, and stores only the pixels it owns, so a pixel's result
 * never depends on how the rows were split.
 */
export function ${name}(
  x: usize, packed: usize, y: usize,
  ci: i32, co: i32, pixelsPerRow: i32,
  outMin: f32, outMax: f32,
  r0: i32, r1: i32,
): void {
  // Preconditions (debug builds only: shipped builds pass --noAssert).
  assert(x != 0 && isAligned16(packed) && y != 0);
  assert(ci > 0 && co > 0 && pixelsPerRow >= 0);
  assert(!(outMin > outMax));
  assert(0 <= r0 && r0 <= r1);
  const vlo = f32x4.splat(outMin);
  const vhi = f32x4.splat(outMax);
  const rowBytes = <usize>ci << 2;
  const outRow = <usize>co << 2;
  const blockBytes = <usize>(${nr} + ${nr} * ci) << 2;
  const end = r1 * pixelsPerRow;
  const blocks = (co + ${nr - 1}) / ${nr};
  // Loop order keeps both operands cached: a chunk of pixels whose inputs fit in cache meets
  // a chunk of packed blocks that fits too (all of them, for most filters), blocks innermost
  // so each pixel's output row is written whole.
  const chunk = max(${mr}, <i32>(CACHE_BYTES / rowBytes) / ${mr} * ${mr});
  const blocksPerChunk = max(1, <i32>(CACHE_BYTES / blockBytes));
  for (let m0 = r0 * pixelsPerRow; m0 < end; m0 += chunk) {
    const m1 = min(end, m0 + chunk);
    for (let cb = 0; cb < blocks; cb += blocksPerChunk) {
      const cbEnd = min(blocks, cb + blocksPerChunk);
      for (let m = m0; m < m1; m += ${mr}) {
        const rows = m1 - m;
${pointers.join("\n")}
        for (let bi = cb; bi < cbEnd; bi++) {
${blockSetup(mr, nr, outs).join("\n")}
          let w = block + ${nr * 4};
${range(mr).map((i) => `let p${i} = q${i};`).join("\n")}
${innerLoop(mr, nr, "ci", "", lanes).join("\n")}
${storeTile(mr, nr, "").join("\n")}
        }
      }
    }
  }
}
`;
}

function igemm(mr, nr, lanes = 4) {
  const name = `f32_igemm_nhwc_minmax_${mr}x${nr}_${splat(lanes)}_simd`;
  const cols = range(mr).map((i) => `const ix${i} = min(ox + ${i}, wo - 1) * sw - padLeft;`);
  const outs = range(mr).map((i) => `const y${i} = yRow + <usize>(ox + ${i}) * outPixel + cOff;`);
  const rowPtrs = range(mr).map((i) => `let p${i} = xRow + <usize>ix${i} * inPixel;`);
  const tapPtrs = range(mr).map(
    (i) => `let p${i} = <u32>(ix${i} + dx) < <u32>wd ? xRow + <usize>(ix${i} + dx) * inPixel : zero;`,
  );
  return `${header("The general conv: indirect GEMM.")}
/**
 * conv2d over NHWC input as an indirect GEMM: each output pixel of a ${mr}-pixel tile reads its
 * taps through a pointer, and taps that fall in the left/right padding point at \`zero\`, one
 * shared row of ci zeros, so no im2col buffer is built. Taps in the top/bottom padding
 * contribute nothing and are skipped. When a tile's whole filter row lies inside the image and
 * dw = 1, its kw·ci inputs are contiguous in NHWC and run as one inner loop.
 *
 * \`packed\`: ${nr}-channel blocks of [bias(${nr}), W[ky][kx][ci][${nr}]], zero-padded past co. Bias and
 * the clamp to [outMin, outMax] are applied to the accumulators before the store.
 * Computes output rows [r0, r1) of the flattened (batch × outHeight) range.
 */
export function ${name}(
  x: usize, packed: usize, zero: usize, y: usize,
  h: i32, wd: i32, ci: i32,
  ho: i32, wo: i32, co: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32,
  padTop: i32, padLeft: i32,
  outMin: f32, outMax: f32,
  r0: i32, r1: i32,
): void {
  // Preconditions (debug builds only: shipped builds pass --noAssert).
  assert(x != 0 && isAligned16(packed) && zero != 0 && y != 0);
  assert(h > 0 && wd > 0 && ci > 0 && ho >= 0 && wo >= 0 && co > 0);
  assert(kh > 0 && kw > 0 && sh > 0 && sw > 0 && dh > 0 && dw > 0);
  assert(padTop >= 0 && padLeft >= 0);
  assert(!(outMin > outMax));
  assert(0 <= r0 && r0 <= r1);
  const vlo = f32x4.splat(outMin);
  const vhi = f32x4.splat(outMax);
  const inPixel = <usize>ci << 2;
  const outPixel = <usize>co << 2;
  const filterRowBytes = <usize>(kw * ci * ${nr}) << 2;
  const blockBytes = <usize>(${nr} + ${nr} * kh * kw * ci) << 2;
  const spanW = (kw - 1) * dw;
  const blocks = (co + ${nr - 1}) / ${nr};
  // Loop order keeps both operands cached: a chunk of rows whose inputs fit in cache meets a
  // chunk of packed blocks that fits too (all of them, for most filters), blocks innermost so
  // each pixel's output is written whole. Large filters (K·co past the cache) then stream once
  // per row chunk instead of once per tile.
  const chunk = max(1, <i32>(CACHE_BYTES / (<usize>wd * inPixel)) / sh);
  const blocksPerChunk = max(1, <i32>(CACHE_BYTES / blockBytes));
  for (let rc = r0; rc < r1; rc += chunk) {
    const rcEnd = min(r1, rc + chunk);
    for (let cb = 0; cb < blocks; cb += blocksPerChunk) {
      const cbEnd = min(blocks, cb + blocksPerChunk);
      for (let r = rc; r < rcEnd; r++) {
        const n = r / ho;
        const iy0 = (r - n * ho) * sh - padTop;
        const xImage = x + <usize>(n * h) * <usize>wd * inPixel;
        const yRow = y + <usize>r * <usize>wo * outPixel;
        for (let ox = 0; ox < wo; ox += ${mr}) {
          const rows = wo - ox;
${cols.join("\n")}
          // ix grows with the pixel, so the first and last pixel bound the tile's columns.
          const inside = dw == 1 && ix0 >= 0 && ix${mr - 1} + spanW < wd;
          for (let bi = cb; bi < cbEnd; bi++) {
${blockSetup(mr, nr, outs).join("\n")}
            let wRow = block + ${nr * 4};
            for (let ky = 0; ky < kh; ky++, wRow += filterRowBytes) {
              const iy = iy0 + ky * dh;
              if (<u32>iy >= <u32>h) continue;
              const xRow = xImage + <usize>iy * <usize>wd * inPixel;
              let w = wRow;
              if (inside) {
${rowPtrs.join("\n")}
${innerLoop(mr, nr, "kw * ci", "", lanes).join("\n")}
              } else {
                for (let dx = 0; dx < kw * dw; dx += dw) {
${tapPtrs.join("\n")}
${innerLoop(mr, nr, "ci", "", lanes).join("\n")}
                }
              }
            }
${storeTile(mr, nr, "").join("\n")}
          }
        }
      }
    }
  }
}
`;
}

/** Re-indents generated code by brace depth, so the templates need not track nesting. */
function reindent(code) {
  let depth = 0;
  return code
    .split("\n")
    .map((line) => {
      const t = line.trim();
      if (/^(\*|\/\*)/.test(t)) return line.replace(/^\s*\*/, " *");
      if (t.startsWith("}") || t.startsWith(")")) depth--;
      const out = t ? "  ".repeat(Math.max(depth, 0)) + t : "";
      const code = t.replace(/\/\/.*$/, "");
      depth += (code.match(/[{(]/g) ?? []).length - (code.match(/[})]/g) ?? []).length;
      if (t.startsWith("}") || t.startsWith(")")) depth++;
      return out;
    })
    .join("\n");
}

/** Every generated file: path under assembly/ → contents. */
export function generatedKernels() {
  const files = new Map();
  for (const { mr, nr, step } of TILES) {
    const lanes = LANES[step];
    files.set(`f32-gemm/f32_gemm_minmax_${mr}x${nr}_${step}_simd.ts`, reindent(gemm(mr, nr, lanes)));
    files.set(`f32-igemm/f32_igemm_nhwc_minmax_${mr}x${nr}_${step}_simd.ts`, reindent(igemm(mr, nr, lanes)));
  }
  return files;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const dir of ["f32-gemm", "f32-igemm"]) mkdirSync(new URL(`assembly/${dir}`, root), { recursive: true });
  for (const [file, code] of generatedKernels()) writeFileSync(new URL(`assembly/${file}`, root), code);
}
