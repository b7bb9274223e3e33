/** avgPool with TensorFlow semantics over NHWC (or HWC): padding taps are left out of the average. */
import { runRows } from "./dispatch.js";
import { backend } from "../loader/backend.js";
import { defer, empty, Tensor, toTensor, type TensorLike } from "../tensor.js";
import { pair, window2d, type DimRoundingMode, type Padding } from "./conv_util.js";

export function avgPool<T extends Tensor>(
  x: T | TensorLike,
  filterSize: number | [number, number],
  strides: number | [number, number],
  pad: Padding,
  dimRoundingMode?: DimRoundingMode,
): T {
  const op = "avgPool";
  const { t, owned } = toTensor(x, "x", op);
  try {
    if (t.rank !== 4 && t.rank !== 3) {
      throw new RangeError(`${op}: x must be rank 4 (NHWC) or rank 3 (HWC), got shape [${t.shape}]`);
    }
    const [n, h, w, c] = t.rank === 4 ? t.shape : [1, ...t.shape];
    const win = window2d(h, w, pair(filterSize, "filterSize", op), pair(strides, "strides", op), [1, 1], pad, op, dimRoundingMode);
    const shape = [n, win.ho, win.wo, c];
    const out = empty(t.rank === 4 ? shape : shape.slice(1), op);
    if (out.size > 0) {
      // Deferred as maxPool is: a chunk starting at row r0 is aimed at dst - r0·rowBytes.
      const src = t.ptr();
      const rows = n * win.ho;
      const rowFloats = win.wo * c;
      const geometry = [h, w, c, win.ho, win.wo, win.kh, win.kw, win.sh, win.sw, win.padTop, win.padLeft];
      // Windows 3 wide at stride 1 with SAME padding across sum each input column once, in the
      // output row, then slide (2 + 2 adds an output where the general kernel spends 8 on 3×3;
      // docs/kernels.md, avgPool).
      const kernel = win.kw === 3 && win.sw === 1 && win.padLeft === 1 && win.wo === w ? "f32_avgpool_w3s1_nhwc_simd" : "f32_avgpool_nhwc_simd";
      const flopsPerRow = rowFloats * (kernel === "f32_avgpool_nhwc_simd" ? win.kh * win.kw : win.kh + 2);
      defer(out, [t], {
        rows,
        rowFloats,
        run: (dst, r0, r1) => backend().kernels[kernel](src, dst - r0 * rowFloats * 4, ...(geometry as Geometry), r0, r1),
        all: (dst) => runRows(kernel, [src, dst, ...(geometry as Geometry)], rows, flopsPerRow),
      });
    }
    return out as T;
  } finally {
    if (owned) t.dispose();
  }
}

type Geometry = [number, number, number, number, number, number, number, number, number, number, number];
