// Helpers shared by the bench scripts.

export { random } from "./inputs.mjs";

/** The value after `--name` on the command line, or `fallback`. */
export const option = (name, fallback) => {
  const argv = process.argv;
  const i = argv.indexOf(name, 2);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
};

/** The middle value, or the mean of the middle two. */
export const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * How well this machine runs two threads at once right now: the speedup of two independent
 * busy loops over one. About 2 on a quiet 2-core machine; near 1 means other work holds the
 * cores, and thread speedups measured now mean nothing. The two workers stay up, so the
 * probe can be taken between the runs it qualifies: `measure()` blocks for about half a second.
 */
export function headroomProbe(iterations = 5e7) {
  const { Worker } = process.getBuiltinModule("worker_threads");
  // ctl: [0] generation (-1: leave), [1] workers in this round, [2] workers done.
  const ctl = new Int32Array(new SharedArrayBuffer(16));
  const loop = `
    const { workerData: { ctl, i, n } } = require("worker_threads");
    let seen = 0, sink = 0;
    for (;;) {
      Atomics.wait(ctl, 0, seen);
      seen = Atomics.load(ctl, 0);
      if (seen < 0) break;
      if (i >= Atomics.load(ctl, 1)) continue;
      for (let k = 0; k < n; k++) sink += k % 7;
      Atomics.add(ctl, 2, 1);
      Atomics.notify(ctl, 2);
    }
    if (sink === -1) console.log(sink);`;
  const workers = [0, 1].map((i) => new Worker(loop, { eval: true, workerData: { ctl, i, n: iterations } }));
  const round = (n) => {
    Atomics.store(ctl, 2, 0);
    Atomics.store(ctl, 1, n);
    Atomics.add(ctl, 0, 1);
    Atomics.notify(ctl, 0);
    const t = performance.now();
    for (let d = Atomics.load(ctl, 2); d < n; d = Atomics.load(ctl, 2)) Atomics.wait(ctl, 2, d, 1000);
    return performance.now() - t;
  };
  round(2); // both workers up and warm
  return {
    /** The median of `times` readings: one reading alone swings from 0.4 to 3 on a busy host. */
    measure: (times = 3) => median(Array.from({ length: times }, () => (2 * round(1)) / round(2))),
    close: () => {
      Atomics.store(ctl, 0, -1);
      Atomics.notify(ctl, 0);
      return Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/** One reading of headroomProbe, for scripts that need it once. */
export async function parallelHeadroom() {
  const probe = headroomProbe();
  try {
    probe.measure();
    return probe.measure();
  } finally {
    await probe.close();
  }
}
