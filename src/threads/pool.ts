/**
 * The worker pool: starts the workers (worker_threads in Node, module Workers elsewhere),
 * publishes jobs through the control block and takes a share of every job itself.
 */
import workerSource from "./worker.gen.js";
import {
  ARGC, CHUNKS, CHUNK_ROWS, CLAIM, CLOSED, CONTROL_WORDS, DEAD, DEATHS, DIE_IN_CHUNK, DONE, FAILED_CHUNK, GEN, KERNEL,
  MARKS, MAX_ARGS, MAX_CHUNKS, MAX_INCARNATION, MAX_WORKERS, NEXT, PARKED, READY, ROWS, STARTING, STOP, STOPPED, UP,
  WORKER_CHUNKS, openJob, runChunk, runChunks, slot, stateOf, stateWord, writeArgs,
} from "./control.js";
import type { Watch, WorkerInit } from "./worker.js";

/** Chunks per thread at most: enough that the last chunk leaves the threads within a few % of each other. */
const CHUNKS_PER_THREAD = 16;
/**
 * Work per chunk at least: claiming a chunk and calling the kernel from JS cost about a
 * microsecond, so chunks of a small op must not be cut down to a row each.
 */
const MIN_CHUNK_FLOPS = 64_000;
/** How long a worker spins for the next job before it sleeps. */
const SPIN_MS = 0.2;
/**
 * The longest a waiting caller sleeps at a time. The watchdog wakes it on a death at once;
 * the bound only limits what a missed wake-up could cost.
 */
const WAIT_MS = 5;
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

/** A thread whose event loop stays free to hear that workers died, even while the caller blocks. */
interface Watchdog {
  /** Registers a worker about to start; returns what that worker's init needs (and transfers). */
  watch(index: number, incarnation: number): Pick<WorkerInit, "port" | "lock">;
  terminate(): void;
}

/** How a runtime starts threads. */
export interface Spawner {
  spawn(init: WorkerInit, events: WorkerEvents): WorkerHandle;
  watchdog(control: SharedArrayBuffer): Watchdog;
}

type NodeWorker = {
  unref(): void;
  terminate(): Promise<number>;
  postMessage(m: unknown, transfer?: unknown[]): void;
  on(ev: "error", f: (e: Error) => void): void;
  on(ev: "exit", f: (code: number) => void): void;
};
type NodeWorkerThreads = {
  Worker: new (code: string, opts: object) => NodeWorker;
  MessageChannel: new () => { port1: unknown; port2: unknown };
};

function nodeWorkerThreads(): NodeWorkerThreads | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (m: string) => unknown } }).process;
  return proc?.getBuiltinModule?.("worker_threads") as NodeWorkerThreads | undefined;
}

/**
 * How this runtime starts a thread, or why it cannot. worker_threads wins where both exist
 * (Deno, Bun): its workers can be unref'd, so they never keep a finished script alive.
 */
export function workerSpawner(): Spawner | string {
  const wt = nodeWorkerThreads();
  if (wt) return nodeSpawner(wt);
  if (typeof Worker === "function") return webSpawner;
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (proc?.versions?.node) return `Node ${proc.versions.node} lacks process.getBuiltinModule: threads need Node 20.16 or later`;
  return "this runtime has no Worker";
}

/** @internal Tests replace the worker's program to see a failed start. */
export const workerProgram = { source: workerSource };

function nodeSpawner(wt: NodeWorkerThreads): Spawner {
  return {
    spawn(init, events) {
      const w = new wt.Worker(workerProgram.source, {
        eval: true, workerData: init, transferList: init.port ? [init.port] : [], name: `simdconv-${init.index}`,
      });
      // A worker blocked in Atomics.wait must not keep a finished script alive.
      w.unref();
      let error: Error | undefined;
      w.on("error", (e) => (error = e));
      w.on("exit", (code) => events.ended(init.index, error ? error.message : `exit code ${code}`));
      return { terminate: () => w.terminate() };
    },
    watchdog(control) {
      const dog = new wt.Worker(workerProgram.source, { eval: true, workerData: { watchdog: true, control }, name: "simdconv-watchdog" });
      dog.unref();
      // Without it, deaths are still seen on the event loop ('exit'), only not during an op.
      dog.on("error", () => {});
      return {
        watch(index, incarnation) {
          const { port1, port2 } = new wt.MessageChannel();
          dog.postMessage({ index, incarnation, port: port1 as Watch["port"] } satisfies Watch, [port1]);
          return { port: port2 };
        },
        terminate: () => void dog.terminate(),
      };
    },
  };
}

