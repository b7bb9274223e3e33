/** maxPool with TensorFlow semantics over NHWC (or HWC) input. Padding never wins the max. */
import { runRows } from "./dispatch.js";
import { backend } from "../loader/backend.js";
import { defer, empty, Tensor, toTensor, type TensorLike } from "../tensor.js";
import { pair, window2d, type DimRoundingMode, type Padding } from "./conv_util.js";

export function maxPool<T extends Tensor>(
  x: T | TensorLike,
  filterSize: number | [number, number],
  strides: number | [number, number],
  pad: Padding,
  dimRoundingMode?: DimRoundingMode,
): T {
  const op = "maxPool";
  const { t, owned } = toTensor(x, "x", op);
  try {
    if (t.rank !== 4 && t.rank !== 3) {
      throw new RangeError(`Error in maxPool: input must be rank 4 but got rank ${t.rank}.`); // tfjs's words
    }
    const [n, h, w, c] = t.rank === 4 ? t.shape : [1, ...t.shape];
    const win = window2d(h, w, pair(filterSize, "filterSize", op), pair(strides, "strides", op), [1, 1], pad, op, dimRoundingMode);
    // A 1×1 window at stride 1 without padding is a copy; tfjs-cpu takes that path too, so
    // NaN passes through here although it never wins a larger window.
    if (win.kh === 1 && win.kw === 1 && win.sh === 1 && win.sw === 1 && win.ho === h && win.wo === w) {
      return t.clone() as T;
    }
    const shape = [n, win.ho, win.wo, c];
    const out = empty(t.rank === 4 ? shape : shape.slice(1), op);
    if (out.size > 0) {
      // Deferred like relu (DeferredJob in tensor.ts). The kernel writes row r at y + r·rowBytes,
      // so a chunk starting at row r0 is aimed at dst - r0·rowBytes (wrapping as an i32 is fine).
      const src = t.ptr();
      const rows = n * win.ho;
      const rowFloats = win.wo * c;
      // The common pool, 2×2 with every window inside the image, has a kernel of its own.
      const whole2x2 = win.kh === 2 && win.kw === 2 && win.padTop === 0 && win.padLeft === 0 &&
        (win.ho - 1) * win.sh + 2 <= h && (win.wo - 1) * win.sw + 2 <= w;
      // Kernels are looked up per call: starting threads swaps the backend.
      if (whole2x2) {
        const geometry = [h, w, c, win.ho, win.wo, win.sh, win.sw] as const;
        defer(out, [t], {
          rows,
          rowFloats,
          run: (dst, r0, r1) => backend().kernels.f32_maxpool_2x2_nhwc_simd(src, dst - r0 * rowFloats * 4, ...geometry, r0, r1),
          all: (dst) => runRows("f32_maxpool_2x2_nhwc_simd", [src, dst, ...geometry], rows, rowFloats * 4),
        });
      } else {
        const geometry = [h, w, c, win.ho, win.wo, win.kh, win.kw, win.sh, win.sw, win.padTop, win.padLeft] as const;
        defer(out, [t], {
          rows,
          rowFloats,
          run: (dst, r0, r1) => backend().kernels.f32_maxpool_nhwc_simd(src, dst - r0 * rowFloats * 4, ...geometry, r0, r1),
          all: (dst) => runRows("f32_maxpool_nhwc_simd", [src, dst, ...geometry], rows, rowFloats * win.kh * win.kw),
        });
      }
    }
    return out as T;
  } finally {
    if (owned) t.dispose();
  }
}
