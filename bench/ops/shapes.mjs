// The bench's shapes, NHWC input / HWIO filter. `op`: conv | fused | relu | maxPool.
export const SHAPES = [
  { id: 1, label: "1×512×512×1 3×3 1→1 SAME (edge filter)", op: "conv", x: [1, 512, 512, 1], f: [3, 3, 1, 1], stride: 1, pad: "same" },
  { id: 2, label: "1×224×224×3 3×3 3→64 SAME", op: "conv", x: [1, 224, 224, 3], f: [3, 3, 3, 64], stride: 1, pad: "same" },
  { id: 3, label: "1×224×224×64 3×3 64→64 SAME", op: "conv", x: [1, 224, 224, 64], f: [3, 3, 64, 64], stride: 1, pad: "same" },
  { id: 4, label: "1×56×56×256 3×3 256→256 SAME", op: "conv", x: [1, 56, 56, 256], f: [3, 3, 256, 256], stride: 1, pad: "same" },
  { id: 5, label: "1×28×28×512 3×3 512→512 SAME", op: "conv", x: [1, 28, 28, 512], f: [3, 3, 512, 512], stride: 1, pad: "same" },
  { id: 6, label: "1×112×112×32 1×1 32→64 VALID", op: "conv", x: [1, 112, 112, 32], f: [1, 1, 32, 64], stride: 1, pad: "valid" },
  { id: 7, label: "1×224×224×3 7×7 3→64 s2 SAME", op: "conv", x: [1, 224, 224, 3], f: [7, 7, 3, 64], stride: 2, pad: "same" },
  { id: 8, label: "8×64×64×16 5×5 16→32 VALID", op: "conv", x: [8, 64, 64, 16], f: [5, 5, 16, 32], stride: 1, pad: "valid" },
  { id: 9, label: "relu 1×224×224×64", op: "relu", x: [1, 224, 224, 64] },
  { id: 10, label: "maxPool 2×2 s2 1×224×224×64", op: "maxPool", x: [1, 224, 224, 64], k: 2, stride: 2, pad: "valid" },
  { id: 11, label: "fused conv+bias+relu, shape 3", op: "fused", x: [1, 224, 224, 64], f: [3, 3, 64, 64], stride: 1, pad: "same" },
];

/** TF output size for one dimension. */
export function outSize(n, k, stride, pad) {
  return pad === "same" ? Math.ceil(n / stride) : Math.ceil((n - k + 1) / stride);
}

/** 2·N·Ho·Wo·Co·Kh·Kw·Ci for convs; 0 for the memory-bound ops. */
export function flopsOf(s) {
  if (s.op !== "conv" && s.op !== "fused") return 0;
  const [n, h, w] = s.x;
  const [kh, kw, ci, co] = s.f;
  return 2 * n * outSize(h, kh, s.stride, s.pad) * outSize(w, kw, s.stride, s.pad) * co * kh * kw * ci;
}

/** Bytes read + written by the memory-bound ops (their rate is reported in GB/s). */
export function bytesOf(s) {
  const size = s.x.reduce((a, b) => a * b, 1) * 4;
  return s.op === "relu" ? 2 * size : size + size / (s.k * s.k);
}
