// The one harness every bench uses: options, medians, warm-up, runs in turns, the host's
// parallel headroom, the machine's description and the results' JSON.
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

/**
 * The command line, checked against `spec` ({ name: { type: "boolean" | "string" | "number",
 * default?, help } }): an unknown option or a number that is not one is an error that names it.
 * `--help` prints `usage` and the options, then exits. With `positionals` (a description), bare
 * arguments are allowed and returned as `_`. `argv` defaults to this process's arguments.
 * @param {string} usage
 * @param {Record<string, { type: "boolean" | "string" | "number", default?: unknown, help?: string }>} [spec]
 * @param {{ positionals?: string, argv?: string[] }} [how]
 * @returns {Record<string, any> & { _: string[] }}
 */
export function cli(usage, spec = {}, { positionals, argv = process.argv.slice(2) } = {}) {
  const help = () =>
    [
      usage.trim(),
      ...(positionals ? [`  arguments: ${positionals}`] : []),
      ...Object.entries(spec).map(([name, o]) => `  --${name}${o.type === "boolean" ? "" : ` <${o.type}>`}  ${o.help ?? ""}` +
        (o.default !== undefined ? ` (default ${o.default})` : "")),
    ].join("\n");
  const options = { help: { type: "boolean" } };
  for (const [name, o] of Object.entries(spec)) options[name] = { type: o.type === "boolean" ? "boolean" : "string" };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: Boolean(positionals), strict: true });
  } catch (e) {
    throw new TypeError(`${e.message}\n${help()}`);
  }
  if (parsed.values.help) {
    console.log(help());
    process.exit(0);
  }
  const out = { _: parsed.positionals };
  for (const [name, o] of Object.entries(spec)) {
    const v = parsed.values[name];
    if (v === undefined) out[name] = o.type === "boolean" ? false : o.default;
    else if (o.type === "number") {
      out[name] = Number(v);
      if (v === "" || !Number.isFinite(out[name])) throw new RangeError(`--${name} must be a number, got "${v}"`);
    } else out[name] = v;
  }
  return out;
}

/** The middle value, or the mean of the middle two. */
export const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Warm-up: `run` at least `min` and at most `max` times, stopping after `ms` once `min` is
 * reached (weight packing, session set-up, V8's tiers). Returns ms per run, the row's estimate.
 */
export async function warmUp(run, { min, max, ms }) {
  const t0 = performance.now();
  let n = 0;
  while (n < max && (n < min || performance.now() - t0 < ms)) {
    await run();
    n++;
  }
  return (performance.now() - t0) / n;
}

/**
 * The runs timed in turns, A B C, then B C A, …, so drifting clocks or a busy neighbour hit all
 * of them alike; `run.before?()` is awaited outside the clock. Rounds go on while
 * `more(round, elapsedMs)`. Returns each run's times, ms.
 */
export async function inTurns(runs, more) {
  const times = runs.map(() => []);
  const t0 = performance.now();
  for (let round = 0; more(round, performance.now() - t0); round++) {
    for (let j = 0; j < runs.length; j++) {
      const k = (round + j) % runs.length;
      await runs[k].before?.();
      const start = performance.now();
      await runs[k]();
      times[k].push(performance.now() - start);
    }
  }
  return times;
}

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

/** The machine and the moment, for a results file: date, CPU, vCPUs, Node, 1-minute load. */
export const host = () => ({
  date: new Date().toISOString(),
  cpu: os.cpus()[0]?.model ?? "unknown CPU",
  vcpus: os.cpus().length,
  node: process.version,
  loadavg: os.loadavg()[0],
});

/** Writes a results file (its folder made if missing), one JSON document ending in a newline. */
export function writeJson(file, data, indent = 2) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(data, null, indent) + "\n");
}
