// 2 threads vs 1 thread of our own, on the bench's large convs and the edge filter.
// Run it under the shared lock so other work does not skew the ratio:
//   flock /tmp/simdconv-bench.lock npm run bench:threads [-- --reps 7] [-- --cutoff]
// --cutoff instead times small convs around the split threshold (MIN_SPLIT_FLOPS).
import * as sc from "../dist/index.js";
import { median, parallelHeadroom, random } from "./util.mjs";

const args = process.argv.slice(2);
console.log(`parallel headroom now: ${(await parallelHeadroom()).toFixed(2)}× (two busy loops vs one; ~2 on a quiet 2-core machine)`);
const reps = Number(args[args.indexOf("--reps") + 1]) || 5;

const shapes = [
  { name: "1×224×224×64, 3×3, 64→64, same", x: [1, 224, 224, 64], f: [3, 3, 64, 64] },
  { name: "1×56×56×256, 3×3, 256→256, same", x: [1, 56, 56, 256], f: [3, 3, 256, 256] },
  { name: "1×28×28×512, 3×3, 512→512, same", x: [1, 28, 28, 512], f: [3, 3, 512, 512] },
  { name: "edge filter 1×512×512×1, 3×3, 1→1, same", x: [1, 512, 512, 1], f: [3, 3, 1, 1] },
];

const size = (s) => s.reduce((a, b) => a * b, 1);

/**
 * Median ms per conv for each thread count. Counts alternate in rounds, so drift in the
 * machine's load hits both alike; each round starts the workers afresh and warms up first.
 */
async function time(x, w, counts, reps, minMs = 0) {
  const ms = new Map(counts.map((n) => [n, []]));
  const rounds = Math.min(reps, 3);
  for (let round = 0; round < rounds; round++) {
    for (const n of counts) {
      await sc.init({ threads: n });
      sc.conv2d(x, w, 1, "same").dispose();
      for (let r = round; r < reps; r += rounds) {
        let runs = 0;
        const t0 = performance.now();
        do {
          sc.conv2d(x, w, 1, "same").dispose();
          runs++;
        } while (performance.now() - t0 < minMs);
        ms.get(n).push((performance.now() - t0) / runs);
      }
    }
  }
  return new Map([...ms].map(([n, v]) => [n, median(v)]));
}

if (args.includes("--cutoff")) {
  console.log("| MFLOP | 1 thread µs | 2 threads µs | 2t/1t speedup |\n|---:|---:|---:|---:|");
  for (const [h, c] of [[4, 4], [6, 8], [8, 8], [8, 16], [12, 16], [16, 16], [16, 32], [24, 32], [32, 32]]) {
    const x = sc.tensor(random(h * h * c, 1), [1, h, h, c]);
    const w = sc.tensor(random(9 * c * c, 2), [3, 3, c, c]);
    const t = await time(x, w, [1, 2], reps * 3, 20);
    const mflop = (2 * h * h * c * c * 9) / 1e6;
    console.log(`| ${mflop.toFixed(3)} | ${(t.get(1) * 1e3).toFixed(1)} | ${(t.get(2) * 1e3).toFixed(1)} | ${(t.get(1) / t.get(2)).toFixed(2)}× |`);
    x.dispose();
    w.dispose();
  }
} else {
  const caps = await sc.init({ threads: 2 });
  console.log(`simdconv build ${caps.build}, ${reps} runs each, median ms`);
  console.log("| shape | 1 thread ms | 2 threads ms | speedup |\n|---|---:|---:|---:|");
  for (const s of shapes) {
    const x = sc.tensor(random(size(s.x), 1), s.x);
    const w = sc.tensor(random(size(s.f), 2), s.f);
    const t = await time(x, w, [1, 2], reps);
    console.log(`| ${s.name} | ${t.get(1).toFixed(2)} | ${t.get(2).toFixed(2)} | ${(t.get(1) / t.get(2)).toFixed(2)}× |`);
    x.dispose();
    w.dispose();
  }
}
await sc.shutdownThreads();
