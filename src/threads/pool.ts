/**
 * The worker pool: starts the workers (worker_threads in Node, module Workers elsewhere),
 * publishes jobs through the control block and takes a share of every job itself.
 */
import workerSource from "./worker.gen.js";
import {
  ARGC, CHUNKS, CHUNK_ROWS, CLOSED, CONTROL_WORDS, DONE, FAILED_CHUNK, GEN, KERNEL, MAX_ARGS, MAX_CHUNKS, MAX_WORKERS,
  NEXT, READY, ROWS, STARTING, STOP, STOPPED, WORKER_CHUNKS, openJob, runChunks, slot, writeArgs,
} from "./control.js";
import type { WorkerInit } from "./worker.js";

/** Chunks per thread at most: enough that the last chunk leaves the threads within a few % of each other. */
const CHUNKS_PER_THREAD = 16;
/**
 * Work per chunk at least: claiming a chunk and calling the kernel from JS cost about a
 * microsecond, so chunks of a small op must not be cut down to a row each.
 */
const MIN_CHUNK_FLOPS = 64_000;
/** How long a worker spins for the next job before it sleeps. */
const SPIN_MS = 0.2;
/** Workers that die after they were running are replaced this many times, then threads go off. */
const MAX_RESTARTS = 3;

type Kernel = (...a: number[]) => void;

interface WorkerHandle {
  /**
   * Ends the thread: only safe while it cannot be inside a job. A promise means the thread
   * may still run until it settles (Node); nothing means it is gone (Web Workers).
   */
  terminate(): Promise<unknown> | void;
}

interface WorkerEvents {
  /** The thread ended or could not start; `why` is its error or exit code. */
  ended(index: number, why: string): void;
}

type Spawn = (init: WorkerInit, events: WorkerEvents) => WorkerHandle;

type NodeWorkerThreads = {
  Worker: new (code: string, opts: object) => {
    unref(): void;
    terminate(): Promise<number>;
    on(ev: "error", f: (e: Error) => void): void;
    on(ev: "exit", f: (code: number) => void): void;
  };
};

function nodeWorkerThreads(): NodeWorkerThreads | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (m: string) => unknown } }).process;
  return proc?.getBuiltinModule?.("worker_threads") as NodeWorkerThreads | undefined;
}

/**
 * How this runtime starts a thread, or why it cannot. worker_threads wins where both exist
 * (Deno, Bun): its workers can be unref'd, so they never keep a finished script alive.
 */
export function workerSpawner(): Spawn | string {
  const wt = nodeWorkerThreads();
  if (wt) return (init, events) => spawnNodeWorker(wt, init, events);
  if (typeof Worker === "function") return spawnWebWorker;
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (proc?.versions?.node) return `Node ${proc.versions.node} lacks process.getBuiltinModule: threads need Node 20.16 or later`;
  return "this runtime has no Worker";
}

/** @internal Tests replace the worker's program to see a failed start. */
export const workerProgram = { source: workerSource };

function spawnNodeWorker(wt: NodeWorkerThreads, init: WorkerInit, events: WorkerEvents): WorkerHandle {
  const w = new wt.Worker(workerProgram.source, { eval: true, workerData: init, name: `simdconv-${init.index}` });
  // A worker blocked in Atomics.wait must not keep a finished script alive.
  w.unref();
  let error: Error | undefined;
  w.on("error", (e) => (error = e));
  w.on("exit", (code) => events.ended(init.index, error ? error.message : `exit code ${code}`));
  return { terminate: () => w.terminate() };
}

let workerUrl: string | undefined;

function spawnWebWorker(init: WorkerInit, events: WorkerEvents): WorkerHandle {
  workerUrl ??= URL.createObjectURL(new Blob([workerProgram.source], { type: "text/javascript" }));
  const w = new Worker(workerUrl, { type: "module", name: `simdconv-${init.index}` });
  w.addEventListener("error", (e) => {
    e.preventDefault();
    events.ended(init.index, e.message || "the worker script failed to load (a Content-Security-Policy may forbid blob: workers)");
  });
  w.addEventListener("messageerror", () => events.ended(init.index, "the worker could not receive the shared memory"));
  w.postMessage(init);
  return { terminate: () => void w.terminate() };
}

