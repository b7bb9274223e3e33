/** The first conv's inputs (deterministic) and the one line each run prints for the driver. */
export function firstConvInputs() {
  const x = new Float32Array(32 * 32 * 3).map((_, i) => ((i * 37) % 101) / 50 - 1);
  const filter = new Float32Array(3 * 3 * 3 * 8).map((_, i) => ((i * 53) % 97) / 48 - 1);
  return { x, filter };
}

/** Prints the checksum of the result (so both sides are known to compute the same) and the peak RSS. */
export function report(y) {
  let sum = 0;
  for (const v of y) sum += v;
  console.log(JSON.stringify({ checksum: sum, maxRssKiB: process.resourceUsage().maxRSS }));
}
