/** NCHW ⇄ NHWC copies for the 'NCHW' dataFormat; the kernels themselves are NHWC-only. */
import { empty, Tensor } from "../tensor.js";

export function nchwToNhwc(x: Tensor, [n, c, h, w]: number[], op: string): Tensor {
  const out = empty([n, h, w, c], op);
  const f = out.storage!.heap.f32;
  const src = x.ptr() >>> 2;
  const dst = out.ptr() >>> 2;
  const hw = h * w;
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++) {
      const s = src + (b * c + ch) * hw;
      const d = dst + b * hw * c + ch;
      for (let i = 0; i < hw; i++) f[d + i * c] = f[s + i];
    }
  return out;
}

export function nhwcToNchw(x: Tensor, [n, h, w, c]: number[], op: string): Tensor {
  const out = empty([n, c, h, w], op);
  const f = out.storage!.heap.f32;
  const src = x.ptr() >>> 2;
  const dst = out.ptr() >>> 2;
  const hw = h * w;
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++) {
      const d = dst + (b * c + ch) * hw;
      const s = src + b * hw * c + ch;
      for (let i = 0; i < hw; i++) f[d + i] = f[s + i * c];
    }
  return out;
}
