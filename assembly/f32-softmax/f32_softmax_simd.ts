import { storeTail } from "../common";
import { vexpNeg } from "../vexp";

/**
 * Softmax over rows of `c` floats, rows [r0, r1): y = e^(x - max) / Σ e^(x - max), as
 * TensorFlow.js computes it. A row holding NaN, or +Infinity (∞ - ∞), is all NaN, as there:
 * the NaN reaches the sum. Three passes over a row that stays in cache.
 */
export function f32_softmax_simd(x: usize, y: usize, c: i32, r0: i32, r1: i32): void {
  assert(x != 0 && y != 0);
  assert(c > 0);
  assert(0 <= r0 && r0 <= r1);
  const rowBytes = <usize>c << 2;
  const tail = c & ~3;
  for (let r = r0; r < r1; r++) {
    const xr = x + <usize>r * rowBytes;
    const yr = y + <usize>r * rowBytes;
    // Two accumulators, so the max's and the sum's dependency chains overlap. pmax (one x64
    // instruction; f32x4.max is several) may skip a NaN, but the NaN then reaches the sum
    // through its own e^(NaN - max), so the row is all NaN either way.
    let vm = f32x4.splat(-Infinity), vm1 = vm;
    let j = 0;
    for (; j + 8 <= tail; j += 8) {
      vm = f32x4.pmax(vm, v128.load(xr + (<usize>j << 2)));
      vm1 = f32x4.pmax(vm1, v128.load(xr + (<usize>j << 2), 16));
    }
    for (; j < tail; j += 4) vm = f32x4.pmax(vm, v128.load(xr + (<usize>j << 2)));
    vm = f32x4.pmax(vm, vm1);
    let m = max(max(f32x4.extract_lane(vm, 0), f32x4.extract_lane(vm, 1)), max(f32x4.extract_lane(vm, 2), f32x4.extract_lane(vm, 3)));
    for (let j = tail; j < c; j++) m = max(m, load<f32>(xr + (<usize>j << 2)));
    const vmax = f32x4.splat(m);
    // e^(x - max) stored and summed, two vectors a step; then the tail in one loop body (it
    // loads a whole vector: blocks carry 16 bytes of slack), summing only the row's lanes.
    let vs = f32x4.splat(0), vs1 = vs;
    j = 0;
    for (; j + 8 <= c; j += 8) {
      const o = <usize>j << 2;
      const e0 = vexpNeg(f32x4.sub(v128.load(xr + o), vmax));
      const e1 = vexpNeg(f32x4.sub(v128.load(xr + o, 16), vmax));
      v128.store(yr + o, e0);
      v128.store(yr + o, e1, 16);
      vs = f32x4.add(vs, e0);
      vs1 = f32x4.add(vs1, e1);
    }
    for (; j < c; j += 4) {
      const o = <usize>j << 2;
      let e = vexpNeg(f32x4.sub(v128.load(xr + o), vmax));
      if (j + 4 <= c) v128.store(yr + o, e);
      else {
        storeTail(yr + o, e, c - j);
        e = v128.and(e, i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(c - j)));
      }
      vs = f32x4.add(vs, e);
    }
    vs = f32x4.add(vs, vs1);
    const s = (f32x4.extract_lane(vs, 0) + f32x4.extract_lane(vs, 1)) + (f32x4.extract_lane(vs, 2) + f32x4.extract_lane(vs, 3));
    const vsum = f32x4.splat(s);
    for (let j = 0; j < tail; j += 4) {
      const o = <usize>j << 2;
      v128.store(yr + o, f32x4.div(v128.load(yr + o), vsum));
    }
    for (let j = tail; j < c; j++) {
      const o = <usize>j << 2;
      store<f32>(yr + o, load<f32>(yr + o) / s);
    }
  }
}
