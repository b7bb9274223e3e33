/**
 * The worker thread's whole program. scripts/build.mjs bundles it into a string
 * (worker.gen.ts), so starting a worker never has to locate a file.
 *
 * It instantiates the -threads build on the shared memory, marks itself READY, then waits
 * for jobs: it spins briefly after each one (a sleeping worker costs about 50 µs to wake,
 * a spinning one about 1 µs) and then sleeps in Atomics.wait.
 */
import {
  ARGC, CHUNKS, CHUNK_ROWS, GEN, KERNEL, READY, ROWS, STOPPED, WORKER_CHUNKS, readArgs, runChunks, slot,
} from "./control.js";

export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  /** The module's function exports; a job names its kernel by index in this list. */
  kernelNames: string[];
  index: number;
  spinMs: number;
}

function serve(init: WorkerInit): void {
  const instance = new WebAssembly.Instance(init.module, { env: { memory: init.memory } });
  const kernels = init.kernelNames.map((n) => instance.exports[n] as (...a: number[]) => void);
  const ctl = new Int32Array(init.control);
  const state = slot(init.index);
  Atomics.compareExchange(ctl, state, 0, READY);
  let seen = Atomics.load(ctl, GEN);
  for (;;) {
    let gen = Atomics.load(ctl, GEN);
    const spinUntil = performance.now() + init.spinMs;
    for (let i = 0; gen === seen; i++) {
      // Anything but READY means stop: STOP, or the slot went to a newer worker.
      if (Atomics.load(ctl, state) !== READY) {
        Atomics.store(ctl, state, STOPPED);
        return;
      }
      if ((i & 63) === 63 && performance.now() > spinUntil) Atomics.wait(ctl, GEN, seen);
      gen = Atomics.load(ctl, GEN);
    }
    seen = gen;
    const argc = Atomics.load(ctl, ARGC);
    const ran = runChunks(
      ctl, gen, kernels[Atomics.load(ctl, KERNEL)], readArgs(ctl, argc),
      Atomics.load(ctl, ROWS), Atomics.load(ctl, CHUNK_ROWS), Atomics.load(ctl, CHUNKS),
    );
    if (ran) Atomics.add(ctl, WORKER_CHUNKS, ran);
  }
}

type WorkerThreads = { workerData?: WorkerInit };
const nodeThreads = (globalThis as { process?: { getBuiltinModule?: (m: string) => unknown } }).process
  ?.getBuiltinModule?.("worker_threads") as WorkerThreads | undefined;

if (nodeThreads?.workerData) {
  // Node worker_threads: everything arrives as workerData; returning ends the thread.
  serve(nodeThreads.workerData);
} else {
  // A Web Worker: one message, then this handler never returns until told to stop.
  const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<WorkerInit>) => void) | null; close(): void };
  scope.onmessage = (e) => {
    scope.onmessage = null;
    serve(e.data);
    scope.close();
  };
}
