// Where the time of the memory-bound ops and the 1-channel edge filter goes (npm run bench -- measures op + read-back):
// the op alone vs the op plus dataSync(), for simdconv and tfjs-backend-wasm, interleaved.
//   node --experimental-wasm-relaxed-simd bench/breakdown.mjs
import { SHAPES } from "./shapes.mjs";
import { createPeers } from "./peers.mjs";

const libs = (await createPeers({ cpu: false, ort: false })).filter((l) => l.name !== "simdconv-simd");
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
for (const shape of SHAPES.filter((s) => s.id === 1 || s.op === "relu" || s.op === "maxPool")) {
  const cells = [];
  for (const lib of libs) {
    const run = await lib.prepare(shape);
    await run.before?.();
    const opOnly = run.opOnly;
    const t = { op: [], read: [] };
    for (let i = 0; i < 25; i++) {
      let s = performance.now();
      opOnly();
      const op = performance.now() - s;
      s = performance.now();
      run();
      const all = performance.now() - s;
      if (i >= 5) t.op.push(op), t.read.push(all);
    }
    run.dispose();
    cells.push(`${lib.name}: op ${median(t.op).toFixed(2)} ms, op + dataSync ${median(t.read).toFixed(2)} ms`);
  }
  console.log(`${shape.label}: ${cells.join("; ")}`);
}
