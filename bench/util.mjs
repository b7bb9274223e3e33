// Helpers shared by the bench scripts.

export { random } from "./inputs.mjs";

export const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];

/**
 * How well this machine runs two threads at once right now: the speedup of two independent
 * busy loops over one. About 2 on a quiet 2-core machine; near 1 means other work holds the
 * cores, and thread speedups measured now mean nothing.
 */
export async function parallelHeadroom() {
  const { Worker } = process.getBuiltinModule("worker_threads");
  const loop = "let s = 0; for (let i = 0; i < 5e7; i++) s += i % 7; require('worker_threads').parentPort.postMessage(s);";
  const run = async (n) => {
    const t = performance.now();
    await Promise.all(
      Array.from({ length: n }, () => new Promise((resolve, reject) => {
        const w = new Worker(loop, { eval: true });
        w.once("message", () => w.terminate().then(resolve));
        w.once("error", reject);
      })),
    );
    return performance.now() - t;
  };
  await run(1);
  const one = await run(1);
  return (2 * one) / (await run(2));
}
