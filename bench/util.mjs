// Helpers shared by the bench scripts.

/** Deterministic values in [-1, 1) (an LCG: benches need repeatable data, not good randomness). */
export function random(n, seed) {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 31 - 1;
  }
  return a;
}

export const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
