import { describe, expect, it } from "vitest";
import { randomData, rng } from "../helpers/reference.js";
import { memory, relu, relu6, tensor } from "../../src/index.js";

const relu64 = (v: number) => (Number.isNaN(v) ? NaN : Math.max(v, 0));
const relu664 = (v: number) => (Number.isNaN(v) ? NaN : Math.min(Math.max(v, 0), 6));

describe("relu and relu6 vs the reference", () => {
  // Lengths around the 16-wide main loop, the 4-wide loop and the masked tail.
  const lengths = [0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 19, 31, 32, 33, 63, 64, 65, 1001];
  it.each(lengths)("length %i", (n) => {
    // Values in [-8, 8) so relu6 clamps at both ends.
    const x = randomData(n, rng(3000 + n)).map((v) => v * 8);
    const before = memory();
    const xt = tensor(x, [n]);
    const r = relu(xt);
    const r6 = relu6(xt);
    expect(r.shape).toEqual([n]);
    expect(r.dataSync()).toEqual(Float32Array.from(x, relu64));
    expect(r6.dataSync()).toEqual(Float32Array.from(x, relu664));
    // The input is untouched.
    expect(xt.dataSync()).toEqual(x);
    for (const t of [xt, r, r6]) t.dispose();
    expect(memory()).toEqual(before);
  });

  it("keeps the shape of any rank", () => {
    const x = tensor([[[-1, 2]], [[3, -4]]]);
    expect(relu(x).arraySync()).toEqual([[[0, 2]], [[3, 0]]]);
    expect(relu6(tensor(7)).arraySync()).toBe(6);
  });
});

describe("relu numbers, as TensorFlow", () => {
  const special = [NaN, Infinity, -Infinity, -0, 0, 6, 6.0000005, -1e-45, 1e-45, 3.4e38, -3.4e38];
  it("relu: NaN stays NaN, +Infinity passes, -Infinity gives 0", () => {
    const y = Array.from(relu(tensor(special)).dataSync());
    expect(y[0]).toBeNaN();
    expect(y[1]).toBe(Infinity);
    expect(y[2]).toBe(0);
    expect(y.slice(3).map((v) => (v === 0 ? 0 : v))).toEqual(special.slice(3).map((v) => Math.fround(Math.max(v, 0))));
    // A clamp keeps the sign of zero (tfjs-cpu's Math.max gives +0); documented in the README.
    expect(Object.is(y[3], -0)).toBe(true);
  });

  it("relu6: NaN stays NaN, +Infinity gives 6, -Infinity gives 0", () => {
    const y = Array.from(relu6(tensor(special)).dataSync());
    expect(y[0]).toBeNaN();
    expect(y[1]).toBe(6);
    expect(y[2]).toBe(0);
    expect(y.slice(3).map((v) => (v === 0 ? 0 : v))).toEqual(special.slice(3).map((v) => Math.fround(Math.min(Math.max(v, 0), 6))));
  });
});
