// Where the time of the memory-bound ops and the 1-channel edge filter goes (npm run bench -- measures op + read-back):
// the op alone vs the op plus dataSync(), for simdconv and tfjs-backend-wasm, interleaved.
// simdconv's relu and maxPool are deferred: "op" computes the result in place (view()), while
// "op + dataSync" computes it chunk by chunk into the read-back (DeferredJob, src/tensor.ts).
//   node --experimental-wasm-relaxed-simd bench/tools/breakdown.mjs
import { SHAPES } from "../ops/shapes.mjs";
import { createPeers } from "../ops/peers.mjs";
import { compile } from "./peak.mjs";
import { cli, median } from "../harness.mjs";

cli("node --experimental-wasm-relaxed-simd bench/tools/breakdown.mjs: op alone vs op + dataSync(), and memory speed");
const libs = (await createPeers({ cpu: false, ort: false })).filter((l) => l.name !== "simdconv-simd");

// Memory speed on this machine, for relu's size (read n floats, write n floats): a plain wasm
// SIMD copy loop (4 vectors per step, the relu kernel's loop without the pmax/pmin) and
// memory.copy-style memmove (TypedArray.copyWithin on a wasm memory). GB/s = 8·n bytes / time.
{
  const n = 224 * 224 * 64;
  const { memory, copy } = compile(process.execArgv.some((a) => a.includes("relaxed-simd")), Math.ceil((8 * n + 64) / 65536));
  const u8 = new Uint8Array(memory.buffer);
  const t = { loop: [], memmove: [] };
  for (let i = 0; i < 45; i++) {
    let s = performance.now();
    copy(0, 4 * n, n);
    const a = performance.now() - s;
    s = performance.now();
    u8.copyWithin(4 * n, 0, 4 * n);
    const b = performance.now() - s;
    if (i >= 5) t.loop.push(a), t.memmove.push(b);
  }
  const gbs = (ms) => ((8 * n) / ms / 1e6).toFixed(1);
  console.log(
    `memory speed, ${n} floats read + written: wasm copy loop ${median(t.loop).toFixed(2)} ms (${gbs(median(t.loop))} GB/s), ` +
      `memmove ${median(t.memmove).toFixed(2)} ms (${gbs(median(t.memmove))} GB/s)`,
  );
}
// The libraries take turns run by run, as in bench/ops/compare.mjs: the garbage one library's read-back
// leaves is collected during whichever run comes next, so timing one library's runs back to
// back would charge it its own collections and the other none.
for (const shape of SHAPES.filter((s) => s.id === 1 || s.op === "relu" || s.op === "maxPool")) {
  const runs = [];
  for (const lib of libs) runs.push({ lib, run: await lib.prepare(shape), op: [], read: [] });
  for (let i = 0; i < 25; i++) {
    for (const r of runs) {
      await r.run.before?.();
      let s = performance.now();
      r.run.opOnly();
      const op = performance.now() - s;
      s = performance.now();
      r.run();
      const all = performance.now() - s;
      if (i >= 5) r.op.push(op), r.read.push(all);
    }
  }
  const cells = runs.map((r) => {
    r.run.dispose();
    const opGbs = shape.op === "relu" ? ` (${((8 * 224 * 224 * 64) / median(r.op) / 1e6).toFixed(1)} GB/s)` : "";
    return `${r.lib.name}: op ${median(r.op).toFixed(2)} ms${opGbs}, op + dataSync ${median(r.read).toFixed(2)} ms`;
  });
  console.log(`${shape.label}: ${cells.join("; ")}`);
}