let workerUrl: string | undefined;

function startWebWorker(name: string): Worker {
  workerUrl ??= URL.createObjectURL(new Blob([workerProgram.source], { type: "text/javascript" }));
  return new Worker(workerUrl, { type: "module", name });
}

const webSpawner: Spawner = {
  spawn(init, events) {
    const w = startWebWorker(`simdconv-${init.index}`);
    w.addEventListener("error", (e) => {
      e.preventDefault();
      events.ended(init.index, e.message || "the worker script failed to load (a Content-Security-Policy may forbid blob: workers)");
    });
    w.addEventListener("messageerror", () => events.ended(init.index, "the worker could not receive the shared memory"));
    w.postMessage(init);
    return { terminate: () => void w.terminate() };
  },
  watchdog(control) {
    const dog = startWebWorker("simdconv-watchdog");
    dog.addEventListener("error", (e) => e.preventDefault());
    dog.postMessage({ watchdog: true, control });
    // Lock names are per origin: other pools, pages and tabs must not share them.
    const prefix = `simdconv-${Math.random().toString(36).slice(2)}`;
    return {
      watch(index, incarnation) {
        const lock = `${prefix}-${index}-${incarnation}`;
        dog.postMessage({ index, incarnation, lock } satisfies Watch);
        return { lock };
      },
      terminate: () => dog.terminate(),
    };
  },
};

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
  incarnation: number;
  /** Asked to finish; its index is reused once its state reads STOPPED or it has ended. */
  stopping: boolean;
  /** Kept alive but out of jobs, because the count went down. */
  parked: boolean;
}

export class Pool {
  private readonly ctl = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  /** Indexed by the worker's control-block slot. */
  private readonly slots: (Slot | undefined)[] = [];
  private readonly kernelIds = new Map<string, number>();
  private readonly kernelNames: string[];
  private readonly blocking = canBlock();
  private readonly watchdog: Watchdog | undefined;
  private incarnations = 0;
  private restarts = 0;
  private failed = false;
  /** DEATHS when the pool last looked for dead workers. */
  private deathsSeen = 0;
  /** @internal Workers found dead, and chunks the caller ran again for them (for tests). */
  deaths = 0;
  recoveredChunks = 0;

  /**
   * @param onFailure called once when the workers cannot run; the pool has stopped them.
   * @param onWarning called once for each worker that died and was replaced.
   */
  constructor(
    private readonly module: WebAssembly.Module,
    private readonly memory: WebAssembly.Memory,
    private readonly spawner: Spawner,
    private readonly onFailure: (reason: string) => void,
    private readonly onWarning: (message: string) => void,
  ) {
    this.kernelNames = WebAssembly.Module.exports(module).filter((e) => e.kind === "function").map((e) => e.name);
    this.kernelNames.forEach((n, i) => this.kernelIds.set(n, i));
    Atomics.store(this.ctl, NEXT, CLOSED);
    try {
      this.watchdog = spawner.watchdog(this.ctl.buffer as SharedArrayBuffer);
    } catch {
      this.watchdog = undefined; // deaths are then seen only between ops, on the event loop
    }
  }

  private state(i: number): number {
    return stateOf(Atomics.load(this.ctl, slot(i)));
  }

  /** Workers that take jobs (or will once up). */
  private active(): number[] {
    const out: number[] = [];
    this.slots.forEach((s, i) => s && !s.stopping && !s.parked && out.push(i));
    return out;
  }

  /** Threads that share a job: the running workers plus the calling thread. */
  get threads(): number {
    return this.active().length + 1;
  }

  /** Workers that have instantiated the kernels and wait for jobs. */
  get ready(): number {
    return this.active().filter((i) => this.state(i) === READY && Atomics.load(this.ctl, slot(i) + UP) === this.slots[i]!.incarnation).length;
  }

  /** Whether every worker has left (after `stop()`). */
  get stopped(): boolean {
    return this.slots.every((s, i) => !s || this.state(i) === STOPPED);
  }

  /**
   * Makes `workers` workers take jobs: parks the ones beyond (they stay alive, so a later
   * rise is immediate), wakes parked ones, and starts more only when none are parked.
   */
  resize(workers: number): void {
    this.reap();
    const active = this.active();
    for (const i of active.slice(workers)) this.park(i, true);
    let n = Math.min(active.length, workers);
    this.slots.forEach((s, i) => {
      if (s && s.parked && !s.stopping && n < workers) {
        this.park(i, false);
        n++;
      }
    });
    for (; n < workers && !this.failed; n++) this.startWorker(false);
  }

