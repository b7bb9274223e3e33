/**
 * An independent statement of how the image code normalises feature maps, for tests to
 * compare its pixels with: sort the interior's values, interpolate the percentiles as numpy
 * does, clip, scale to 0…255 and round.
 */

/** The p-th percentile (0–100) of `values`, numpy's default 'linear' method. */
export function percentile(values: number[], p: number): number {
  const s = values.slice().sort((a, b) => a - b);
  const pos = (p / 100) * (s.length - 1);
  const i = Math.floor(pos);
  return i + 1 < s.length ? s[i] + (s[i + 1] - s[i]) * (pos - i) : s[i];
}

/** Values of an h×w one-channel map with `border` pixels left off each edge. */
export function interior(values: ArrayLike<number>, h: number, w: number, border: number): number[] {
  const out: number[] = [];
  for (let y = border; y < h - border; y++) for (let x = border; x < w - border; x++) out.push(values[y * w + x]);
  return out;
}

/** Output levels of a map under the default normalisation: the 0.5th–99.5th percentile of its interior, min–max if they meet. */
export function percentileLevels(values: ArrayLike<number>, h: number, w: number, border = 1, p: [number, number] = [0.5, 99.5]): number[] {
  const inner = interior(values, h, w, h > 2 * border && w > 2 * border ? border : 0);
  let lo = percentile(inner, p[0]), hi = percentile(inner, p[1]);
  if (!(hi > lo)) (lo = Math.min(...inner)), (hi = Math.max(...inner));
  if (!(hi > lo)) hi = lo + 1;
  return Array.from(values, (v) => Math.round(Math.min(1, Math.max(0, (v - lo) / (hi - lo))) * 255));
}
