// `npm run fuzz:kernels -- --n 100000 [--seed 1]`: the long kernel fuzz run (tests/fuzz/kernels.ts),
// n configurations split over the two builds (relaxed SIMD and plain SIMD), each build's half on
// one thread then two, with guard bytes around every heap block. Prints the totals. `npm run
// fuzz` runs the image and model fuzzers before it; this script runs only the kernels'.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const n = Number(option("--n", 100_000));
const seed = Number(option("--seed", 1));
if (!Number.isInteger(n) || n < 2) throw new RangeError(`--n must be an integer ≥ 2, got ${option("--n")}`);

const dir = mkdtempSync(join(tmpdir(), "simdconv-fuzz-"));
const started = Date.now();
const run = spawnSync("npx", ["vitest", "run", "tests/fuzz/kernels.test.ts", "--project", "relaxed-simd", "--project", "simd"], {
  stdio: "inherit",
  env: { ...process.env, SIMDCONV_FUZZ_N: String(Math.ceil(n / 2)), SIMDCONV_FUZZ_SEED: String(seed), SIMDCONV_FUZZ_REPORT: join(dir, "report") },
});
const reports = readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")));
const sum = (key) => reports.reduce((a, r) => a + r[key], 0);
const paths = {};
for (const r of reports) for (const [p, c] of Object.entries(r.paths)) paths[p] = (paths[p] ?? 0) + c;
console.log(`\nkernel fuzz, seed ${seed}, builds ${reports.map((r) => r.build).join(" + ")}, ${((Date.now() - started) / 1000).toFixed(0)} s:`);
console.log(`  configurations fuzzed: ${sum("configurations")}`);
console.log(`  canary failures:       ${sum("canaryFailures")}`);
console.log(`  wrong results:         ${sum("wrongResults")}`);
console.log(`  other failures:        ${sum("otherFailures")}`);
console.log(`  per path:              ${JSON.stringify(paths)}`);
for (const r of reports) for (const f of r.failures) console.log(`  ${r.build} #${f.index}: ${f.problem}\n    ${f.config}`);
const status = run.status ?? 1;

process.exit(status);
