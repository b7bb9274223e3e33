// The same seeded data for every library, and the layout conversions ONNX (NCHW/OIHW) needs.
import { build } from "esbuild";

// The tests' seeded generator, so the bench and the tests draw the same kind of data.
const reference = await build({
  entryPoints: [new URL("../../tests/helpers/reference.ts", import.meta.url).pathname],
  write: false, format: "esm", logLevel: "error",
});
const { rng, randomData } = await import(
  "data:text/javascript;base64," + Buffer.from(reference.outputFiles[0].contents).toString("base64")
);

/** `n` seeded values in [-1, 1), from the tests' generator. */
export const random = (n, seed) => randomData(n, rng(seed));

const cache = new Map();

export function inputsFor(shape) {
  let d = cache.get(shape.id);
  if (!d) {
    const rand = rng(1000 + shape.id);
    const size = (s) => s.reduce((a, b) => a * b, 1);
    d = {
      x: randomData(size(shape.x), rand),
      filter: shape.f && randomData(size(shape.f), rand),
      bias: shape.op === "fused" ? randomData(shape.f[3], rand) : undefined,
    };
    cache.set(shape.id, d);
  }
  return d;
}

export function toNchw(x, [n, h, w, c]) {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < h * w; i++)
      for (let ch = 0; ch < c; ch++) out[(b * c + ch) * h * w + i] = x[(b * h * w + i) * c + ch];
  return out;
}

export function fromNchw(x, [n, c, h, w]) {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let i = 0; i < h * w; i++) out[(b * h * w + i) * c + ch] = x[(b * c + ch) * h * w + i];
  return out;
}

export function hwioToOihw(f, [kh, kw, ci, co]) {
  const out = new Float32Array(f.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++) out[((o * ci + i) * kh + y) * kw + x] = f[((y * kw + x) * ci + i) * co + o];
  return out;
}
