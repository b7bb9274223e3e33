// Measures the one-core wasm SIMD multiply-add peak in this process, with the same kind of
// build (plain or relaxed) that simdconv runs, so "% of peak" compares like with like.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { cli } from "../harness.mjs";

const source = new URL("./peak.ts", import.meta.url).pathname;
const ascCli = new URL("../../node_modules/assemblyscript/bin/asc.js", import.meta.url).pathname;

/**
 * asc runs in a child process: binaryen is itself a large wasm module, and compiling it here
 * would keep V8's background tier-up busy long enough that the peak loop stayed in the
 * baseline compiler.
 */
export function compile(relaxed, pages = 1) {
  const out = path.join(tmpdir(), `simdconv-bench-peak-${relaxed ? "relaxed" : "simd"}-${process.pid}.wasm`);
  execFileSync(process.execPath, [
    ascCli, source, "-o", out, "--runtime", "stub", "--use", "abort=", "--importMemory",
    "-O3", "--noAssert", "--enable", relaxed ? "simd,relaxed-simd" : "simd",
  ], { stdio: ["ignore", "ignore", "inherit"] });
  const memory = new WebAssembly.Memory({ initial: pages });
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(out)), { env: { memory } });
  return { memory, peak: exports.f32_peak_madd, copy: exports.f32_copy_simd };
}

export function measurePeak(relaxed) {
  const kernel = compile(relaxed).peak;
  const iterations = 1_000_000;
  // Long enough for V8 to move the loop from its baseline compiler to the optimising one.
  for (let i = 0; i < 20; i++) kernel(iterations, 0.5, 0.25);
  const rates = [];
  for (let i = 0; i < 21; i++) {
    const t = performance.now();
    kernel(iterations, 0.999, 0.001);
    rates.push((iterations * 96) / (performance.now() - t) / 1e6);
  }
  if (process.env.PEAK_DEBUG) console.log(rates.map((r) => r.toFixed(1)).join(" "));
  rates.sort((a, b) => a - b);
  return { kind: relaxed ? "f32x4.relaxed_madd" : "f32x4.mul + f32x4.add", gflops: rates[rates.length >> 1] };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  cli("node [--experimental-wasm-relaxed-simd] bench/tools/peak.mjs: the one-core FMA-loop peak of this build");
  const relaxed = process.execArgv.some((a) => a.includes("relaxed-simd"));
  const p = measurePeak(relaxed);
  console.log(`${p.kind}: ${p.gflops.toFixed(1)} GFLOP/s (12 chains, one core)`);
}
