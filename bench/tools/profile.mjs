// Where a shape's time goes, from V8's sampling CPU profiler (node:inspector, no flags needed):
// self time per function over many runs of the bench's own run (op + dataSync() + dispose),
// for simdconv and tfjs-backend-wasm, one after the other. Our wasm functions are named from the
// module's exports; tfjs-wasm's module has no names, so its kernels show as wasm-function[i].
//   node --experimental-wasm-relaxed-simd bench/tools/profile.mjs [--shapes 2,9,10] [--runs 100]
import { Session } from "node:inspector/promises";
import { readFileSync } from "node:fs";
import { SHAPES } from "../ops/shapes.mjs";
import { createPeers } from "../ops/peers.mjs";
import { cli } from "../harness.mjs";

const opts = cli("node --experimental-wasm-relaxed-simd bench/tools/profile.mjs [options]: self time per function, ours and tfjs-backend-wasm", {
  shapes: { type: "string", default: "2,9,10", help: "shape numbers of bench/ops/shapes.mjs" },
  runs: { type: "number", default: 100, help: "runs per library under the profiler" },
});
const ids = opts.shapes.split(",").map(Number);
const runs = opts.runs;
const TOP = 6;

/** Function index → export name, read from the wasm's import and export sections. */
function exportNames(bytes) {
  const names = new Map();
  let pos = 8;
  const u32 = () => {
    let result = 0, shift = 0, b;
    do {
      b = bytes[pos++];
      result |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    return result >>> 0;
  };
  const name = () => {
    const n = u32();
    const s = new TextDecoder().decode(bytes.subarray(pos, pos + n));
    pos += n;
    return s;
  };
  while (pos < bytes.length) {
    const id = bytes[pos++];
    const size = u32();
    const end = pos + size;
    if (id === 7) {
      for (let i = u32(); i > 0; i--) {
        const field = name();
        const kind = bytes[pos++];
        const index = u32();
        if (kind === 0) names.set(`wasm-function[${index}]`, field);
      }
    }
    pos = end; // imports hold only the memory, so function indices need no offset
  }
  return names;
}

const libs = (await createPeers({ cpu: false, ort: false })).filter((l) => l.name === "simdconv" || l.name === "tfjs-wasm");
const ours = libs.find((l) => l.name === "simdconv");
const names = exportNames(readFileSync(new URL(`../../build/simdconv-${ours.build}.wasm`, import.meta.url)));

const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 100 });

console.log(`self time over ${runs} runs of op + dataSync() + dispose, after 20 warm-up runs (ours: ${ours.build} build)`);
for (const shape of SHAPES.filter((s) => ids.includes(s.id))) {
  console.log(`\n${shape.id}. ${shape.label}`);
  for (const lib of libs) {
    const run = await lib.prepare(shape);
    await run.before?.();
    for (let i = 0; i < 20; i++) run();
    await session.post("Profiler.start");
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) run();
    const ms = (performance.now() - t0) / runs;
    const { profile } = await session.post("Profiler.stop");
    run.dispose();
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map();
    let total = 0;
    profile.samples.forEach((id, i) => {
      const f = nodes.get(id).callFrame.functionName || "(anonymous)";
      const key = lib === ours ? names.get(f) ?? f : f;
      self.set(key, (self.get(key) ?? 0) + profile.timeDeltas[i]);
      total += profile.timeDeltas[i];
    });
    const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, TOP);
    console.log(`  ${lib.name.padEnd(10)} ${ms.toFixed(2)} ms/run: ` + top.map(([k, v]) => `${k} ${((100 * v) / total).toFixed(0)}%`).join(", "));
  }
}
process.exit(0);
