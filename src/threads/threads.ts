/**
 * Thread control: setThreadsCount / getThreadsCount, the reasons threads are off, and the
 * switch of the heap to a shared memory that the workers can instantiate on.
 *
 * Threads are off (one thread) until asked for. Turning them on moves every live tensor into
 * a shared WebAssembly.Memory at the same addresses, so tensors made before stay valid; only
 * views from `Tensor.view()` go stale (they read as empty), as after any memory growth.
 */
import { backend, MAX_PAGES, moveToMemory } from "../loader/backend.js";
import { describe } from "../errors.js";
import { threadsBuild } from "./shared_builds.js";
import { Pool, workerSpawner } from "./pool.js";
import { MAX_WORKERS } from "./control.js";

/**
 * Below this much work (flopsPerRow × rows) an op runs on the calling thread alone: sharing
 * an op out costs some microseconds (publishing it, waking workers, output cache lines moving
 * between cores). `npm run bench:threads -- --cutoff` on 2 cores, 3×3 convs, built with this
 * set to 0 so every op splits (2026-11-28, after the 6×8 kernels and Winograd units): 0.07 MFLOP ran
 * 0.78× as fast on 2 threads, 0.30 0.96×, 0.66 1.04–1.11×, 0.90 0.82×, 1.18 1.61–1.64×,
 * 1.49 1.12×, 2.65 1.40×, 4.7 1.57–1.87×. Faster kernels move the break-even up (the cost is
 * in µs, not flops): re-measure when kernels change.
 */
const MIN_SPLIT_FLOPS = 1_000_000;
let minSplitFlops = MIN_SPLIT_FLOPS;
/** How long `init({ threads })` waits for the workers to start before it gives up on them. */
const START_TIMEOUT_MS = 10_000;

const NOT_ASKED = "one thread was asked for (the default): call setThreadsCount(n) or init({ threads: 'auto' })";
const ASKED_ONE = "one thread was asked for (setThreadsCount(1) or init({ threads: 1 }))";
const PARKED_ONE = `${ASKED_ONE}; the workers wait, parked, for a larger count`;
const SHUT_DOWN = "shutdownThreads() ended the worker threads: setThreadsCount(n) or init({ threads }) starts new ones";

let requested = 1;
/** Kept while the count is 1 (its workers parked), so that a later rise needs no new threads. */
let pool: Pool | undefined;
let reasonOff: string | undefined = NOT_ASKED;
/** Set when threads cannot run here at all; asking again does not retry. */
let unavailable: string | undefined;
let warned = false;

/** The pool to split an op of `rows` rows over, or undefined to run it on this thread. */
export function poolFor(rows: number, flopsPerRow: number): Pool | undefined {
  return pool && requested > 1 && rows > 1 && rows * flopsPerRow >= minSplitFlops ? pool : undefined;
}

/**
 * Sets how many threads run each large op, the calling thread included (TensorFlow.js's
 * wasm backend name). 1 turns threads off. Workers start in the background; until they
 * are up, ops run on the threads that are. `await init({ threads })` waits for them.
 * Lowering the count parks the extra workers, so raising it again takes effect at once.
 */
export function setThreadsCount(numThreads: number): void {
  requested = checkCount(numThreads, "numThreads", "setThreadsCount");
  apply();
}

/** The threads that run a large op now, the calling thread included (1 when threads are off). */
export function getThreadsCount(): number {
  return pool && requested > 1 ? pool.threads : 1;
}

/** The thread fields of `capabilities()`. */
export function threadsStatus(): { threads: boolean; threadsCount: number; reasonThreadsOff?: string; threadsOverCores?: string } {
  const threadsCount = getThreadsCount();
  if (threadsCount === 1) return { threads: false, threadsCount, reasonThreadsOff: reasonOff };
  const cores = hardwareConcurrency();
  return threadsCount > cores
    ? {
      threads: true, threadsCount,
      threadsOverCores: `${threadsCount} threads on ${cores} cores: the threads take turns on the cores, so an op runs ` +
        `no faster than on ${cores}, and a thread that loses its core holds up the op`,
    }
    : { threads: true, threadsCount };
}

