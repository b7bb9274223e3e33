/**
 * The worker thread's whole program. scripts/build.mjs bundles it into a string
 * (worker.gen.ts), so starting a worker never has to locate a file.
 *
 * A kernel worker instantiates the -threads build on the shared memory, marks itself READY,
 * then waits for jobs: it spins briefly after each one (a sleeping worker costs about 50 µs to
 * wake, a spinning one about 1 µs) and then sleeps in Atomics.wait. A parked worker sleeps on
 * its state word until the count goes up again.
 *
 * The same program, started as a watchdog, waits (in its event loop, which a caller blocked in
 * an op cannot run) for the runtime to say that a kernel worker's thread has ended, and marks
 * it DEAD in the control block.
 */
import {
  ARGC, CHUNKS, CHUNK_ROWS, GEN, KERNEL, PARKED, READY, ROWS, STARTING, STOP, STOPPED, UP, WORKER_CHUNKS,
  claimWord, incarnationOf, markDead, readArgs, runChunks, slot, stateOf, stateWord,
} from "./control.js";

export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  /** The module's function exports; a job names its kernel by index in this list. */
  kernelNames: string[];
  index: number;
  incarnation: number;
  spinMs: number;
  /** Node: one end of a channel whose other end the watchdog holds; it closes when this thread ends. */
  port?: unknown;
  /** Browsers: a Web Lock this thread holds while it lives; the watchdog waits for it. */
  lock?: string;
}

export interface WatchdogInit {
  watchdog: true;
  control: SharedArrayBuffer;
}

/** What the pool tells the watchdog about each worker it starts. */
export interface Watch {
  index: number;
  incarnation: number;
  port?: { on(ev: string, f: () => void): void };
  lock?: string;
}

/** Kept here so the channel to the watchdog lives (and stays open) as long as this thread. */
let keep: unknown;

function serve(init: WorkerInit, exit: () => void): void {
  keep = init.port;
  const instance = new WebAssembly.Instance(init.module, { env: { memory: init.memory } });
  const kernels = init.kernelNames.map((n) => instance.exports[n] as (...a: number[]) => void);
  const ctl = new Int32Array(init.control);
  const st = slot(init.index);
  const inc = init.incarnation;
  const ready = stateWord(inc, READY);
  const parked = stateWord(inc, PARKED);
  const intent = claimWord(init.index);
  Atomics.store(ctl, st + UP, inc);
  Atomics.compareExchange(ctl, st, stateWord(inc, STARTING), ready); // the pool may have parked it already
  let seen = Atomics.load(ctl, GEN);
  for (;;) {
    const state = Atomics.load(ctl, st);
    if (state === parked) {
      Atomics.wait(ctl, st, parked);
      seen = Atomics.load(ctl, GEN); // jobs published while parked are not ours
      continue;
    }
    // Anything else but READY means stop: STOP, or the slot went to a newer worker.
    if (state !== ready) {
      Atomics.compareExchange(ctl, st, stateWord(inc, STOP), stateWord(inc, STOPPED));
      return;
    }
    let gen = Atomics.load(ctl, GEN);
    const spinUntil = performance.now() + init.spinMs;
    for (let i = 0; gen === seen; i++) {
      if (Atomics.load(ctl, st) !== ready) break;
      if ((i & 63) === 63 && performance.now() > spinUntil) Atomics.wait(ctl, GEN, seen);
      gen = Atomics.load(ctl, GEN);
    }
    if (gen === seen || Atomics.load(ctl, st) !== ready) continue;
    seen = gen;
    const argc = Atomics.load(ctl, ARGC);
    const ran = runChunks(
      ctl, gen, kernels[Atomics.load(ctl, KERNEL)], readArgs(ctl, argc),
      Atomics.load(ctl, ROWS), Atomics.load(ctl, CHUNK_ROWS), Atomics.load(ctl, CHUNKS), intent, exit,
    );
    if (ran) Atomics.add(ctl, WORKER_CHUNKS, ran);
  }
}

/** Node: the channel's far end closes when the worker's thread ends, however it ends. */
function watchNode(init: WatchdogInit, parent: { on(ev: "message", f: (w: Watch) => void): void }): void {
  const ctl = new Int32Array(init.control);
  parent.on("message", (w) => {
    w.port!.on("close", () => markDead(ctl, w.index, w.incarnation));
    w.port!.on("message", () => {}); // a port with a listener keeps its events coming
  });
}

/** Browsers: a Web Lock is released when the worker that holds it ends. */
function watchWeb(ctl: Int32Array, w: Watch): void {
  const locks = (navigator as { locks?: { request(name: string, f: () => void): Promise<unknown> } }).locks;
  if (!locks || !w.lock) return;
  const st = slot(w.index);
  const poll = () => {
    const word = Atomics.load(ctl, st);
    if (incarnationOf(word) !== w.incarnation || stateOf(word) === STOPPED) return; // gone before it was up
    // Ask for the lock only once the worker holds it (it marks UP inside its lock).
    if (Atomics.load(ctl, st + UP) !== w.incarnation) return void setTimeout(poll, 2);
    void locks.request(w.lock!, () => void markDead(ctl, w.index, w.incarnation));
  };
  poll();
}

type NodeThreads = { workerData?: WorkerInit | WatchdogInit; parentPort?: { on(ev: "message", f: (w: Watch) => void): void } };
const nodeThreads = (globalThis as { process?: { getBuiltinModule?: (m: string) => unknown } }).process
  ?.getBuiltinModule?.("worker_threads") as NodeThreads | undefined;

if (nodeThreads?.workerData) {
  // Node worker_threads: everything arrives as workerData; returning ends the thread.
  const data = nodeThreads.workerData;
  if ("watchdog" in data) watchNode(data, nodeThreads.parentPort!);
  else serve(data, () => (globalThis as unknown as { process: { exit(code: number): void } }).process.exit(1));
} else {
  // A Web Worker: one message, then this handler never returns until told to stop.
  const scope = globalThis as unknown as { onmessage: ((e: MessageEvent) => void) | null; close(): void };
  scope.onmessage = (e: MessageEvent<WorkerInit | WatchdogInit>) => {
    const data = e.data;
    if ("watchdog" in data) {
      const ctl = new Int32Array(data.control);
      scope.onmessage = (m: MessageEvent<Watch>) => watchWeb(ctl, m.data);
      return;
    }
    scope.onmessage = null;
    const exit = () => {
      scope.close();
      throw new Error("simdconv: a worker left in the middle of a chunk (test hook)");
    };
    const run = () => {
      serve(data, exit);
      scope.close();
    };
    const locks = (navigator as { locks?: { request(name: string, f: () => void): Promise<unknown> } }).locks;
    // Held until this thread ends: serve() never returns while it works.
    if (locks && data.lock) void locks.request(data.lock, run);
    else run();
  };
}
