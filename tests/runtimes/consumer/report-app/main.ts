// An app built by `vite build` for a browser that no test driver controls (Firefox): the smoke
// suite on one thread, then threads where the page is cross-origin isolated, and the result
// posted back to the server that served the page.
import * as simdconv from "simdconv";
import { smoke } from "../../smoke.ts";

/** A conv, a fused conv and a pool above the thread split's cut-off, as raw bits. */
function outputs(): Uint32Array[] {
  let s = 7;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  return simdconv.tidy(() => {
    const x = simdconv.tensor(Float32Array.from({ length: 2 * 40 * 36 * 24 }, rand), [2, 40, 36, 24]);
    const w = simdconv.tensor(Float32Array.from({ length: 3 * 3 * 24 * 40 }, rand), [3, 3, 24, 40]);
    const bias = simdconv.tensor(Float32Array.from({ length: 40 }, rand));
    return [
      simdconv.conv2d(x, w, 1, "same"),
      simdconv.fused.conv2d({ x, filter: w, strides: [2, 1], pad: "valid", bias, activation: "relu" }),
      simdconv.maxPool(x, 3, 2, "same"),
    ].map((y) => new Uint32Array(y.dataSync().buffer.slice(0)));
  });
}

async function run(): Promise<Record<string, unknown>> {
  const passed = await smoke(simdconv);
  const one = outputs();
  const caps = await simdconv.init({ threads: 2 });
  const two = caps.threads ? outputs() : one;
  const sameBits = one.every((a, i) => a.length === two[i].length && a.every((v, j) => v === two[i][j]));
  await simdconv.shutdownThreads();
  return { passed, isolated: globalThis.crossOriginIsolated === true, caps, sameBits, leaked: simdconv.memory().numTensors };
}

run().then(
  (result) => fetch("/result", { method: "POST", body: JSON.stringify(result) }),
  (e: Error) => fetch("/result", { method: "POST", body: JSON.stringify({ error: String(e.stack ?? e) }) }),
);