/** `init({ threads })`: sets the count and waits until the workers run (or gave up). */
export async function startThreads(threads: number | "auto"): Promise<void> {
  requested = threads === "auto" ? hardwareConcurrency() : checkCount(threads, "threads", "init");
  apply();
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (pool && pool.ready < pool.threads - 1) {
    if (Date.now() > deadline) {
      off(`worker threads did not start within ${START_TIMEOUT_MS / 1000} s`);
      return;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * Ends the worker threads; ops run on the calling thread until threads are asked for again.
 * Resolves once every worker has left. (A script that never calls it still exits: the
 * workers do not keep Node alive.)
 */
export async function shutdownThreads(): Promise<void> {
  const stopping = pool;
  requested = 1;
  pool?.stop();
  pool = undefined;
  if (stopping && !unavailable) reasonOff = SHUT_DOWN;
  while (stopping && !stopping.stopped) await new Promise((r) => setTimeout(r, 2));
}

function apply(): void {
  if (requested === 1) {
    pool?.resize(0);
    if (!unavailable) reasonOff = pool ? PARKED_ONE : ASKED_ONE;
    return;
  }
  const why = unavailable ?? (unavailable = whyUnavailable());
  if (why) return off(why);
  if (!pool) {
    const spawn = workerSpawner();
    if (typeof spawn === "string") return off((unavailable = spawn));
    const b = backend();
    pool = new Pool(b.module, b.memory, spawn, (reason) => off(reason, true), (message) => console.warn(message));
  }
  reasonOff = undefined;
  pool.resize(requested - 1);
}

/** Turns threads off for `reason`, warning once: they were asked for and cannot run. */
function off(reason: string, failed = false): void {
  pool?.stop();
  pool = undefined;
  reasonOff = reason;
  if (failed) unavailable = reason;
  if (!warned) {
    warned = true;
    console.warn(`simdconv: running on one thread: ${reason}`);
  }
}

/** Why threads cannot run here, or undefined; moves the heap to shared memory when they can. */
function whyUnavailable(): string | undefined {
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { userAgent?: string } };
  if (g.navigator?.userAgent === "Cloudflare-Workers") {
    return "Cloudflare Workers run each request on one thread and have no worker threads";
  }
  if (g.crossOriginIsolated === false) {
    return "the page is not cross-origin isolated: serve it with Cross-Origin-Opener-Policy: same-origin " +
      "and Cross-Origin-Embedder-Policy: require-corp (SharedArrayBuffer needs both)";
  }
  if (typeof SharedArrayBuffer !== "function" || typeof Atomics !== "object") {
    return "this runtime has no SharedArrayBuffer and Atomics";
  }
  const spawn = workerSpawner();
  if (typeof spawn === "string") return spawn;
  return moveToSharedMemory();
}

/** Switches the heap to a shared memory running the matching -threads build. */
function moveToSharedMemory(): string | undefined {
  const b = backend();
  if (b.memory.buffer instanceof SharedArrayBuffer) return undefined;
  const build = threadsBuild(b.build);
  if (!build) {
    return `the running build (${b.build}, given to init()) has no shared-memory twin among the builds ` +
      "simdconv embeds, and threads need one";
  }
  const bytes = build.bytes;
  if (!WebAssembly.validate(bytes as BufferSource)) {
    return "this engine lacks WebAssembly threads (shared memory and atomics)";
  }
  const initial = b.memory.buffer.byteLength / 65536;
  let memory: WebAssembly.Memory | undefined;
  let maxPages = 0;
  let error: unknown;
  // A shared memory reserves its maximum up front; a 32-bit process may not have 4 GiB to spare.
  for (const maximum of [MAX_PAGES, MAX_PAGES / 4, MAX_PAGES / 16]) {
    if (maximum < initial) break;
    try {
      memory = new WebAssembly.Memory({ initial, maximum, shared: true });
      maxPages = maximum;
      break;
    } catch (e) {
      error = e;
    }
  }
  if (!memory) return `a shared WebAssembly.Memory could not be created: ${(error as Error)?.message}`;
  try {
    moveToMemory(new WebAssembly.Module(bytes as BufferSource), build.name, memory, maxPages);
  } catch (e) {
    return `the shared-memory build could not be loaded: ${(e as Error).message}`;
  }
  return undefined;
}

function checkCount(v: unknown, name: string, op: string): number {
  if (typeof v !== "number") throw new TypeError(`${op}: ${name} must be a number${name === "threads" ? " or 'auto'" : ""}, got ${describe(v)}`);
  if (!Number.isInteger(v) || v < 1 || v > MAX_WORKERS + 1) {
    throw new RangeError(`${op}: ${name} must be an integer from 1 to ${MAX_WORKERS + 1}, got ${v}`);
  }
  return v;
}

function hardwareConcurrency(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  const proc = (globalThis as { process?: { getBuiltinModule?: (m: string) => unknown } }).process;
  const os = proc?.getBuiltinModule?.("os") as { availableParallelism?: () => number } | undefined;
  return Math.min(MAX_WORKERS + 1, Math.max(1, nav?.hardwareConcurrency ?? os?.availableParallelism?.() ?? 1));
}

/** @internal Hooks for tests: split every op, and reach the pool. */
export const testing = {
  splitEverything(on: boolean): void {
    minSplitFlops = on ? 0 : MIN_SPLIT_FLOPS;
  },
  pool: (): Pool | undefined => pool,
  /** Forgets a failure, and that its warning was given, so the next test starts afresh. */
  reset(): void {
    unavailable = undefined;
    warned = false;
  },
};