/** Whether this thread may block in Atomics.wait (a browser's main thread may not). */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

interface Slot {
  handle: WorkerHandle;
  /** Asked to finish; its index is reused once its state reads STOPPED or it has ended. */
  stopping: boolean;
  /** Seen READY, so a later death is a crash, not a failed start. */
  wasReady: boolean;
}

export class Pool {
  private readonly ctl = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  /** Indexed by the worker's control-block slot. */
  private readonly slots: (Slot | undefined)[] = [];
  private readonly kernelIds = new Map<string, number>();
  private readonly kernelNames: string[];
  private readonly blocking = canBlock();
  private restarts = 0;
  private failed = false;

  /**
   * @param onFailure called once when the workers cannot run; the pool has stopped them.
   * @param onWarning called when a worker died and was replaced.
   */
  constructor(
    private readonly module: WebAssembly.Module,
    private readonly memory: WebAssembly.Memory,
    private readonly spawn: Spawn,
    private readonly onFailure: (reason: string) => void,
    private readonly onWarning: (message: string) => void,
  ) {
    this.kernelNames = WebAssembly.Module.exports(module).filter((e) => e.kind === "function").map((e) => e.name);
    this.kernelNames.forEach((n, i) => this.kernelIds.set(n, i));
    Atomics.store(this.ctl, NEXT, CLOSED);
  }

  private active(): number[] {
    const out: number[] = [];
    this.slots.forEach((s, i) => s && !s.stopping && out.push(i));
    return out;
  }

  /** Threads that share a job: the running workers plus the calling thread. */
  get threads(): number {
    return this.active().length + 1;
  }

  /** Workers that have instantiated the kernels and wait for jobs. */
  get ready(): number {
    return this.active().filter((i) => Atomics.load(this.ctl, slot(i)) === READY).length;
  }

  /** Whether every worker has left (after `stop()`). */
  get stopped(): boolean {
    return this.slots.every((s, i) => !s || Atomics.load(this.ctl, slot(i)) === STOPPED);
  }

  /** Starts or stops workers so that `workers` of them run. */
  resize(workers: number): void {
    const active = this.active();
    for (const i of active.slice(workers)) this.stopWorker(i);
    for (let n = active.length; n < workers && !this.failed; n++) this.startWorker();
  }

  /** Asks every worker to finish; they end on their own (a browser worker closes itself). */
  stop(): void {
    this.resize(0);
  }

  private startWorker(): void {
    let i = 0;
    while (i < this.slots.length && this.slots[i] && Atomics.load(this.ctl, slot(i)) !== STOPPED) i++;
    if (i >= MAX_WORKERS) return;
    Atomics.store(this.ctl, slot(i), STARTING);
    const init: WorkerInit = {
      module: this.module, memory: this.memory, control: this.ctl.buffer as SharedArrayBuffer,
      kernelNames: this.kernelNames, index: i, spinMs: SPIN_MS,
    };
    try {
      const handle = this.spawn(init, { ended: (index, why) => this.ended(index, handle, why) });
      this.slots[i] = { handle, stopping: false, wasReady: false };
    } catch (e) {
      this.fail(`a worker thread could not be started: ${(e as Error).message}`);
    }
  }

  private stopWorker(i: number): void {
    const s = this.slots[i]!;
    s.stopping = true;
    if (Atomics.exchange(this.ctl, slot(i), STOP) === STARTING) {
      // Not serving yet, so it cannot be inside a job: ending it at once is safe. A Web
      // Worker ends at once and sends no event; a Node worker frees its slot on 'exit'.
      if (!s.handle.terminate()) {
        this.slots[i] = undefined;
        Atomics.store(this.ctl, slot(i), STOPPED);
      }
    }
    // A new generation (with no chunks: NEXT is closed) wakes a worker that checked its
    // state just before sleeping, which a bare notify could miss.
    Atomics.add(this.ctl, GEN, 1);
    Atomics.notify(this.ctl, GEN);
  }