  /** Asks every worker to finish; they end on their own (a browser worker closes itself). */
  stop(): void {
    this.slots.forEach((s, i) => s && !s.stopping && this.stopWorker(i));
    this.watchdog?.terminate();
  }

  private startWorker(parked: boolean): void {
    let i = 0;
    while (i < this.slots.length && this.slots[i] && this.state(i) !== STOPPED) i++;
    if (i >= MAX_WORKERS) return;
    const incarnation = (this.incarnations = (this.incarnations + 1) & MAX_INCARNATION);
    const st = slot(i);
    Atomics.store(this.ctl, st + CLAIM, CLOSED);
    Atomics.store(this.ctl, st + UP, -1);
    Atomics.store(this.ctl, st, stateWord(incarnation, parked ? PARKED : STARTING));
    const init: WorkerInit = {
      module: this.module, memory: this.memory, control: this.ctl.buffer as SharedArrayBuffer,
      kernelNames: this.kernelNames, index: i, incarnation, spinMs: SPIN_MS,
      ...this.watchdog?.watch(i, incarnation),
    };
    try {
      const handle = this.spawner.spawn(init, { ended: (index, why) => this.ended(index, handle, why) });
      this.slots[i] = { handle, incarnation, stopping: false, parked };
    } catch (e) {
      this.fail(`a worker thread could not be started: ${(e as Error).message}`);
    }
  }

  /** Parks a worker (out of jobs, asleep on its state word) or wakes it. */
  private park(i: number, parked: boolean): void {
    const s = this.slots[i]!;
    s.parked = parked;
    const st = slot(i);
    const word = (state: number) => stateWord(s.incarnation, state);
    if (parked) {
      Atomics.compareExchange(this.ctl, st, word(READY), word(PARKED));
      Atomics.compareExchange(this.ctl, st, word(STARTING), word(PARKED)); // it parks as soon as it is up
    } else {
      Atomics.compareExchange(this.ctl, st, word(PARKED), word(READY));
      Atomics.notify(this.ctl, st);
    }
  }

  private stopWorker(i: number): void {
    const s = this.slots[i]!;
    s.stopping = true;
    const was = Atomics.exchange(this.ctl, slot(i), stateWord(s.incarnation, STOP));
    if (Atomics.load(this.ctl, slot(i) + UP) !== s.incarnation || stateOf(was) === DEAD) {
      // Not serving (yet, or any more), so it cannot be inside a job: ending it at once is safe.
      // A Web Worker ends at once and sends no event; a Node worker frees its slot on 'exit'.
      if (!s.handle.terminate()) {
        this.slots[i] = undefined;
        Atomics.store(this.ctl, slot(i), stateWord(s.incarnation, STOPPED));
      }
    }
    // A new generation (with no chunks: NEXT is closed) wakes a worker that checked its
    // state just before sleeping, which a bare notify could miss.
    Atomics.add(this.ctl, GEN, 1);
    Atomics.notify(this.ctl, GEN);
    Atomics.notify(this.ctl, slot(i));
  }

  /** A thread ended, as its runtime reports on the event loop. */
  private ended(index: number, handle: WorkerHandle, why: string): void {
    const s = this.slots[index];
    if (!s || s.handle !== handle) return; // its slot already went to a newer worker
    this.died(index, why);
  }

  /** Replaces the workers the watchdog found dead (cheap when none died). */
  private reap(): void {
    const deaths = Atomics.load(this.ctl, DEATHS);
    if (deaths === this.deathsSeen) return;
    this.deathsSeen = deaths;
    this.slots.forEach((s, i) => s && !s.stopping && this.state(i) === DEAD && this.died(i, "its thread ended"));
  }

