import { expect } from "vitest";

export const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** |got - want| ≤ 16·tol·(scale + |want|), NaN where the reference has NaN. */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, scale: ArrayLike<number> | number, what: string, tol = 2 ** -20) {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (got[i] === want[i]) continue;
    if (Number.isNaN(want[i])) {
      expect(got[i], `${what}[${i}]`).toBeNaN();
      continue;
    }
    const s = typeof scale === "number" ? scale : scale[i];
    expect(Math.abs(got[i] - want[i]), `${what}[${i}]: ${got[i]} vs ${want[i]}`).toBeLessThanOrEqual(16 * tol * (s + Math.abs(want[i])) + 1e-30);
  }
}