  private ended(index: number, handle: WorkerHandle, why: string): void {
    const s = this.slots[index];
    if (!s || s.handle !== handle) return; // its slot already went to a newer worker
    this.slots[index] = undefined;
    if (s.stopping) return;
    const state = Atomics.exchange(this.ctl, slot(index), STOPPED);
    if (!s.wasReady && state !== READY) {
      this.fail(`worker threads failed to start: ${why}`);
    } else if (++this.restarts > MAX_RESTARTS) {
      this.fail(`worker threads kept dying (the last: ${why})`);
    } else {
      this.onWarning(`simdconv: worker thread ${index + 1} died (${why}); starting a new one`);
      this.startWorker();
    }
  }

  private fail(reason: string): void {
    if (this.failed) return;
    this.failed = true;
    this.stop();
    this.onFailure(reason);
  }

  /**
   * Runs `kernel(...args, r0, r1)` over rows [0, rows) on every thread of the pool and
   * returns when all rows are done. Each row is computed by exactly one call.
   */
  run(kernelName: string, kernel: Kernel, args: number[], rows: number, flopsPerRow: number): void {
    const id = this.kernelIds.get(kernelName);
    if (id === undefined || args.length > MAX_ARGS - 2) {
      kernel(...args, 0, rows);
      return;
    }
    this.noticeReady();
    const ctl = this.ctl;
    const threads = this.threads;
    const byWork = Math.max(threads, Math.floor((rows * flopsPerRow) / MIN_CHUNK_FLOPS));
    let chunks = Math.min(rows, byWork, threads * CHUNKS_PER_THREAD, MAX_CHUNKS);
    const chunkRows = Math.ceil(rows / chunks);
    chunks = Math.ceil(rows / chunkRows);
    Atomics.store(ctl, KERNEL, id);
    Atomics.store(ctl, ARGC, args.length);
    writeArgs(ctl, args);
    Atomics.store(ctl, ROWS, rows);
    Atomics.store(ctl, CHUNK_ROWS, chunkRows);
    Atomics.store(ctl, CHUNKS, chunks);
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, FAILED_CHUNK, 0);
    const gen = (Atomics.load(ctl, GEN) + 1) | 0;
    Atomics.store(ctl, NEXT, openJob(gen));
    Atomics.store(ctl, GEN, gen);
    Atomics.notify(ctl, GEN);
    runChunks(ctl, gen, kernel, args.slice(), rows, chunkRows, chunks);
    this.waitDone(chunks);
    Atomics.store(ctl, NEXT, CLOSED);
    const failed = Atomics.load(ctl, FAILED_CHUNK);
    if (failed) {
      // Re-run the chunk here so the kernel's own error surfaces.
      const r0 = (failed - 1) * chunkRows;
      kernel(...args, r0, Math.min(rows, r0 + chunkRows));
      throw new Error(`simdconv: ${kernelName} failed on a worker thread for rows [${r0}, ${r0 + chunkRows})`);
    }
  }

  private waitDone(chunks: number): void {
    const ctl = this.ctl;
    let spins = 0;
    for (let done = Atomics.load(ctl, DONE); done !== chunks; done = Atomics.load(ctl, DONE)) {
      // Workers finish within microseconds of the caller unless one was descheduled; then
      // sleep rather than take the core it needs (where this thread may sleep).
      if (this.blocking && ++spins > 4096) Atomics.wait(ctl, DONE, done, 5);
    }
  }

  /** @internal Chunks the workers have run since the pool started (for tests). */
  get workerChunks(): number {
    return Atomics.load(this.ctl, WORKER_CHUNKS);
  }

  /** @internal Kills a running worker from outside, as a crash would (for tests). */
  kill(n: number): Promise<unknown> | void {
    return this.slots[this.active()[n]]?.handle.terminate();
  }

  /** Records which workers have started, so a later death counts as a crash. */
  private noticeReady(): void {
    this.slots.forEach((s, i) => {
      if (s && !s.wasReady && Atomics.load(this.ctl, slot(i)) === READY) s.wasReady = true;
    });
  }
}