  private died(index: number, why: string): void {
    const s = this.slots[index]!;
    this.slots[index] = undefined;
    if (s.stopping) return;
    const was = Atomics.exchange(this.ctl, slot(index), stateWord(s.incarnation, STOPPED));
    if (Atomics.load(this.ctl, slot(index) + UP) !== s.incarnation && stateOf(was) !== DEAD) {
      this.fail(`worker threads failed to start: ${why}`);
    } else if (++this.restarts > MAX_RESTARTS) {
      this.fail(`worker threads kept dying (the last: ${why})`);
    } else {
      this.deaths++;
      this.onWarning(`simdconv: worker thread ${index + 1} died (${why}); starting a new one`);
      this.startWorker(s.parked);
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
   * returns when all rows are done. Each row is computed by exactly one call, or, when a
   * worker died inside it, by that call's unfinished part and one whole call on this thread.
   */
  run(kernelName: string, kernel: Kernel, args: number[], rows: number, flopsPerRow: number): void {
    const id = this.kernelIds.get(kernelName);
    if (id === undefined || args.length > MAX_ARGS - 2) {
      kernel(...args, 0, rows);
      return;
    }
    this.reap();
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
    const deaths = Atomics.load(ctl, DEATHS);
    const gen = (Atomics.load(ctl, GEN) + 1) | 0;
    Atomics.store(ctl, NEXT, openJob(gen));
    Atomics.store(ctl, GEN, gen);
    Atomics.notify(ctl, GEN);
    runChunks(ctl, gen, kernel, args, rows, chunkRows, chunks);
    if (!this.waitDone(chunks, deaths)) this.recover(gen, kernel, args, rows, chunkRows, chunks);
    Atomics.store(ctl, NEXT, CLOSED);
    this.reap();
    const failed = Atomics.load(ctl, FAILED_CHUNK);
    if (failed) {
      // Re-run the chunk here so the kernel's own error surfaces.
      const r0 = (failed - 1) * chunkRows;
      kernel(...args, r0, Math.min(rows, r0 + chunkRows));
      throw new Error(`simdconv: ${kernelName} failed on a worker thread for rows [${r0}, ${r0 + chunkRows})`);
    }
  }

  /**
   * Waits until the job's chunks are done; false if a worker died meanwhile. Workers finish
   * within microseconds of the caller unless one was descheduled; then sleep rather than take
   * the core it needs (where this thread may sleep), in bounded waits that also end when the
   * watchdog reports a death. A browser's main thread may not sleep: it spins, checking DEATHS.
   */
  private waitDone(chunks: number, deaths: number): boolean {
    const ctl = this.ctl;
    let spins = 0;
    for (let done = Atomics.load(ctl, DONE); done !== chunks; done = Atomics.load(ctl, DONE)) {
      if (Atomics.load(ctl, DEATHS) !== deaths) return false;
      if (this.blocking && ++spins > 4096) Atomics.wait(ctl, DONE, done, WAIT_MS);
    }
    return true;
  }

  /**
   * Finishes a job in which a worker died: runs here every chunk that is not done and that no
   * living worker holds, so was claimed by a dead one. A living worker shows its claim in its
   * CLAIM word from before it claims until after it marks the chunk done, so a chunk that is
   * unmarked, unclaimed by the living, and still unmarked afterwards belongs to the dead.
   */
  private recover(gen: number, kernel: Kernel, args: number[], rows: number, chunkRows: number, chunks: number): void {
    const ctl = this.ctl;
    const first = openJob(gen);
    for (;;) {
      let waiting = 0;
      for (let c = 0; c < chunks; c++) {
        if (Atomics.load(ctl, MARKS + c) === gen) continue;
        if (this.heldByLiving(first + c) || Atomics.load(ctl, MARKS + c) === gen) {
          waiting++;
          continue;
        }
        const r0 = c * chunkRows;
        runChunk(ctl, gen, kernel, args, c, r0, Math.min(rows, r0 + chunkRows));
        this.recoveredChunks++;
      }
      if (!waiting) return;
      if (this.blocking) Atomics.wait(ctl, DONE, Atomics.load(ctl, DONE), 1);
    }
  }

  private heldByLiving(claim: number): boolean {
    for (let i = 0; i < this.slots.length; i++) {
      const st = slot(i);
      if (stateOf(Atomics.load(this.ctl, st)) !== DEAD && Atomics.load(this.ctl, st + CLAIM) === claim) return true;
    }
    return false;
  }

  /** @internal Chunks the workers have run since the pool started (for tests). */
  get workerChunks(): number {
    return Atomics.load(this.ctl, WORKER_CHUNKS);
  }

  /** @internal Kills the n-th worker (taking jobs or parked) from outside, as a crash would (for tests). */
  kill(n: number): Promise<unknown> | void {
    return this.slots.filter((s) => s && !s.stopping)[n]?.handle.terminate();
  }

  /** @internal Makes the next worker that claims a chunk run half of it and exit (for tests). */
  dieInNextChunk(): void {
    Atomics.store(this.ctl, DIE_IN_CHUNK, 1);
  }
}
